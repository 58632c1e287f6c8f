"""Ledger: record and summarise, retention, threads, and durability under SIGKILL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from lsp_complete.ledger import Ledger, LedgerEntry, Outcome, default_path

NOW = datetime(2026, 12, 3, 15, 0).timestamp()
DAY = 86400.0


def entry(
    t: float = NOW,
    *,
    model: str = "deepseek-flash",
    tier: str = "fast",
    task: str = "completion",
    cost: float | None = 0.001,
    outcome: Outcome = "ok",
    tokens: tuple[int, int, int] = (1000, 600, 50),
    saved: float = 0.0,
) -> LedgerEntry:
    """An entry with sensible defaults."""
    provider = "anthropic" if model.startswith("claude") else "deepseek"
    return LedgerEntry(t, task, tier, provider, model, *tokens, cost, False, 120.0, 300.0, outcome, saved)


@pytest.mark.parametrize(
    ("path_env", "expected"),
    [
        ({"XDG_STATE_HOME": "/x/state", "HOME": "/h"}, "/x/state/lsp-complete/ledger.sqlite3"),
        ({"XDG_STATE_HOME": "relative", "HOME": "/h"}, "/h/.local/state/lsp-complete/ledger.sqlite3"),
        ({"HOME": "/h"}, "/h/.local/state/lsp-complete/ledger.sqlite3"),
    ],
)
def test_default_path(path_env: dict[str, str], expected: str) -> None:
    assert str(default_path(path_env)) == expected


@pytest.fixture
def book(tmp_path: Path) -> Ledger:
    ledger = Ledger(tmp_path / "state" / "ledger.sqlite3", clock=lambda: NOW)
    for e in (
        entry(NOW - 2 * DAY, cost=0.002),
        entry(
            NOW - DAY,
            model="claude-sonnet-4-6",
            tier="premium",
            task="explain",
            cost=0.05,
            tokens=(3000, 0, 400),
        ),
        entry(NOW - 60, cost=0.001),
        entry(NOW - 30, cost=None),  # unknown price
        entry(NOW - 10, cost=0.0, outcome="cache", tokens=(0, 0, 0), saved=0.001),
        entry(NOW - 5, cost=0.0, outcome="local", tokens=(0, 0, 0)),
    ):
        ledger.record(e)
    return ledger


@pytest.mark.parametrize(
    ("by", "keys", "requests", "dollars"),
    [
        ("model", ["anthropic/claude-sonnet-4-6", "deepseek/deepseek-flash"], [1, 5], [0.05, 0.003]),
        ("tier", ["fast", "premium"], [5, 1], [0.003, 0.05]),
        ("task", ["completion", "explain"], [5, 1], [0.003, 0.05]),
        ("day", ["2026-12-01", "2026-12-02", "2026-12-03"], [1, 1, 4], [0.002, 0.05, 0.001]),
    ],
)
def test_summary(book: Ledger, by: str, keys: list[str], requests: list[int], dollars: list[float]) -> None:
    rows = book.summary(NOW - 3 * DAY, by)  # type: ignore[arg-type]
    assert [r.key for r in rows] == keys
    assert [r.requests for r in rows] == requests
    assert [r.cost_usd for r in rows] == pytest.approx(dollars)


def test_summary_rates_unknown_and_saved(book: Ledger) -> None:
    (row,) = book.summary(NOW - 3600, "tier")
    assert (row.requests, row.unknown_cost, row.cache_hits) == (4, 1, 1)
    assert row.cache_hit_rate == 0.25
    assert row.prompt_cache_rate == pytest.approx(1200 / 2000)
    assert row.saved_usd == pytest.approx(0.001)
    assert book.summary(NOW + 1, "day") == []


def test_spent_since_and_daily_by_model(book: Ledger) -> None:
    assert book.spent_since(NOW - 3 * DAY) == pytest.approx(0.053)
    assert book.spent_since(NOW - 3 * DAY, tier="fast") == pytest.approx(0.003)
    assert book.spent_since(NOW - 3600) == pytest.approx(0.001)  # the unknown price counts 0 here
    daily = book.daily_by_model(NOW - 3 * DAY)
    assert [(d, m) for d, m, _ in daily] == [
        ("2026-12-01", "deepseek/deepseek-flash"),
        ("2026-12-02", "anthropic/claude-sonnet-4-6"),
        ("2026-12-03", "deepseek/deepseek-flash"),
    ]
    assert [usd for *_, usd in daily] == pytest.approx([0.002, 0.05, 0.001])


def test_charged_usd_counts_against_the_budget_not_the_cost(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as book:
        book.record(
            LedgerEntry(NOW, "fix", "premium", "x", "y", 10, 0, 10, None, True, None, 1.0, "ok", 0, 0.25)
        )
        assert book.spent_since(0) == 0.25
        assert book.summary(0, "model")[0].cost_usd == 0.0


@pytest.mark.parametrize(("retention", "kept"), [(90, 3), (30, 2), (None, 4)])
def test_retention_prunes_on_open(tmp_path: Path, retention: float | None, kept: int) -> None:
    path = tmp_path / "l.db"
    with Ledger(path, retention_days=None) as book:
        for age in (0, 10, 60, 200):
            book.record(entry(NOW - age * DAY))
    with Ledger(path, retention_days=retention, clock=lambda: NOW) as book:
        assert sum(r.requests for r in book.summary(0, "tier")) == kept


def test_rejects_an_unknown_outcome(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as book, pytest.raises(ValueError, match="outcome"):
        book.record(entry(outcome="maybe"))  # type: ignore[arg-type]


def test_wal_mode_and_threads(tmp_path: Path) -> None:
    book = Ledger(tmp_path / "l.db")
    start = threading.Barrier(8)
    ids: list[int] = []

    def writer() -> None:
        start.wait()
        mine = [book.record(entry(cost=0.001)) for _ in range(50)]
        ids.extend(mine)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 400
    assert book.spent_since(0) == pytest.approx(0.4)
    book.close()
    with closing(sqlite3.connect(tmp_path / "l.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITER = """
import sys
from lsp_complete.ledger import Ledger, LedgerEntry
book = Ledger(sys.argv[1])
i = 0
while True:
    i += 1
    e = LedgerEntry(1e9 + i, "completion", "fast", "p", "m", i, 0, 1, 1e-6, False, 1.0, 2.0, "ok")
    rid = book.record(e)
    sys.stdout.write(f"{rid}\\n")
    sys.stdout.flush()
"""


def test_killed_writer_loses_no_committed_entry(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    seen: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env, cwd=root
    ) as proc:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:  # blocks on the pipe: each line is an id already committed
                seen.append(int(line))
                if len(seen) == 300:
                    proc.send_signal(signal.SIGKILL)
                    break
            seen.extend(int(line) for line in proc.stdout if line.strip().isdigit())  # printed before death
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM requests")}
    assert len(seen) >= 300
    assert set(seen) <= stored
    with Ledger(path, retention_days=None) as book:  # and it opens and keeps working
        assert book.record(entry()) > max(seen)
