"""Router.complete over real HTTP: failover order, streams dying mid-way, bad providers, ledger rows."""

from __future__ import annotations

import dataclasses

import pytest

from lsp_complete.config import ProviderConfig
from lsp_complete.errors import ConfigError
from tests.fake_provider import Reply
from tests.routing.rig import DATA, PREMIUM_REQ, Rig, no_local


async def test_first_provider_answers_and_the_second_is_not_asked(rig: Rig) -> None:
    router = rig.router()
    rig.a.respond_with(Reply(text="return a + b", usage={"prompt_tokens": 100, "completion_tokens": 5}))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and (answer.provider, answer.text) == ("a", "return a + b")
    assert answer.cost_usd == (100 * 1.0 + 5 * 2.0) / 1e6 and answer.failures == ()
    assert len(rig.a.requests) == 1 and rig.b.requests == []
    [row] = rig.rows()
    assert (row["provider"], row["outcome"], row["input_tokens"], row["output_tokens"]) == ("a", "ok", 100, 5)
    assert row["cost_estimated"] == 0 and row["task"] == "completion" and row["tier"] == "fast"


async def test_failover_in_tier_order_then_local(rig: Rig) -> None:
    router = rig.router(fast=("a/coder", "b/coder", "local"), hedging=False)
    rig.a.respond_with(Reply(status=500, error_body={"error": {"message": "boom"}}))
    rig.b.respond_with(Reply(status=200, error_body="<html>a proxy page</html>"))  # not its format
    answer = await router.complete(rig.candidates(router), DATA, lambda: "offline()")
    assert answer is not None and (answer.provider, answer.text) == ("local", "offline()")
    assert [f.split(":")[0] for f in answer.failures] == ["a/coder", "b/coder"]
    assert [(r["provider"], r["outcome"]) for r in rig.rows()] == [("a", "error"), ("b", "error")]
    # an HTTP error generated nothing: nothing billed; a 200 that was read counts its prompt, estimated
    assert rig.rows()[0]["cost_usd"] == 0 and rig.rows()[1]["cost_estimated"] == 1


async def test_unknown_wire_format_is_skipped_with_a_message(rig: Rig) -> None:
    router = rig.router(hedging=False)
    bad = dataclasses.replace(rig.provider(router, "a"), api="telepathy")
    rig.b.respond_with(Reply(text="return a + b"))
    answer = await router.complete([(bad, "coder"), *rig.candidates(router)[1:]], DATA, no_local)
    assert answer is not None and answer.provider == "b"
    assert "unknown api 'telepathy'" in answer.failures[0]
    assert rig.a.requests == []


async def test_stream_dying_after_complete_lines_keeps_them(rig: Rig) -> None:
    router = rig.router(hedging=False)
    # three pieces "x = a\n", "y = b\n", "zzzzz"; the socket closes after two, without [DONE]
    rig.a.respond_with(Reply(text="x = a\ny = b\nzzzzz", chunks=3, drop_after_chunks=2))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a"
    assert answer.text.startswith("x = a") and "zzzzz" not in answer.text
    assert rig.b.requests == []
    [row] = rig.rows()
    assert row["outcome"] == "error" and row["cost_estimated"] == 1 and row["output_tokens"] > 0


async def test_stream_dying_before_anything_usable_fails_over(rig: Rig) -> None:
    router = rig.router(hedging=False)
    rig.a.respond_with(Reply(text="abc", chunks=3, drop_after_chunks=0))
    rig.b.respond_with(Reply(text="return a + b"))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and (answer.provider, answer.text) == ("b", "return a + b")
    assert [(r["provider"], r["outcome"]) for r in rig.rows()] == [("a", "error"), ("b", "ok")]


async def test_no_double_billing(rig: Rig) -> None:
    router = rig.router(hedging=False)
    rig.a.respond_with(
        Reply(text="return a + b", usage={"prompt_tokens": 1000, "completion_tokens": 10}),
        Reply(status=503),
        Reply(text="x = a\ny = b\nzz", chunks=3, drop_after_chunks=2),
    )
    rig.b.default_reply = Reply(text="return b", usage={"prompt_tokens": 500, "completion_tokens": 3})
    for _ in range(3):
        assert await router.complete(rig.candidates(router), DATA, no_local) is not None
    rows = rig.rows()
    assert len(rows) == len(rig.a.requests) + len(rig.b.requests) == 4
    charged = sum(r["charged_usd"] if r["charged_usd"] is not None else r["cost_usd"] for r in rows)
    assert abs(router.accounts.budget.spent("daily") - charged) < 1e-12
    assert router.accounts.budget.reserved() == 0
    assert router.status()["spentTodayUsd"] == round(charged, 6)


async def test_local_provider_config_is_refused_by_guarded_stream(rig: Rig) -> None:
    router = rig.router()
    local = ProviderConfig(name="local", api="local", base_url="")
    with pytest.raises(ConfigError, match="offline completer"):
        async for _ in router.guarded_stream("explain", "premium", local, "local", PREMIUM_REQ):
            pass


async def test_cache_hits_are_recorded_free_with_what_they_saved(rig: Rig) -> None:
    router = rig.router()
    router.record_cache_hit("a", "coder", saved_usd=0.0012, latency_ms=0.4)
    [row] = rig.rows()
    assert (row["outcome"], row["cost_usd"], row["saved_usd"], row["tier"]) == ("cache", 0.0, 0.0012, "fast")
    assert router.accounts.budget.spent("daily") == 0.0
    summary = router.accounts.ledger.summary(0.0, by="task")  # type: ignore[union-attr]
    assert summary[0].cache_hits == 1 and summary[0].saved_usd == 0.0012


async def test_a_price_file_that_is_not_ours_is_skipped_with_a_message(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    imported = rig.home / "data" / "lsp-complete" / "prices.json"
    imported.parent.mkdir(parents=True)
    imported.write_text('{"models": {"a/coder": {"input_cost_per_token": 1e-6}}}', encoding="utf-8")
    router = rig.router()
    assert "prices: " in caplog.text and "input_cost_per_token" in caplog.text
    rig.a.respond_with(Reply(text="return a + b", usage={"prompt_tokens": 100, "completion_tokens": 5}))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.cost_usd == (100 * 1.0 + 5 * 2.0) / 1e6  # the config price holds
