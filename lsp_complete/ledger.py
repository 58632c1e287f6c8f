"""The spending ledger: one SQLite row per upstream request (or cache/local answer), kept 90 days.

Where: ``$XDG_STATE_HOME/lsp-complete/ledger.sqlite3`` (``~/.local/state``). WAL mode, one transaction per
record, ``synchronous=NORMAL``: in WAL mode that never corrupts the file and a crashed or killed process
loses nothing (the commit is in the WAL, in the OS page cache); only a power cut or OS crash can roll back
the last few commits. That trade is right for accounting written on the typing path: a full fsync per
request would cost milliseconds, and the budget also keeps its own in-memory count while running.

Several servers (one per editor window) may share the file; SQLite's locking serializes their writes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

__all__ = ["OUTCOMES", "Ledger", "LedgerEntry", "Row", "default_path"]

OUTCOMES = ("ok", "cancelled", "error", "cache", "local")
Outcome = Literal["ok", "cancelled", "error", "cache", "local"]
GroupBy = Literal["day", "model", "tier", "task"]

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    task TEXT NOT NULL,
    tier TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL,
    cost_estimated INTEGER NOT NULL,
    ttft_ms REAL,
    latency_ms REAL NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN {OUTCOMES!r}),
    saved_usd REAL NOT NULL DEFAULT 0,
    charged_usd REAL
);
CREATE INDEX IF NOT EXISTS requests_time ON requests (time);
"""
_GROUP_SQL = {
    "day": "date(time, 'unixepoch', 'localtime')",
    "model": "provider || '/' || model",
    "tier": "tier",
    "task": "task",
}


def default_path(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_STATE_HOME/lsp-complete/ledger.sqlite3``, with ``~/.local/state`` as the XDG default."""
    state = env.get("XDG_STATE_HOME", "")
    if not state or not Path(state).is_absolute():  # the XDG spec says to ignore relative paths
        state = str(Path(env.get("HOME", "") or Path.home()) / ".local" / "state")
    return Path(state) / "lsp-complete" / "ledger.sqlite3"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One request. ``time`` in Unix seconds; ``cost_usd`` None = unknown price.

    ``saved_usd``: what a cache hit or a skipped request saved. ``charged_usd``: what counted against the
    budget when it differs from ``cost_usd`` (an unknown price is charged at its worst case); None = cost.
    """

    time: float
    task: str
    tier: str
    provider: str
    model: str
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_usd: float | None
    cost_estimated: bool
    ttft_ms: float | None
    latency_ms: float
    outcome: Outcome
    saved_usd: float = 0.0
    charged_usd: float | None = None


_COLUMNS = tuple(f.name for f in fields(LedgerEntry))
_INSERT = f"INSERT INTO requests ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a usage summary. ``cost_usd`` sums the known costs; ``unknown_cost`` counts the rest.

    ``cache_hit_rate``: share of requests answered from our cache. ``prompt_cache_rate``: share of input
    tokens the provider served from its prompt cache.
    """

    key: str
    requests: int
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_usd: float
    unknown_cost: int
    cache_hits: int
    saved_usd: float

    @property
    def cache_hit_rate(self) -> float:
        """Cache answers / requests (0 when there were none)."""
        return self.cache_hits / self.requests if self.requests else 0.0

    @property
    def prompt_cache_rate(self) -> float:
        """Cached input tokens / input tokens (0 when there were none)."""
        return self.cached_input_tokens / self.input_tokens if self.input_tokens else 0.0


class Ledger:
    """A thread-safe ledger: one connection guarded by a lock (SQLite serializes writers anyway)."""

    def __init__(
        self, path: Path | str, retention_days: float | None = 90, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._lock:
            self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
        if retention_days is not None:
            self.prune(retention_days, clock())

    def record(self, entry: LedgerEntry) -> int:
        """Commit one entry in its own transaction; returns its id."""
        if entry.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {entry.outcome!r}")
        with self._lock:
            row = tuple(getattr(entry, name) for name in _COLUMNS)  # astuple deep-copies: 3x slower
            cursor = self._db.execute(_INSERT, row)  # autocommit: one transaction
        return int(cursor.lastrowid or 0)

    def spent_since(self, since: float, tier: str | None = None) -> float:
        """Dollars charged since ``since`` (Unix seconds), optionally for one tier; unknown costs count 0."""
        sql = "SELECT COALESCE(SUM(COALESCE(charged_usd, cost_usd, 0)), 0) FROM requests WHERE time >= ?"
        args: tuple[object, ...] = (since,)
        if tier is not None:
            sql, args = sql + " AND tier = ?", (since, tier)
        with self._lock:
            return float(self._db.execute(sql, args).fetchone()[0])

    def summary(self, since: float, by: GroupBy = "day", until: float | None = None) -> list[Row]:
        """Totals per day (local dates), ``provider/model``, tier or task since ``since``, sorted by key."""
        group = _GROUP_SQL[by]
        sql = (
            f"SELECT {group} AS k, COUNT(*), SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens),"
            " COALESCE(SUM(cost_usd), 0), SUM(cost_usd IS NULL AND outcome NOT IN ('cache', 'local')),"
            " SUM(outcome = 'cache'), SUM(saved_usd)"
            " FROM requests WHERE time >= ? AND time < ? GROUP BY k ORDER BY k"
        )
        with self._lock:
            rows = self._db.execute(sql, (since, float("inf") if until is None else until)).fetchall()
        return [
            Row(str(k), int(n), int(i), int(ci), int(o), float(c), int(u), int(h), float(s))
            for k, n, i, ci, o, c, u, h, s in rows
        ]

    def daily_by_model(self, since: float) -> list[tuple[str, str, float]]:
        """``(local date, provider/model, dollars)`` for each day and model with known spend."""
        sql = (
            f"SELECT {_GROUP_SQL['day']} AS d, {_GROUP_SQL['model']} AS m, SUM(cost_usd) FROM requests"
            " WHERE time >= ? AND cost_usd > 0 GROUP BY d, m ORDER BY d, m"
        )
        with self._lock:
            return [(str(d), str(m), float(v)) for d, m, v in self._db.execute(sql, (since,))]

    def prune(self, older_than_days: float, now: float | None = None) -> int:
        """Delete entries older than ``older_than_days``; returns how many went."""
        cutoff = (time.time() if now is None else now) - older_than_days * 86400
        with self._lock:
            return self._db.execute("DELETE FROM requests WHERE time < ?", (cutoff,)).rowcount

    def close(self) -> None:
        """Close the connection (further calls fail)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
