"""Each provider's circuit breaker and time-to-first-token statistics, and the notices they cause.

The breaker logic itself is pure (``core.breaker``); this module owns one breaker and one ``LatencyStats``
per provider name on a monotonic clock, maps our errors onto them, and says when a circuit opens for a
provider that had been working (once per outage, not per failure). A rejected key or an account that
cannot pay opens the circuit for the longest cooldown at once: retrying cannot help until the user acts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from lsp_complete.core.breaker import OPEN, CircuitBreaker, LatencyStats
from lsp_complete.errors import (
    ProviderAuthError,
    ProviderBillingError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)

__all__ = ["Health"]

log = logging.getLogger(__name__)

Notice = Callable[[str], None]


class Health:
    """Breakers and TTFT stats by provider name (one event loop; not thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, **breaker_args: float) -> None:
        self._clock = clock
        self._breaker_args = breaker_args
        self._breakers: dict[str, CircuitBreaker] = {}
        self._stats: dict[str, LatencyStats] = {}
        self._working: set[str] = set()  # had a success since its circuit last opened
        self._notice: Notice | None = None

    def set_notice(self, notice: Notice | None) -> None:
        """Who hears that a working provider's circuit opened."""
        self._notice = notice

    def breaker(self, name: str) -> CircuitBreaker:
        """The breaker of ``name`` (created closed)."""
        found = self._breakers.get(name)
        if found is None:
            found = self._breakers[name] = CircuitBreaker(**self._breaker_args)  # type: ignore[arg-type]
        return found

    def stats(self, name: str) -> LatencyStats:
        """The TTFT window of ``name``."""
        found = self._stats.get(name)
        if found is None:
            found = self._stats[name] = LatencyStats()
        return found

    def admit(self, name: str) -> None:
        """Let one request through or raise ``ProviderUnavailable`` (in half-open: one probe at a time)."""
        now = self._clock()
        breaker = self.breaker(name)
        if not breaker.allow(now):
            until = breaker.retry_at()
            wait = None if until is None else max(until - now, 0.0)
            hint = f"; next try in {wait:.0f}s" if wait is not None and wait >= 1 else ""
            raise ProviderUnavailable(
                f"circuit open after recent failures{hint}", provider=name, retry_in_s=wait
            )

    def is_open(self, name: str) -> bool:
        """True while ``name`` refuses requests (open and not yet due for a probe)."""
        breaker = self._breakers.get(name)
        return breaker is not None and breaker.state(self._clock()) == OPEN

    def open_circuits(self) -> list[str]:
        """Names of the providers whose circuit is open now, sorted."""
        now = self._clock()
        return sorted(n for n, b in self._breakers.items() if b.state(now) == OPEN)

    def first_token(self, name: str, ttft_ms: float) -> None:
        """Text arrived: the provider works."""
        self.stats(name).observe_ttft(ttft_ms)
        self.succeeded(name)

    def succeeded(self, name: str) -> None:
        """A request succeeded: close the circuit."""
        self.breaker(name).record_success(self._clock())
        self._working.add(name)

    def released(self, name: str) -> None:
        """A request ended without telling anything about the provider (cancelled, refused by budget)."""
        self.breaker(name).release(self._clock())

    def failed(self, name: str, exc: ProviderError, censored_ttft_ms: float | None = None) -> None:
        """A request failed with ``exc``; may open the circuit (and tell the user once per outage).

        ``censored_ttft_ms``: the first-token deadline that passed, kept as a TTFT sample (at least that).
        """
        now = self._clock()
        breaker = self.breaker(name)
        was_open = breaker.state(now) == OPEN
        retry_after: float | None = None
        if isinstance(exc, ProviderRateLimited):
            retry_after = exc.retry_after
        elif isinstance(exc, (ProviderAuthError, ProviderBillingError)):
            retry_after = breaker.max_cooldown_s
        if censored_ttft_ms is not None:
            self.stats(name).observe_ttft(censored_ttft_ms)
        breaker.record_failure(now, retry_after, trips=exc.trips_breaker)
        if not was_open and breaker.state(now) == OPEN:
            until = breaker.retry_at() or now
            log.warning("%s: circuit opened for %.0fs after %s", name, until - now, type(exc).__name__)
            if name in self._working:
                self._working.discard(name)
                if self._notice is not None:
                    self._notice(
                        f"lsp-complete: {name} stopped answering ({exc}); using the next provider for now"
                    )

    def hedge_delay_s(self, name: str, default_s: float, ceiling_s: float) -> float:
        """When to start a second provider: ``name``'s p90 TTFT, or ``default_s`` before enough samples."""
        p90 = self.stats(name).p90()
        delay = default_s if p90 is None else p90 / 1000.0
        return min(max(delay, 0.05), ceiling_s)

    def forget(self, names: Iterable[str]) -> None:
        """Drop the state of providers whose configuration changed."""
        for name in names:
            self._breakers.pop(name, None)
            self._stats.pop(name, None)
            self._working.discard(name)
