"""hedge.race and Health on their own (no HTTP): who starts when, who wins, what is cancelled."""

from __future__ import annotations

import asyncio

import pytest

from lsp_complete.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderServerError,
    ProviderUnavailable,
)
from lsp_complete.health import Health
from lsp_complete.hedge import Outcome, race
from tests.routing.rig import FakeClock

# candidate name -> (seconds before the first token or None for never, seconds until done, useful answer?)
Plan = dict[str, tuple[float | None, float, bool]]


async def _run(
    plan: Plan, hedge: float | None, started: list[str], cancelled: list[str]
) -> tuple[str | None, list[str], int]:
    running = [0, 0]  # now, most at once

    async def start(name: str, first: asyncio.Event) -> Outcome[str]:
        started.append(name)
        running[0] += 1
        running[1] = max(running)
        first_at, done_at, useful = plan[name]
        try:
            if first_at is not None:
                await asyncio.sleep(first_at)
                first.set()
                await asyncio.sleep(done_at - first_at)
            else:
                await asyncio.sleep(done_at)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise
        finally:
            running[0] -= 1
        return Outcome(name) if useful else Outcome(failure=f"{name}: failed")

    value, failures = await race(list(plan), start, None if hedge is None else (lambda _: hedge))
    return value, failures, running[1]


STALL = (None, 0.3, False)


@pytest.mark.parametrize(
    ("plan", "hedge", "winner", "started", "cancelled"),
    [
        ({"a": (0.0, 0.0, True), "b": (0.0, 0.0, True)}, 0.05, "a", ["a"], []),
        ({"a": (None, 5.0, True), "b": (0.0, 0.01, True)}, 0.05, "b", ["a", "b"], ["a"]),
        ({"a": (0.1, 0.12, True), "b": (None, 5.0, True)}, 0.05, "a", ["a", "b"], ["b"]),
        ({"a": (0.01, 0.02, False), "b": (0.0, 0.0, True)}, 0.05, "b", ["a", "b"], []),
        ({"a": (None, 0.3, True), "b": (0.0, 0.0, True)}, None, "a", ["a"], []),
        (
            {"a": (None, 0.0, False), "b": (None, 0.0, False), "c": (0.0, 0.0, True)},
            None,
            "c",
            ["a", "b", "c"],
            [],
        ),
        ({"a": STALL, "b": (None, 1.0, False), "c": (0.0, 0.0, True)}, 0.05, "c", ["a", "b", "c"], ["b"]),
    ],
    ids=[
        "fast-first",
        "hedge-wins",
        "first-wins-after-hedge",
        "failover",
        "no-hedging",
        "chain",
        "two-at-most",
    ],
)
async def test_race(
    plan: Plan, hedge: float | None, winner: str | None, started: list[str], cancelled: list[str]
) -> None:
    seen: list[str] = []
    gone: list[str] = []
    value, failures, most = await _run(plan, hedge, seen, gone)
    assert (value, seen, gone) == (winner, started, cancelled)
    assert most <= 2 and all(f.endswith("failed") for f in failures)


class _Seen(list[str]):
    """Started attempts; ``both`` is set once two have started."""

    def __init__(self) -> None:
        super().__init__()
        self.both = asyncio.Event()

    def append(self, name: str) -> None:
        super().append(name)
        if len(self) >= 2:
            self.both.set()


async def test_cancelling_the_race_cancels_every_attempt() -> None:
    seen = _Seen()
    gone: list[str] = []
    plan: Plan = {"a": (None, 5.0, True), "b": (None, 5.0, True)}
    task = asyncio.ensure_future(_run(plan, 0.01, seen, gone))
    await seen.both.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(gone) == ["a", "b"]


def test_health_maps_errors_onto_the_breaker() -> None:
    clock = FakeClock()
    notices: list[str] = []
    health = Health(clock)
    health.set_notice(notices.append)
    health.succeeded("p")
    health.failed("p", ProviderRequestError("bad model", provider="p", status_code=400))
    health.failed("p", ProviderRequestError("bad model", provider="p", status_code=400))
    health.failed("p", ProviderRequestError("bad model", provider="p", status_code=400))
    assert health.open_circuits() == []  # our own bad request says nothing about the provider
    health.failed("p", ProviderRateLimited("slow", provider="p", retry_after=12.0))
    assert health.open_circuits() == ["p"] and len(notices) == 1
    with pytest.raises(ProviderUnavailable, match="next try in 12s"):
        health.admit("p")
    clock.now += 12
    health.admit("p")  # the probe
    with pytest.raises(ProviderUnavailable):
        health.admit("p")  # only one at a time
    health.failed("p", ProviderServerError("down", provider="p", status_code=500))
    assert health.open_circuits() == ["p"] and len(notices) == 1  # not told again while it stays down
    health.failed("q", ProviderAuthError("no", provider="q", status_code=401))
    clock.now += 239
    assert "q" in health.open_circuits()


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([], 0.6),
        ([100.0] * 4, 0.6),
        ([100.0] * 9 + [400.0], 0.1),
        ([100.0] * 8 + [400.0] * 2, 0.4),
        ([9000.0] * 5, 1.5),
    ],
    ids=["none", "too-few", "p90-ignores-one-outlier", "p90", "capped-at-first-token-timeout"],
)
def test_hedge_delay(samples: list[float], expected: float) -> None:
    health = Health(FakeClock())
    for ms in samples:
        health.first_token("p", ms)
    assert health.hedge_delay_s("p", 0.6, 1.5) == pytest.approx(expected)
