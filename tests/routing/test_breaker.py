"""Circuit breakers in the router over real HTTP: trip, skip, Retry-After, one probe, recovery, notices."""

from __future__ import annotations

import pytest

from lsp_complete.errors import ProviderRateLimited, ProviderUnavailable
from tests.fake_provider import Reply
from tests.routing.rig import DATA, KEYS, PREMIUM_REQ, Rig, no_local

FAIL = Reply(status=503, error_body={"error": {"message": "overloaded"}})
OK = Reply(text="return a + b")


async def test_trips_after_consecutive_failures_skips_then_one_probe_recovers(rig: Rig) -> None:
    router = rig.router(hedging=False)
    rig.b.default_reply = Reply(text="return b")
    rig.a.respond_with(OK, FAIL, FAIL, FAIL)
    for _ in range(4):
        assert await router.complete(rig.candidates(router), DATA, no_local) is not None
    assert len(rig.a.requests) == 4
    assert router.status()["openCircuits"] == ["a"]
    assert [n for n in rig.notices if "a stopped answering" in n] == [rig.notices[0]]

    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "b" and len(rig.a.requests) == 4  # a skipped
    assert "a/coder: circuit open" in answer.failures

    rig.clock.now += 31  # past the 30 s cooldown: one probe goes through and succeeds
    rig.a.respond_with(OK)
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a" and len(rig.a.requests) == 5
    assert router.status()["openCircuits"] == []
    assert len(rig.notices) == 1  # failovers are logged, not shown


async def test_failed_probe_reopens_with_a_longer_cooldown(rig: Rig) -> None:
    router = rig.router(hedging=False)
    rig.b.default_reply = Reply(text="return b")
    rig.a.respond_with(FAIL, FAIL, FAIL, FAIL)
    for _ in range(3):
        await router.complete(rig.candidates(router), DATA, no_local)
    rig.clock.now += 31
    await router.complete(rig.candidates(router), DATA, no_local)  # the probe fails
    assert len(rig.a.requests) == 4
    rig.clock.now += 31  # the cooldown doubled to 60 s: still open
    await router.complete(rig.candidates(router), DATA, no_local)
    assert len(rig.a.requests) == 4
    assert rig.notices == []  # a never worked in this session: no popup


@pytest.mark.parametrize(
    "headers",
    [{"retry-after": "20"}, {"retry-after-ms": "20000"}],
    ids=["seconds", "ms"],
)
async def test_429_retry_after_opens_at_once_until_then(rig: Rig, headers: dict[str, str]) -> None:
    router = rig.router(hedging=False)
    rig.b.default_reply = Reply(text="return b")
    rig.a.respond_with(Reply(status=429, headers=headers, error_body={"error": {"message": "slow down"}}))
    await router.complete(rig.candidates(router), DATA, no_local)
    rig.clock.now += 19
    await router.complete(rig.candidates(router), DATA, no_local)
    assert len(rig.a.requests) == 1
    rig.clock.now += 2
    rig.a.respond_with(OK)
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a" and len(rig.a.requests) == 2


async def test_guarded_stream_refuses_an_open_circuit_without_sending(rig: Rig) -> None:
    router = rig.router("[budget]\ndaily_usd = 100.0\nmonthly_usd = 1000.0")
    rig.a.respond_with(Reply(status=429, headers={"retry-after": "60"}))
    config = rig.provider(router, "a")
    with pytest.raises(ProviderRateLimited):
        async for _ in router.guarded_stream("explain", "premium", config, "big", PREMIUM_REQ):
            pass
    with pytest.raises(ProviderUnavailable) as info:
        async for _ in router.guarded_stream("explain", "premium", config, "big", PREMIUM_REQ):
            pass
    assert info.value.retryable is False and "circuit open" in str(info.value)
    assert len(rig.a.requests) == 1
    assert [(r["outcome"], r["task"], r["tier"]) for r in rig.rows()] == [("error", "explain", "premium")]


async def test_rejected_key_is_told_once_without_the_key(rig: Rig) -> None:
    router = rig.router(hedging=False)
    rig.b.default_reply = Reply(text="return b")
    rig.a.default_reply = Reply(status=401, error_body={"error": {"message": "Incorrect API key provided"}})
    for _ in range(2):
        await router.complete(rig.candidates(router), DATA, no_local)
        rig.clock.now += 500  # even after the long cooldown, the notice is not repeated
    key_notices = [n for n in rig.notices if "rejected the API key" in n]
    assert len(key_notices) == 1 and "$FAKE_A_KEY" in key_notices[0]
    assert all(KEYS["FAKE_A_KEY"] not in n for n in rig.notices)
    # a rejected key opens the circuit for the longest cooldown: no second request within it
    assert len(rig.a.requests) == 2
