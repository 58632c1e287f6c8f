"""Circuit breaker scenarios and TTFT percentiles, as event tables on a fake clock."""

from __future__ import annotations

import pytest

from lsp_complete.core.breaker import CircuitBreaker, LatencyStats

# Steps: ("allow", t, expected) | ("state", t, expected) | ("ok", t) | ("fail", t, retry_after, trips)
# | ("release", t)
Step = tuple[object, ...]

SCENARIOS: dict[str, list[Step]] = {
    "closed lets everything through": [("allow", 0, True), ("allow", 0, True), ("state", 0, "closed")],
    "two failures stay closed": [("fail", 0, None, True), ("fail", 1, None, True), ("allow", 1, True)],
    "three consecutive failures trip": [
        ("fail", 0, None, True),
        ("fail", 1, None, True),
        ("fail", 2, None, True),
        ("allow", 2, False),
        ("state", 31.9, "open"),
        ("allow", 31.9, False),
        ("state", 32, "half-open"),
    ],
    "a success in between resets the count": [
        ("fail", 0, None, True),
        ("fail", 1, None, True),
        ("ok", 2),
        ("fail", 3, None, True),
        ("fail", 4, None, True),
        ("allow", 4, True),
    ],
    "half-open lets exactly one probe through": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("allow", 30, False),
        ("allow", 40, False),
        ("state", 40, "half-open"),
    ],
    "a good probe closes": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("ok", 31),
        ("allow", 31, True),
        ("allow", 31, True),
        ("state", 31, "closed"),
    ],
    "a failed probe reopens with a doubled cooldown": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("fail", 31, None, True),
        ("allow", 90, False),
        ("allow", 91, True),
        ("fail", 92, None, True),
        ("allow", 211, False),
        ("allow", 212, True),
    ],
    "retry-after opens at once until then": [
        ("fail", 0, 5.0, True),
        ("allow", 4.9, False),
        ("allow", 5, True),
        ("allow", 5, False),
        ("ok", 6),
        ("allow", 6, True),
    ],
    "retry-after never shortens an opening in force": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("fail", 1, 2.0, False),
        ("allow", 10, False),
        ("allow", 30, True),
    ],
    "non-tripping failures do not count": [
        *[("fail", t, None, False) for t in (0, 1, 2, 3)],
        ("allow", 3, True),
        ("state", 3, "closed"),
    ],
    "a non-tripping probe failure frees the probe slot": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("fail", 30.5, None, False),
        ("allow", 31, True),
    ],
    "a cancelled probe is released": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("release", 30.2),
        ("allow", 30.3, True),
    ],
    "a probe that never reports is given up": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        ("allow", 30, True),
        ("allow", 44.9, False),
        ("allow", 45, True),
    ],
    "cooldown doubling is capped": [
        *[("fail", t, None, True) for t in (0, 0, 0)],
        *[s for t0 in (30, 91, 212, 453, 694) for s in (("allow", t0, True), ("fail", t0 + 1, None, True))],
        ("allow", 695 + 239, False),
        ("allow", 695 + 240, True),
    ],
}


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_breaker(steps: list[Step]) -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30.0, max_cooldown_s=240.0, probe_timeout_s=15.0)
    for index, step in enumerate(steps):
        kind, now = step[0], float(step[1])  # type: ignore[arg-type]
        if kind == "allow":
            assert breaker.allow(now) is step[2], f"step {index}: {step}"
        elif kind == "state":
            assert breaker.state(now) == step[2], f"step {index}: {step}"
        elif kind == "ok":
            breaker.record_success(now)
        elif kind == "release":
            breaker.release(now)
        else:
            breaker.record_failure(now, retry_after_s=step[2], trips=bool(step[3]))  # type: ignore[arg-type]


def test_retry_at_reports_the_reopening() -> None:
    breaker = CircuitBreaker()
    assert breaker.retry_at() is None
    breaker.record_failure(100.0, retry_after_s=7.0)
    assert breaker.retry_at() == 107.0


@pytest.mark.parametrize(
    ("samples", "p50", "p90"),
    [
        ([], None, None),
        ([100, 200, 300, 400], None, None),
        ([100, 200, 300, 400, 500], 300.0, 500.0),
        ([float(x) for x in range(1, 11)], 5.0, 9.0),
        ([float(x) for x in range(1, 101)], 75.0, 95.0),  # only the last 50 (51..100) count
        ([10, 10, 10, 10, 10, -5, float("nan"), float("inf")], 10.0, 10.0),
    ],
)
def test_latency_percentiles(samples: list[float], p50: float | None, p90: float | None) -> None:
    stats = LatencyStats(window=50)
    for ms in samples:
        stats.observe_ttft(ms)
    assert stats.p50() == p50
    assert stats.p90() == p90
