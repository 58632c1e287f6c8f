"""Ledger retention: set only in the user's config file, applied when the ledger is opened (real SQLite)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lsp_complete import config
from lsp_complete.accounting import Accounts
from lsp_complete.ledger import Ledger, LedgerEntry

DAY = 86400.0


def _load(tmp_path: Path, toml: str, workspace: dict[str, object] | None = None) -> config.LoadResult:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return config.load({"LSP_COMPLETE_CONFIG": str(path)}, workspace=workspace)


@pytest.mark.parametrize(
    ("toml", "workspace", "days", "problem"),
    [
        ("", None, 90, None),
        ("[budget]\nretention_days = 30\n", None, 30, None),
        ("[budget]\nretention_days = 0\n", None, 90, "retention_days"),
        ("[budget]\nretention_days = 'x'\n", None, 90, "retention_days"),
        ("", {"budget": {"retention_days": 1}}, 90, "only your config file"),
        ("[budget]\nretention_days = 30\n", {"budget": {"retentionDays": 1}}, 30, "only your config file"),
    ],
)
def test_retention_comes_only_from_the_config_file(
    tmp_path: Path, toml: str, workspace: dict[str, object] | None, days: int, problem: str | None
) -> None:
    result = _load(tmp_path, toml, workspace)
    assert result.settings.budget.retention_days == days
    if problem is None:
        assert result.problems == ()
    else:
        assert any(problem in p for p in result.problems)


def _entry(at: float) -> LedgerEntry:
    return LedgerEntry(at, "completion", "fast", "p", "m", 10, 0, 2, 0.001, False, 50.0, 80.0, "ok")


def test_opening_the_ledger_drops_rows_older_than_the_retention(tmp_path: Path) -> None:
    now = time.time()
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path, retention_days=None) as book:
        for age_days in (40, 20, 1):
            book.record(_entry(now - age_days * DAY))
    settings = _load(tmp_path, "[budget]\nretention_days = 30\n").settings
    accounts = Accounts(settings, {}, ledger_path=path)
    book = accounts.ledger
    assert book is not None
    assert len(book.summary(now - 365 * DAY, by="day")) == 2  # the 40-day-old row is gone
    book.close()
