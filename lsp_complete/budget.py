"""Spending caps enforced BEFORE a request is sent: reserve the worst case, then settle the real cost.

A request may go out only if, for every cap that applies (daily, monthly, and the tier's own if it has
one), ``spent + reserved by requests in flight + this request's worst case <= cap``. Settling replaces the
reservation with the real cost (or keeps the worst case when the price is unknown). So concurrent requests
can never jointly spend past a cap, unlike budgets checked against already-recorded spend.

Days start at local midnight and months on the 1st (local time). Spend already in the ledger counts (other
editor windows share it): it is read at start, at each rollover and every ``refresh_s`` seconds.
All methods are synchronous and take one ``threading.Lock`` briefly: safe from threads and asyncio tasks.
"""

from __future__ import annotations

import itertools
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from lsp_complete.errors import BudgetExceeded
from lsp_complete.ledger import Ledger, LedgerEntry
from lsp_complete.presets import BudgetSettings

__all__ = ["PERIODS", "THRESHOLDS", "Budget", "Reservation", "TierCaps", "period_starts"]

log = logging.getLogger(__name__)

PERIODS = ("daily", "monthly")
THRESHOLDS = (0.8, 1.0)
TierCaps = tuple[float | None, float | None]  # (daily, monthly) US dollars; None = no cap
_EPSILON = 1e-12  # float noise: a request that exactly fills the cap is allowed


@dataclass(frozen=True, slots=True)
class Reservation:
    """Money held for one request until it is reconciled or released."""

    id: int
    tier: str
    worst_case_usd: float


def period_starts(now: float) -> dict[str, float]:
    """Unix times of the start of the local day and of the local month containing ``now``."""
    local = datetime.fromtimestamp(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"daily": day.timestamp(), "monthly": day.replace(day=1).timestamp()}


def _usd(x: float) -> str:
    return f"${x:.2f}" if x >= 1 or round(x, 2) == x else f"${x:.4f}"


class _Bucket:
    """Spend of one scope (all tiers, or one tier) in one period."""

    __slots__ = ("cap", "fired", "from_ledger", "not_in_ledger", "start")

    def __init__(self, cap: float | None) -> None:
        self.cap = cap
        self.start = -1.0
        self.from_ledger = 0.0  # what the ledger held at the last read, plus what we recorded since
        self.not_in_ledger = 0.0  # reconciled without a ledger entry
        self.fired: set[float] = set()

    @property
    def spent(self) -> float:
        return self.from_ledger + self.not_in_ledger


class Budget:
    """Daily and monthly caps (from ``BudgetSettings``) and optional per-tier caps."""

    def __init__(
        self,
        caps: BudgetSettings,
        ledger: Ledger | None = None,
        clock: Callable[[], float] = time.time,
        *,
        tier_caps: Mapping[str, TierCaps] | None = None,
        on_threshold: Callable[[str, float], None] | None = None,
        refresh_s: float = 30.0,
    ) -> None:
        self._ledger, self._clock, self._refresh_s = ledger, clock, refresh_s
        self._on_threshold = on_threshold
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._open: dict[int, Reservation] = {}
        self._buckets: dict[tuple[str | None, str], _Bucket] = {
            (None, "daily"): _Bucket(caps.daily_usd),
            (None, "monthly"): _Bucket(caps.monthly_usd),
        }
        for tier, (daily, monthly) in (tier_caps or {}).items():
            self._buckets[(tier, "daily")] = _Bucket(daily)
            self._buckets[(tier, "monthly")] = _Bucket(monthly)
        self._last_read = -float("inf")
        with self._lock:
            events = self._roll(clock())
        self._fire(events)

    def reserve(self, tier: str, worst_case_usd: float) -> Reservation:
        """Hold ``worst_case_usd`` for a request of ``tier``; raises BudgetExceeded (nothing held) if it
        could take any applicable cap past its limit."""
        if not worst_case_usd >= 0:  # also rejects NaN
            raise ValueError(f"worst_case_usd must be a number >= 0, got {worst_case_usd!r}")
        with self._lock:
            events = self._roll(self._clock())
            refusal = None
            for (scope, period), bucket in self._buckets.items():
                if scope not in (None, tier) or bucket.cap is None:
                    continue
                held = self._held(scope)
                if bucket.spent + held + worst_case_usd > bucket.cap + _EPSILON:
                    refusal = self._refusal(scope, period, bucket, held, worst_case_usd)
                    break
            reservation = None if refusal else Reservation(next(self._ids), tier, worst_case_usd)
            if reservation is not None:
                self._open[reservation.id] = reservation
        self._fire(events)
        if reservation is None:
            raise refusal or AssertionError("unreachable")
        return reservation

    def reconcile(
        self, reservation: Reservation, actual_usd: float | None, entry: LedgerEntry | None = None
    ) -> float:
        """Replace the hold with the real cost and return what was charged (the worst case when
        ``actual_usd`` is None: unknown price). With ``entry`` (and a ledger) the entry is recorded under
        the same lock, so the spend is never counted twice nor missed; otherwise do not record it elsewhere.
        A reservation already reconciled or released is ignored (returns 0)."""
        charged = reservation.worst_case_usd if actual_usd is None else max(actual_usd, 0.0)
        with self._lock:
            events = self._roll(self._clock())
            settled = self._open.pop(reservation.id, None) is None
            if not settled:
                if entry is not None and entry.charged_usd is None and entry.cost_usd != charged:
                    entry = replace(entry, charged_usd=charged)  # re-read later, it must still count
                recorded = self._record(entry)
                for (scope, _), bucket in self._buckets.items():
                    if scope in (None, reservation.tier):
                        if recorded:
                            bucket.from_ledger += charged
                        else:
                            bucket.not_in_ledger += charged
                events += self._crossed()
        self._fire(events)
        return 0.0 if settled else charged

    def release(self, reservation: Reservation) -> None:
        """Drop the hold without spending (the request was not sent); no-op if already settled."""
        with self._lock:
            self._open.pop(reservation.id, None)

    def spent(self, period: str = "daily", tier: str | None = None) -> float:
        """Dollars spent in the current period, for all tiers or for a tier that has its own caps."""
        with self._lock:
            self._roll(self._clock())
            return self._buckets[(tier, period)].spent

    def reserved(self, tier: str | None = None) -> float:
        """Dollars held by requests in flight (all tiers, or one tier that has its own caps)."""
        with self._lock:
            return self._held(tier)

    def refresh(self) -> None:
        """Re-read the spend from the ledger now (other processes may have added to it)."""
        with self._lock:
            self._last_read = -float("inf")
            events = self._roll(self._clock())
        self._fire(events)

    # -- internals; all called with the lock held --

    def _record(self, entry: LedgerEntry | None) -> bool:
        """Write ``entry`` to the ledger; False if there is none or the write failed (spend still counts)."""
        if self._ledger is None or entry is None:
            return False
        try:
            self._ledger.record(entry)
        except (sqlite3.Error, OSError, ValueError) as exc:
            log.warning("could not record spend in the ledger %s: %s", self._ledger.path, exc)
            return False
        return True

    def _held(self, tier: str | None) -> float:
        """Worst cases of the requests in flight (summed afresh: no drift; there are only a few)."""
        return math.fsum(r.worst_case_usd for r in self._open.values() if tier in (None, r.tier))

    def _roll(self, now: float) -> list[tuple[str, float]]:
        """Start new periods when the day or month changed; re-read the ledger when due."""
        starts = period_starts(now)
        read = self._ledger is not None and now - self._last_read >= self._refresh_s
        for (_, period), bucket in self._buckets.items():
            if bucket.start != starts[period]:
                bucket.start, bucket.from_ledger, bucket.not_in_ledger = starts[period], 0.0, 0.0
                bucket.fired.clear()
                read = read or self._ledger is not None
        if read and self._ledger is not None:
            self._last_read = now
            try:
                totals = [self._ledger.spent_since(b.start, scope) for (scope, _), b in self._buckets.items()]
            except (sqlite3.Error, OSError) as exc:  # keep counting in memory; try again at the next read
                log.warning("could not read the spend from the ledger %s: %s", self._ledger.path, exc)
            else:
                for bucket, total in zip(self._buckets.values(), totals, strict=True):
                    bucket.from_ledger = total
        return self._crossed()

    def _crossed(self) -> list[tuple[str, float]]:
        events = []
        for (scope, period), bucket in self._buckets.items():
            if not bucket.cap:
                continue
            for mark in THRESHOLDS:
                if mark not in bucket.fired and bucket.spent >= bucket.cap * mark - _EPSILON:
                    bucket.fired.add(mark)
                    events.append((period if scope is None else f"{scope} {period}", mark))
        return events

    def _refusal(
        self, scope: str | None, period: str, bucket: _Bucket, held: float, worst: float
    ) -> BudgetExceeded:
        cap = bucket.cap or 0.0
        name = period if scope is None else f"{scope} {period}"
        when = "today" if period == "daily" else "this month"
        text = f"{name} budget reached: {_usd(bucket.spent)} of {_usd(cap)} spent {when}"
        if scope is not None:
            text += f" on {scope}"
        if bucket.spent < cap:
            extra = f"{_usd(held)} is held by requests in flight and " if held > 0 else ""
            text += f" ({extra}this request could cost up to {_usd(worst)})"
        return BudgetExceeded(text, spent_usd=bucket.spent, cap_usd=cap, period=name)

    def _fire(self, events: list[tuple[str, float]]) -> None:
        """Run the threshold callback outside the lock (it may call back into the budget)."""
        if self._on_threshold is not None:
            for period, mark in events:
                self._on_threshold(period, mark)
