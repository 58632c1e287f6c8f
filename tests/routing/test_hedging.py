"""Hedging over real HTTP: a slow first provider gets a second one started; the loser is cancelled, billed."""

from __future__ import annotations

import asyncio

import pytest

from tests.fake_provider import Reply
from tests.routing.rig import DATA, Rig, no_local, wait_disconnect

USAGE = {"prompt_tokens": 50, "completion_tokens": 4}


async def test_slow_first_provider_is_hedged_and_the_loser_cancelled_and_billed(rig: Rig) -> None:
    router = rig.router()
    rig.a.respond_with(Reply(text="return a", delay_before_s=8.0))  # no first byte for a long time
    rig.b.respond_with(Reply(text="return a + b", usage=USAGE))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and (answer.provider, answer.text) == ("b", "return a + b")
    assert await wait_disconnect(rig.a)  # the loser's connection was closed
    rows = {r["provider"]: r for r in rig.rows()}
    assert len(rig.rows()) == 2
    assert (rows["b"]["outcome"], rows["b"]["cost_estimated"]) == ("ok", 0)
    loser = rows["a"]
    assert loser["outcome"] == "cancelled" and loser["cost_estimated"] == 1
    assert loser["input_tokens"] > 0 and loser["cost_usd"] > 0  # the prompt it read is counted
    spent = router.accounts.budget.spent("daily")
    assert abs(spent - (loser["cost_usd"] + rows["b"]["cost_usd"])) < 1e-12


async def test_the_first_provider_can_still_win_the_race(rig: Rig) -> None:
    router = rig.router("[completion]\nfirst_token_timeout_s = 2.0")  # hedge after 0.8 s (40 %)
    rig.a.respond_with(Reply(text="return a + b", delay_before_s=1.3, usage=USAGE))
    rig.b.respond_with(Reply(text="return b", delay_before_s=8.0))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a"
    assert len(rig.b.requests) == 1 and await wait_disconnect(rig.b)
    assert sorted((r["provider"], r["outcome"]) for r in rig.rows()) == [("a", "ok"), ("b", "cancelled")]


async def test_no_hedge_when_the_first_token_comes_in_time(rig: Rig) -> None:
    router = rig.router()
    rig.a.default_reply = Reply(text="return a + b", usage=USAGE)
    for _ in range(6):
        answer = await router.complete(rig.candidates(router), DATA, no_local)
        assert answer is not None and answer.provider == "a"
    assert rig.b.requests == [] and len(rig.rows()) == 6
    # enough samples now: the hedge delay is a's observed p90, well under the default
    assert router._hedge_delay((rig.provider(router, "a"), "coder")) < 0.6


async def test_no_hedging_with_a_single_upstream_provider(rig: Rig) -> None:
    router = rig.router(fast=("a/coder", "local"))
    rig.a.respond_with(Reply(text="return a", delay_before_s=0.7))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a" and rig.b.requests == []


async def test_cancelling_complete_cancels_and_bills_every_attempt(rig: Rig) -> None:
    router = rig.router()
    rig.a.respond_with(Reply(text="x", delay_before_s=8.0))
    rig.b.respond_with(Reply(text="y", delay_before_s=8.0))
    task = asyncio.ensure_future(router.complete(rig.candidates(router), DATA, no_local))
    await asyncio.to_thread(rig.b.wait_for_request, 10.0)  # both are running now
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted((r["provider"], r["outcome"]) for r in rig.rows()) == [
        ("a", "cancelled"),
        ("b", "cancelled"),
    ]
    assert router.accounts.budget.reserved() == 0


async def test_hedging_can_be_switched_off(rig: Rig) -> None:
    router = rig.router("[completion]\nhedge = false")
    rig.a.respond_with(Reply(text="return a", delay_before_s=0.9))  # later than the 0.6 s hedge delay
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a" and rig.b.requests == []
