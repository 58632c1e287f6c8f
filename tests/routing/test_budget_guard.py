"""Budgets through the router: held before sending, never overspent by concurrent calls, refused loudly."""

from __future__ import annotations

import asyncio
import contextlib
import math

import pytest

from lsp_complete.accounting import request_tokens
from lsp_complete.core.types import StreamEnd, TextDelta
from lsp_complete.errors import BudgetExceeded
from tests.fake_provider import Reply
from tests.routing.rig import DATA, PREMIUM_REQ, Rig, no_local

CAP = "[budget]\ndaily_usd = {daily}\nmonthly_usd = 100.0"


async def _drain(router, config, req=PREMIUM_REQ, task="explain", tier="premium"):  # type: ignore[no-untyped-def]
    events = []
    async with contextlib.aclosing(router.guarded_stream(task, tier, config, "big", req)) as stream:
        async for event in stream:
            events.append(event)
    return events


async def test_fifty_concurrent_premium_calls_never_pass_the_cap(rig: Rig) -> None:
    router = rig.router(CAP.format(daily=10.0))
    config = rig.provider(router, "a")
    # every answer really spends its whole output allowance: $1 of output each at $1000/M
    rig.a.default_reply = Reply(text="explained", usage={"prompt_tokens": 10, "completion_tokens": 1000})
    results = await asyncio.gather(*(_drain(router, config) for _ in range(50)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    served = [r for r in results if isinstance(r, list)]
    hold = router.accounts.hold_usd(config, "big", request_tokens(PREMIUM_REQ), PREMIUM_REQ.max_tokens)
    assert len(served) == math.floor(10.0 / hold) and len(served) + len(refused) == 50
    assert len(rig.a.requests) == len(served)
    rows = rig.rows()
    assert len(rows) == len(served) and all(r["outcome"] == "ok" for r in rows)
    assert sum(r["cost_usd"] for r in rows) <= 10.0
    assert router.accounts.budget.spent("daily") <= 10.0 and router.accounts.budget.reserved() == 0
    assert "of $10.00 spent today" in str(refused[0])


async def test_refusal_happens_before_any_request_reaches_the_provider(rig: Rig) -> None:
    router = rig.router(CAP.format(daily=0.5))
    config = rig.provider(router, "a")
    with pytest.raises(BudgetExceeded) as info:
        await _drain(router, config)
    assert "daily budget reached: $0.00 of $0.50 spent today" in str(info.value)
    assert info.value.cap_usd == 0.5 and rig.a.requests == [] and rig.rows() == []
    assert router.status()["openCircuits"] == []  # a refusal says nothing about the provider


async def test_fast_tier_over_budget_goes_offline_and_tells_once(rig: Rig) -> None:
    router = rig.router(CAP.format(daily=0.0))
    for _ in range(3):
        answer = await router.complete(rig.candidates(router), DATA, lambda: "offline()")
        assert answer is not None and answer.provider == "local"
    assert rig.a.requests == [] and rig.b.requests == []
    assert [n for n in rig.notices if "over budget" in n] == [rig.notices[-1]]
    assert len([n for n in rig.notices if "over budget" in n]) == 1
    assert router.status()["overBudget"] is True


async def test_thresholds_are_told_once_each(rig: Rig) -> None:
    router = rig.router(CAP.format(daily=1.0))
    config = rig.provider(router, "a")
    small = PREMIUM_REQ.__class__(model="big", prompt="x", max_tokens=100)  # $0.1 worst case each
    rig.a.default_reply = Reply(text="ok", usage={"prompt_tokens": 1, "completion_tokens": 100})
    for _ in range(9):
        await _drain(router, config, small)
    assert [n for n in rig.notices if "budget" in n] == [
        "lsp-complete: 80% of the daily budget is used ($0.80 of $1.00)",
    ]


async def test_ledger_rows_for_ok_cancelled_and_unknown_price(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    router = rig.router(CAP.format(daily=50.0))
    config = rig.provider(router, "a")
    rig.a.respond_with(
        Reply(text="all of it", usage={"prompt_tokens": 7, "completion_tokens": 3}),
        Reply(text="abcdefgh", chunks=4, delay_between_s=0.05),
        Reply(text="mystery", usage={"prompt_tokens": 7, "completion_tokens": 3}),
    )
    events = await _drain(router, config)
    assert isinstance(events[-1], StreamEnd) and "".join(e.text for e in events if isinstance(e, TextDelta))
    async with contextlib.aclosing(router.guarded_stream("fix", "premium", config, "big", PREMIUM_REQ)) as s:
        async for event in s:
            assert isinstance(event, TextDelta)
            break  # the user closed the panel after the first piece
    unknown = PREMIUM_REQ.__class__(model="mystery", prompt="explain", max_tokens=10)
    async with contextlib.aclosing(
        router.guarded_stream("explain", "premium", config, "mystery", unknown)
    ) as s:
        async for _ in s:
            pass
    ok, cancelled, mystery = rig.rows()
    assert (ok["outcome"], ok["input_tokens"], ok["output_tokens"], ok["cost_estimated"]) == ("ok", 7, 3, 0)
    assert ok["cost_usd"] == pytest.approx((7 * 1.0 + 3 * 1000.0) / 1e6)
    assert (cancelled["outcome"], cancelled["task"], cancelled["cost_estimated"]) == ("cancelled", "fix", 1)
    assert cancelled["output_tokens"] >= 1 and cancelled["cost_usd"] > 0
    assert mystery["cost_usd"] is None and mystery["charged_usd"] > 0  # unknown, never $0
    assert sum("no price known for a/mystery" in r.message for r in caplog.records) == 1
    assert router.worst_case_usd(config, "mystery", 10, 10) is None
    assert router.worst_case_usd(config, "big", 1000, 1000) == pytest.approx(1.001)


async def test_premium_tasks_get_premium_deadlines(rig: Rig) -> None:
    router = rig.router(
        CAP.format(daily=50.0)
        + "\n[completion]\nfirst_token_timeout_s = 0.2\n[premium]\nfirst_token_timeout_s = 5"
    )
    rig.a.respond_with(
        Reply(text="return a", delay_before_s=0.5), Reply(text="explained", delay_before_s=0.5)
    )
    answer = await router.complete(rig.candidates(router)[:1], DATA, no_local)
    assert answer is None  # the completion deadline passed
    events = await _drain(router, rig.provider(router, "a"))
    assert isinstance(events[-1], StreamEnd)
    assert [r["outcome"] for r in rig.rows()] == ["error", "ok"]


def test_status_and_summary_shapes(rig: Rig) -> None:
    router = rig.router(CAP.format(daily=2.0))
    status = router.status()
    assert status == {
        "spentTodayUsd": 0.0,
        "dailyCapUsd": 2.0,
        "monthlySpentUsd": 0.0,
        "monthlyCapUsd": 100.0,
        "overBudget": False,
        "openCircuits": [],
    }
    assert router.spend_summary() == "today $0.00 of $2.00, this month $0.00 of $100.00, 0 requests today"
