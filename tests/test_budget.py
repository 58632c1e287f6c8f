"""Budget: reserve before sending, reconcile/release, rollover, thresholds, tier caps, concurrency."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import datetime
from pathlib import Path

import pytest

from lsp_complete.budget import Budget, period_starts
from lsp_complete.errors import BudgetExceeded
from lsp_complete.ledger import Ledger, LedgerEntry
from lsp_complete.presets import BudgetSettings


class Clock:
    """A settable wall clock (Unix seconds)."""

    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def set(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now


def entry(t: float, cost: float | None, tier: str = "premium") -> LedgerEntry:
    """A ledger entry for ``cost`` dollars at ``t``."""
    return LedgerEntry(
        t, "fix", tier, "anthropic", "claude-sonnet-4-6", 100, 0, 10, cost, False, 1.0, 2.0, "ok"
    )


def test_reserve_reconcile_release() -> None:
    budget = Budget(BudgetSettings(1.0, 10.0), clock=Clock(datetime(2026, 12, 3, 12)))
    first = budget.reserve("premium", 0.40)
    second = budget.reserve("premium", 0.40)
    assert budget.reserved() == pytest.approx(0.80)
    with pytest.raises(BudgetExceeded) as info:
        budget.reserve("premium", 0.40)  # 0 spent + 0.80 held + 0.40 > 1.00
    assert info.value.period == "daily" and info.value.cap_usd == 1.0 and info.value.spent_usd == 0.0
    assert "daily budget reached: $0.00 of $1.00 spent today" in str(info.value)
    assert "$0.80 is held by requests in flight" in str(info.value)
    assert budget.reconcile(first, 0.10) == 0.10
    budget.release(second)
    assert (budget.spent("daily"), budget.reserved()) == (pytest.approx(0.10), 0.0)
    assert budget.reconcile(first, 0.30) == 0.0  # settled twice: ignored
    budget.release(first)
    assert budget.spent("daily") == pytest.approx(0.10)
    assert budget.reserve("fast", 0.90).worst_case_usd == 0.90  # exactly fills the cap: allowed


def test_unknown_price_keeps_the_worst_case_as_spent() -> None:
    budget = Budget(BudgetSettings(1.0, None), clock=Clock(datetime(2026, 12, 3, 12)))
    assert budget.reconcile(budget.reserve("premium", 0.25), None) == 0.25
    assert budget.spent("daily") == 0.25
    assert budget.spent("monthly") == 0.25


@pytest.mark.parametrize(
    ("caps", "spent_before", "period", "message"),
    [
        (BudgetSettings(1.0, 10.0), 1.02, "daily", "daily budget reached: $1.02 of $1.00 spent today"),
        (
            BudgetSettings(None, 1.0),
            1.5,
            "monthly",
            "monthly budget reached: $1.50 of $1.00 spent this month",
        ),
        (BudgetSettings(0.0, None), 0.0, "daily", "daily budget reached: $0.00 of $0.00 spent today"),
    ],
)
def test_refusal_names_spend_cap_and_period(
    tmp_path: Path, caps: BudgetSettings, spent_before: float, period: str, message: str
) -> None:
    clock = Clock(datetime(2026, 12, 3, 12))
    with Ledger(tmp_path / "l.db") as book:
        book.record(entry(clock() - 60, spent_before))
        budget = Budget(caps, book, clock)
        with pytest.raises(BudgetExceeded) as info:
            budget.reserve("fast", 0.001)
    assert str(info.value).startswith(message)
    assert (info.value.period, info.value.spent_usd) == (period, pytest.approx(spent_before))


def test_free_requests_pass_a_zero_cap() -> None:
    budget = Budget(BudgetSettings(0.0, 0.0), clock=Clock(datetime(2026, 12, 3, 12)))
    budget.reconcile(budget.reserve("fast", 0.0), 0.0)
    with pytest.raises(ValueError):
        budget.reserve("fast", float("nan"))


def test_rollover_at_local_midnight_and_first_of_month() -> None:
    clock = Clock(datetime(2026, 11, 30, 23, 59))
    budget = Budget(BudgetSettings(1.0, 1.5), clock=clock)
    budget.reconcile(budget.reserve("premium", 0.9), 0.9)
    with pytest.raises(BudgetExceeded):
        budget.reserve("premium", 0.2)
    clock.set(datetime(2026, 12, 1, 0, 0))  # a new day and a new month
    assert (budget.spent("daily"), budget.spent("monthly")) == (0.0, 0.0)
    budget.reconcile(budget.reserve("premium", 0.9), 0.9)
    clock.set(datetime(2026, 12, 2, 0, 1))  # a new day, same month
    assert (budget.spent("daily"), budget.spent("monthly")) == (0.0, pytest.approx(0.9))
    with pytest.raises(BudgetExceeded, match=r"monthly budget reached: \$0.90 of \$1.50"):
        budget.reserve("premium", 0.7)


def test_period_starts_are_local() -> None:
    starts = period_starts(datetime(2026, 12, 3, 15, 30).timestamp())
    assert starts == {
        "daily": datetime(2026, 12, 3).timestamp(),
        "monthly": datetime(2026, 12, 1).timestamp(),
    }


def test_thresholds_fire_once_per_period() -> None:
    clock = Clock(datetime(2026, 12, 3, 12))
    fired: list[tuple[str, float]] = []
    budget = Budget(BudgetSettings(1.0, 100.0), clock=clock, on_threshold=lambda p, f: fired.append((p, f)))
    for amount in (0.5, 0.2, 0.15, 0.05, 0.1):  # 0.5, 0.7, 0.85 (80%), 0.9, 1.0 (100%)
        budget.reconcile(budget.reserve("premium", amount), amount)
    assert fired == [("daily", 0.8), ("daily", 1.0)]
    clock.set(datetime(2026, 12, 4, 9))
    budget.reconcile(budget.reserve("premium", 0.9), 0.9)
    assert fired[2:] == [("daily", 0.8)]  # again in the new day, once


def test_threshold_already_crossed_at_start_fires_once(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 3, 12))
    fired: list[tuple[str, float]] = []
    with Ledger(tmp_path / "l.db") as book:
        book.record(entry(clock() - 1, 8.5))
        Budget(BudgetSettings(None, 10.0), book, clock, on_threshold=lambda p, f: fired.append((p, f)))
    assert fired == [("monthly", 0.8)]


def test_tier_caps() -> None:
    budget = Budget(
        BudgetSettings(5.0, None), clock=Clock(datetime(2026, 12, 3, 12)), tier_caps={"premium": (0.5, None)}
    )
    budget.reconcile(budget.reserve("premium", 0.4), 0.4)
    with pytest.raises(BudgetExceeded) as info:
        budget.reserve("premium", 0.2)
    assert info.value.period == "premium daily"
    assert str(info.value).startswith("premium daily budget reached: $0.40 of $0.50 spent today on premium")
    budget.reconcile(budget.reserve("fast", 2.0), 2.0)  # other tiers only meet the global cap
    assert (budget.spent("daily"), budget.spent("daily", "premium")) == (pytest.approx(2.4), 0.4)


def test_ledger_spend_counts_and_is_recorded_once(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 3, 12))
    with Ledger(tmp_path / "l.db") as book:
        book.record(entry(clock() - 3600, 0.5))  # earlier today, e.g. another editor window
        book.record(entry(datetime(2026, 12, 2, 23).timestamp(), 9.0))  # yesterday: not today's
        budget = Budget(BudgetSettings(1.0, 100.0), book, clock, refresh_s=0)
        assert budget.spent("daily") == 0.5
        budget.reconcile(budget.reserve("premium", 0.2), 0.1, entry(clock(), 0.1))
        assert budget.spent("daily") == pytest.approx(0.6)  # after re-reading the ledger: not twice
        book.record(entry(clock(), 0.3))  # another process
        budget.refresh()
        assert budget.spent("daily") == pytest.approx(0.9)
        assert budget.spent("monthly") == pytest.approx(9.9)
        budget.reconcile(budget.reserve("premium", 0.05), None, entry(clock(), None))  # unknown price
        budget.refresh()
        assert budget.spent("daily") == pytest.approx(0.95)  # the worst case, also after a re-read


def test_a_ledger_that_fails_leaves_the_budget_counting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(datetime(2026, 12, 3, 12))
    book = Ledger(tmp_path / "l.db")
    book.record(entry(clock() - 60, 0.5))
    budget = Budget(BudgetSettings(1.0, 100.0), book, clock, refresh_s=0)
    book.close()  # every ledger call fails from now on
    budget.refresh()
    assert budget.spent("daily") == 0.5 and "could not read the spend" in caplog.text
    budget.reconcile(budget.reserve("premium", 0.4), 0.4, entry(clock(), 0.4))
    assert budget.spent("daily") == pytest.approx(0.9)  # counted in memory, not lost
    with pytest.raises(BudgetExceeded):
        budget.reserve("premium", 0.2)


WORST = 0.03
CAP = 1.0


def _exact_or_random(rng: random.Random, exact: bool) -> float:
    return WORST if exact else rng.uniform(0, WORST)


@pytest.mark.parametrize("exact", [True, False])
def test_fifty_threads_never_pass_the_cap(exact: bool) -> None:
    budget = Budget(BudgetSettings(CAP, None), clock=Clock(datetime(2026, 12, 3, 12)))
    start = threading.Barrier(50)
    charged: list[float] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        while True:
            try:
                reservation = budget.reserve("premium", WORST)
            except BudgetExceeded:
                return
            amount = budget.reconcile(reservation, _exact_or_random(rng, exact))
            with lock:
                charged.append(amount)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(charged) <= CAP + 1e-9
    assert budget.spent("daily") == pytest.approx(sum(charged))
    if exact:
        assert len(charged) == int(CAP / WORST)  # the cap was used, not just respected


@pytest.mark.parametrize("exact", [True, False])
async def test_fifty_asyncio_tasks_never_pass_the_cap(exact: bool) -> None:
    budget = Budget(BudgetSettings(CAP, None), clock=Clock(datetime(2026, 12, 3, 12)))
    charged: list[float] = []

    async def request(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            try:
                reservation = budget.reserve("premium", WORST)
            except BudgetExceeded:
                return
            await asyncio.sleep(0)  # the request is "in flight": other tasks reserve meanwhile
            charged.append(budget.reconcile(reservation, _exact_or_random(rng, exact)))

    await asyncio.gather(*(request(i) for i in range(50)))
    assert sum(charged) <= CAP + 1e-9
    assert budget.reserved() == 0.0
