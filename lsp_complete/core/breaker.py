"""Per-provider circuit breaker and time-to-first-token statistics (pure; clocks are passed in).

Why (peers.md): the peers' routers are weak here. LiteLLM never cools a single-deployment group and cools
on one 429 with a fixed 5 s; Portkey honours ``Retry-After``; OpenRouter avoids providers with outages in
the last 30 s. For completions a dead provider costs a whole typing pause per request, so we trip after
``failure_threshold`` (3) consecutive failures, connection errors included, and stay open ``cooldown_s``
(30 s, OpenRouter's window). A 429/503 with ``Retry-After`` opens at once until then. After the cooldown,
half-open lets exactly one probe through; a failed probe reopens with a doubled cooldown (capped at
``max_cooldown_s``), a success closes. A probe that never reports (its request was cancelled because the
user typed on) is given up after ``probe_timeout_s`` so the breaker cannot stay stuck half-open.

``LatencyStats`` keeps the last ``window`` TTFT samples; its p90 is the hedging threshold of peers.md
§5.3: hedge to the second cheap provider only when the first has not produced a token by its p90.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["CLOSED", "HALF_OPEN", "OPEN", "CircuitBreaker", "LatencyStats"]

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half-open"


class CircuitBreaker:
    """Closed -> (``failure_threshold`` consecutive failures or Retry-After) -> open -> half-open -> closed.

    Times are seconds on one monotonic clock chosen by the caller. Not thread-safe (one event loop).
    """

    def __init__(
        self,
        failure_threshold: int = 3,
        cooldown_s: float = 30.0,
        max_cooldown_s: float = 240.0,
        probe_timeout_s: float = 15.0,
    ) -> None:
        self.failure_threshold = max(1, failure_threshold)
        self.cooldown_s = max(0.0, cooldown_s)
        self.max_cooldown_s = max(self.cooldown_s, max_cooldown_s)
        self.probe_timeout_s = max(0.0, probe_timeout_s)
        self.failures = 0  # consecutive tripping failures since the last success
        self._open_until: float | None = None  # None: closed
        self._next_cooldown = self.cooldown_s
        self._probe_since: float | None = None  # when the half-open probe was let through

    def state(self, now: float) -> str:
        """``closed``, ``open`` (refusing until ``retry_at``) or ``half-open`` (probe allowed or running)."""
        if self._open_until is None:
            return CLOSED
        return OPEN if now < self._open_until else HALF_OPEN

    def retry_at(self) -> float | None:
        """When an open circuit lets a probe through (None while closed); for status reporting."""
        return self._open_until

    def allow(self, now: float) -> bool:
        """Whether a request may go to this provider now. In half-open, True exactly once per probe."""
        if self._open_until is None:
            return True
        if now < self._open_until:
            return False
        if self._probe_since is not None and now - self._probe_since < self.probe_timeout_s:
            return False  # a probe is running
        self._probe_since = now
        return True

    def record_success(self, now: float) -> None:
        """A request succeeded (first token or a whole answer): close and forget past failures."""
        del now  # kept in the signature so all recorders look alike
        self.failures = 0
        self._open_until = None
        self._probe_since = None
        self._next_cooldown = self.cooldown_s

    def record_failure(self, now: float, retry_after_s: float | None = None, trips: bool = True) -> None:
        """A request failed.

        ``retry_after_s`` (rate limit / overload) opens the circuit at once until ``now + retry_after_s``
        (never shortening an opening already in force). ``trips=False`` marks failures that say nothing
        about the provider's health (a 400 for our request, a cancelled stream): they only free the probe
        slot. Otherwise the failure counts; the threshold, or any failure of the half-open probe, opens it.
        """
        probing = self._probe_since is not None
        self._probe_since = None
        if retry_after_s is not None and retry_after_s > 0:
            self._open(now + retry_after_s)
        if not trips:
            return
        self.failures += 1
        if probing or self.failures >= self.failure_threshold:
            self._open(now + self._next_cooldown)
            self._next_cooldown = min(self._next_cooldown * 2, self.max_cooldown_s)

    def release(self, now: float) -> None:
        """The request let through ended without saying anything (cancelled by the user): free the probe."""
        del now
        self._probe_since = None

    def _open(self, until: float) -> None:
        self._open_until = until if self._open_until is None else max(self._open_until, until)


class LatencyStats:
    """The last ``window`` time-to-first-token samples (ms) of one provider."""

    MIN_SAMPLES = 5

    def __init__(self, window: int = 50) -> None:
        self._samples: deque[float] = deque(maxlen=max(1, window))

    def __len__(self) -> int:
        return len(self._samples)

    def observe_ttft(self, ms: float) -> None:
        """Record one TTFT. A request that timed out before its first token may be recorded with its
        timeout, which keeps the percentile honest (a censored sample is at least that long)."""
        if ms >= 0 and math.isfinite(ms):
            self._samples.append(float(ms))

    def quantile(self, q: float) -> float | None:
        """The nearest-rank ``q`` quantile (0 < q <= 1) of the window; None before ``MIN_SAMPLES``."""
        if len(self._samples) < self.MIN_SAMPLES:
            return None
        ordered = sorted(self._samples)
        rank = math.ceil(min(max(q, 0.0), 1.0) * len(ordered))
        return ordered[max(rank, 1) - 1]

    def p50(self) -> float | None:
        """The median TTFT, or None before ``MIN_SAMPLES`` samples."""
        return self.quantile(0.5)

    def p90(self) -> float | None:
        """The 90th-percentile TTFT (the hedging delay), or None before ``MIN_SAMPLES`` samples."""
        return self.quantile(0.9)
