"""Acceptance telemetry, local only: which suggestions were shown, displayed, accepted or partly accepted.

One row per event in the table ``suggestion_events`` of the ledger's SQLite file (``ledger.default_path``),
next to the ledger's ``requests`` table; created on open, WAL mode, one autocommitted insert per event, kept
90 days. Nothing is ever sent anywhere: ``lsp-complete usage`` reads it to report the acceptance rate and
the accepted characters per dollar.

Events: ``shown`` (the server returned the suggestion to the editor), ``displayed`` (the client says it
showed it: ``$/lspComplete/didShowCompletion``), ``accepted`` (the item's ``lspComplete.accepted`` command;
the whole text) and ``partial`` (``$/lspComplete/didPartiallyAcceptCompletion``: ``acceptedLength``
characters, clamped to the suggestion's length). Events for an id never shown are ignored.

Recording never raises: the file is opened on the first event, a write that fails (unwritable directory,
another process holding the lock past the short busy timeout) is logged once and telemetry turns itself off
for the session; a suggestion is never delayed or lost over it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EVENTS", "Acceptance", "Telemetry"]

logger = logging.getLogger(__name__)

EVENTS = ("shown", "displayed", "accepted", "partial")
RETENTION_DAYS = 90
_BUSY_TIMEOUT_S = 0.25  # on the event loop: better drop an event than stall a keystroke

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS suggestion_events (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    completion_id TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN {EVENTS!r}),
    source TEXT NOT NULL,
    chars_shown INTEGER NOT NULL,
    chars_accepted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS suggestion_events_completion ON suggestion_events (completion_id);
CREATE INDEX IF NOT EXISTS suggestion_events_time ON suggestion_events (time);
"""
_INSERT = (
    "INSERT INTO suggestion_events (time, completion_id, event, source, chars_shown, chars_accepted)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_SUMMARY = """
SELECT s.source, COUNT(*), SUM(d.completion_id IS NOT NULL), SUM(COALESCE(a.whole, 0)),
       SUM(a.completion_id IS NOT NULL), SUM(s.chars_shown), SUM(COALESCE(a.chars, 0))
FROM suggestion_events s
LEFT JOIN (SELECT completion_id, MAX(event = 'accepted') AS whole, MAX(chars_accepted) AS chars
           FROM suggestion_events WHERE event IN ('accepted', 'partial') GROUP BY completion_id) a
       ON a.completion_id = s.completion_id
LEFT JOIN (SELECT DISTINCT completion_id FROM suggestion_events WHERE event = 'displayed') d
       ON d.completion_id = s.completion_id
WHERE s.event = 'shown' AND s.time >= ?
GROUP BY s.source ORDER BY s.source
"""


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Suggestions from one source since some time. ``accepted`` counts whole or partial acceptances."""

    source: str
    shown: int
    displayed: int
    accepted_whole: int
    accepted: int
    chars_shown: int
    chars_accepted: int

    @property
    def rate(self) -> float:
        """Accepted (wholly or partly) / shown; 0 when nothing was shown."""
        return self.accepted / self.shown if self.shown else 0.0


class Telemetry:
    """Writer and reader of ``suggestion_events``; thread-safe, opened lazily."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._disabled = False

    def open(self) -> sqlite3.Connection:
        """Open (creating the file and table) now; raises ``OSError``/``sqlite3.Error`` on failure."""
        with self._lock:
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
                cutoff = self._clock() - RETENTION_DAYS * 86400
                db.execute("DELETE FROM suggestion_events WHERE time < ?", (cutoff,))
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def shown(self, completion_id: str, source: str, chars: int) -> None:
        """The server returned this suggestion to the editor."""
        self._write(completion_id, "shown", source, chars, 0)

    def displayed(self, completion_id: str) -> bool:
        """The client showed it; False when the id is unknown."""
        return self._follow_up(completion_id, "displayed", None)

    def accepted(self, completion_id: str) -> bool:
        """The user took the whole suggestion (recorded once per id); False when the id is unknown."""
        return self._follow_up(completion_id, "accepted", None)

    def partially_accepted(self, completion_id: str, accepted_length: int) -> bool:
        """The user took the first ``accepted_length`` characters; False when the id is unknown."""
        return self._follow_up(completion_id, "partial", max(0, accepted_length))

    def _follow_up(self, completion_id: str, event: str, length: int | None) -> bool:
        with self._lock:
            if self._disabled:
                return False
            try:
                db = self._connect()
                row = db.execute(
                    "SELECT source, chars_shown FROM suggestion_events WHERE completion_id = ?"
                    " AND event = 'shown' ORDER BY id DESC LIMIT 1",
                    (completion_id,),
                ).fetchone()
                if row is None:
                    logger.info("telemetry: %s for a suggestion never shown: %r", event, completion_id[:40])
                    return False
                source, chars = str(row[0]), int(row[1])
                if (
                    event != "partial"
                    and db.execute(
                        "SELECT 1 FROM suggestion_events WHERE completion_id = ? AND event = ?",
                        (completion_id, event),
                    ).fetchone()
                ):
                    return True  # already recorded: a client may send the command twice
                accepted = chars if event == "accepted" else min(chars, length or 0)
                db.execute(_INSERT, (self._clock(), completion_id, event, source, chars, accepted))
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)
                return False
        return True

    def _write(self, completion_id: str, event: str, source: str, chars: int, accepted: int) -> None:
        with self._lock:
            if self._disabled:
                return
            try:
                self._connect().execute(
                    _INSERT, (self._clock(), completion_id, event, source, chars, accepted)
                )
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        logger.error("acceptance telemetry is off for this session: cannot write %s: %s", self.path, exc)
        self._disabled = True

    def summary(self, since: float) -> list[Acceptance]:
        """Per source, the suggestions shown since ``since`` (Unix seconds) and what became of them."""
        with self._lock:
            rows = self._connect().execute(_SUMMARY, (since,)).fetchall()
        return [Acceptance(str(r[0]), *(int(x or 0) for x in r[1:])) for r in rows]

    def completion_spend(self, since: float) -> dict[str, float]:
        """Known dollars of the ledger's completion requests since ``since``, by source as suggestions name
        it (``provider/model``, or ``local``); empty when the file has no ledger table yet."""
        sql = (
            "SELECT CASE WHEN provider = model THEN provider ELSE provider || '/' || model END, SUM(cost_usd)"
            " FROM requests WHERE task = 'completion' AND time >= ? AND cost_usd IS NOT NULL GROUP BY 1"
        )
        with self._lock:
            try:
                rows = self._connect().execute(sql, (since,)).fetchall()
            except sqlite3.OperationalError:  # no requests table: nothing was ever billed
                return {}
        return {str(k): float(v) for k, v in rows}

    def close(self) -> None:
        """Close the connection (a later event reopens it)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
