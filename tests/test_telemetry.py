"""Acceptance telemetry on a real SQLite file in a temp dir, next to a ledger written by ``ledger.Ledger``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lsp_complete import cli_acceptance, ledger, telemetry

NOW = 1_800_000_000.0


def spend(path: Path, provider: str, model: str, usd: float | None, task: str = "completion") -> None:
    with ledger.Ledger(path, clock=lambda: NOW) as book:
        book.record(
            ledger.LedgerEntry(
                NOW - 60, task, "fast", provider, model, 100, 0, 10, usd, False, 50.0, 90.0, "ok"
            )
        )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "lsp-complete" / "ledger.sqlite3"


def test_events_and_summary(path: Path) -> None:
    with telemetry.Telemetry(path, clock=lambda: NOW) as t:
        t.shown("a", "fake/coder", 10)
        t.shown("b", "fake/coder", 20)
        t.shown("c", "local", 8)
        assert t.accepted("a") and t.accepted("a")  # a second accept of the same item counts once
        assert t.displayed("b") and t.partially_accepted("b", 5) and t.partially_accepted("b", 50)
        assert not t.accepted("never-shown") and not t.partially_accepted("nope", 3)
        rows = {r.source: r for r in t.summary(NOW - 3600)}
        assert t.summary(NOW + 1) == []
    assert rows["fake/coder"] == telemetry.Acceptance(
        "fake/coder", 2, 1, 1, 2, 30, 10 + 20
    )  # 50 clamped to 20
    assert rows["local"] == telemetry.Acceptance("local", 1, 0, 0, 0, 8, 0)
    assert rows["fake/coder"].rate == 1.0 and rows["local"].rate == 0.0


def test_same_file_as_the_ledger_with_wal_and_retention(path: Path) -> None:
    spend(path, "fake", "coder", 0.01)
    with telemetry.Telemetry(path, clock=lambda: NOW - 91 * 86400) as old:
        old.shown("stale", "fake/coder", 5)
    with telemetry.Telemetry(path, clock=lambda: NOW) as t:
        t.shown("fresh", "fake/coder", 5)
        assert [r.shown for r in t.summary(0)] == [1]  # 90 days kept: the stale one went on open
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert tables == {"requests", "suggestion_events"}


def test_report_divides_accepted_characters_by_completion_spend(path: Path) -> None:
    spend(path, "fake", "coder", 0.002)
    spend(path, "fake", "coder", 0.5, task="explain")  # premium work is not completion spend
    spend(path, "mystery", "m", None)  # unknown price: not in the dollars
    with telemetry.Telemetry(path, clock=lambda: NOW) as t:
        for cid, source in (("a", "fake/coder"), ("b", "fake/coder"), ("c", "local"), ("d", "mystery/m")):
            t.shown(cid, source, 10)
            t.accepted(cid)
    body = cli_acceptance.report(path, NOW - 3600)
    assert body is not None
    by = {r["source"]: r for r in body["by_source"]}
    assert by["fake/coder"]["accepted_chars_per_usd"] == pytest.approx(20 / 0.002)
    assert by["local"]["accepted_chars_per_usd"] is None and by["mystery/m"]["completion_spend_usd"] == 0
    assert body["accepted_chars_per_usd"] == pytest.approx(40 / 0.002) and body["rate"] == 1.0
    text = cli_acceptance.table(body)
    assert "10,000" in text and "free" in text and "n/a" in text and "20,000" in text
    assert cli_acceptance.report(path, NOW + 1) is None


def test_an_unwritable_place_turns_telemetry_off_without_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    t = telemetry.Telemetry(blocker / "ledger.sqlite3")
    for cid in ("a", "b", "c"):
        t.shown(cid, "local", 3)  # never raises, never blocks
        t.accepted(cid)
    t.flush()
    t.close()
    errors = [r for r in caplog.records if r.name == "lsp_complete.telemetry" and r.levelname == "ERROR"]
    assert len(errors) == 1 and "telemetry is off" in errors[0].getMessage()
    with pytest.raises(OSError):
        t.open()


def test_a_suggestion_shown_twice_counts_once(path: Path) -> None:
    with telemetry.Telemetry(path, clock=lambda: NOW) as t:
        t.shown("a", "fake/coder", 10)
        t.shown("a", "fake/coder", 10)  # e.g. the cache answering again with the same suggestion
        assert t.accepted("a")
        t.shown("a", "fake/coder", 10)
        assert t.accepted("a")
        assert t.summary(0) == [telemetry.Acceptance("fake/coder", 1, 0, 1, 1, 10, 10)]
