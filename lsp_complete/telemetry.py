"""Acceptance telemetry, local only: which suggestions were shown, displayed, accepted or partly accepted.

A suggestion is its id: shown several times (a cache answering again with the same suggestion), it still
counts once.

One row per event in the table ``suggestion_events`` of the ledger's SQLite file (``ledger.default_path``),
next to the ledger's ``requests`` table; created on open, WAL mode, one autocommitted insert per event, kept
90 days. Nothing is ever sent anywhere: ``lsp-complete usage`` reads it to report the acceptance rate and
the accepted characters per dollar.

Events: ``shown`` (the server returned the suggestion to the editor), ``displayed`` (the client says it
showed it: ``$/lspComplete/didShowCompletion``), ``accepted`` (the item's ``lspComplete.accepted`` command;
the whole text) and ``partial`` (``$/lspComplete/didPartiallyAcceptCompletion``: ``acceptedLength``
characters, clamped to the suggestion's length). Events for an id never shown are ignored.

Recording never raises and never blocks the caller (the event loop): events go through a queue to one
writer thread, which opens the file on the first event; a write that fails (unwritable directory, a lock
held past the busy timeout) is logged once and telemetry turns itself off for the session. Events still
queued when the process dies without a shutdown are lost (the ledger, which bills, writes synchronously).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EVENTS", "Acceptance", "Telemetry"]

logger = logging.getLogger(__name__)

EVENTS = ("shown", "displayed", "accepted", "partial")
RETENTION_DAYS = 90
_BUSY_TIMEOUT_S = 2.0  # another process writing the ledger holds the lock for a moment at most
_REMEMBERED = 4096  # shown suggestions whose acceptance can still be recorded
_Row = tuple[float, str, str, str, int, int]

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
FROM (SELECT completion_id, MIN(source) AS source, MIN(time) AS time, MAX(chars_shown) AS chars_shown
      FROM suggestion_events WHERE event = 'shown' GROUP BY completion_id) s
LEFT JOIN (SELECT completion_id, MAX(event = 'accepted') AS whole, MAX(chars_accepted) AS chars
           FROM suggestion_events WHERE event IN ('accepted', 'partial') GROUP BY completion_id) a
       ON a.completion_id = s.completion_id
LEFT JOIN (SELECT DISTINCT completion_id FROM suggestion_events WHERE event = 'displayed') d
       ON d.completion_id = s.completion_id
WHERE s.time >= ?
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
    """Records events from any thread without blocking it; reads (``summary``) see every event recorded.

    The editor-facing calls check the id against the suggestions shown in this process (kept in memory,
    the latest 4096) and queue the row; one writer thread, started on the first event, commits them in
    order. ``close`` (the server's shutdown) writes what is queued and stops the thread.
    """

    def __init__(
        self, path: Path | str, clock: Callable[[], float] = time.time, retention_days: int = RETENTION_DAYS
    ) -> None:
        self.path = Path(path)
        self._retention_days = retention_days
        self._clock = clock
        self._lock = threading.Lock()  # the connection
        self._db: sqlite3.Connection | None = None
        self._disabled = False
        self._shown: OrderedDict[str, tuple[str, int, set[str]]] = OrderedDict()
        self._queue: queue.SimpleQueue[_Row | threading.Event | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_guard = threading.Lock()

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
                cutoff = self._clock() - self._retention_days * 86400
                db.execute("DELETE FROM suggestion_events WHERE time < ?", (cutoff,))
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def shown(self, completion_id: str, source: str, chars: int) -> None:
        """The server returned this suggestion to the editor."""
        with self._writer_guard:
            known = self._shown.get(completion_id)  # shown again (e.g. from a cache): one suggestion
            self._shown[completion_id] = (source, chars, known[2] if known else set())
            self._shown.move_to_end(completion_id)
            while len(self._shown) > _REMEMBERED:
                self._shown.popitem(last=False)
        self._put((self._clock(), completion_id, "shown", source, chars, 0))

    def displayed(self, completion_id: str) -> bool:
        """The client showed it (recorded once per id); False when the id was never shown."""
        return self._follow_up(completion_id, "displayed", 0)

    def accepted(self, completion_id: str) -> bool:
        """The user took the whole suggestion (recorded once per id); False when the id was never shown."""
        return self._follow_up(completion_id, "accepted", None)

    def partially_accepted(self, completion_id: str, accepted_length: int) -> bool:
        """The user took the first ``accepted_length`` characters; False when the id was never shown."""
        return self._follow_up(completion_id, "partial", max(0, accepted_length))

    def _follow_up(self, completion_id: str, event: str, length: int | None) -> bool:
        with self._writer_guard:
            known = self._shown.get(completion_id)
            if known is None:
                logger.info("telemetry: %s for a suggestion never shown: %r", event, completion_id[:40])
                return False
            source, chars, done = known
            if event in done and event != "partial":
                return True  # already recorded: a client may send the command twice
            done.add(event)
        accepted = chars if length is None else min(chars, length)
        self._put((self._clock(), completion_id, event, source, chars, accepted))
        return True

    def _put(self, row: _Row) -> None:
        if self._disabled:
            return
        with self._writer_guard:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_all, name="lsp-complete-telemetry")
                self._writer.daemon = True
                self._writer.start()
        self._queue.put(row)

    def _write_all(self) -> None:
        while (item := self._queue.get()) is not None:
            if isinstance(item, threading.Event):
                item.set()
            elif not self._disabled:
                try:
                    with self._lock:
                        self._connect().execute(_INSERT, item)
                except (OSError, sqlite3.Error) as exc:
                    logger.error("acceptance telemetry is off: cannot write %s: %s", self.path, exc)
                    self._disabled = True

    def flush(self, timeout_s: float = 5.0) -> None:
        """Wait until every event recorded so far is written (or given up on)."""
        if self._writer is not None and self._writer.is_alive():
            done = threading.Event()
            self._queue.put(done)
            done.wait(timeout_s)

    def summary(self, since: float) -> list[Acceptance]:
        """Per source, the suggestions shown since ``since`` (Unix seconds) and what became of them."""
        self.flush()
        with self._lock:
            rows = self._connect().execute(_SUMMARY, (since,)).fetchall()
        return [Acceptance(str(r[0]), *(int(x or 0) for x in r[1:])) for r in rows]

    def completion_spend(self, since: float) -> dict[str, float]:
        """Known dollars of the ledger's completion requests since ``since``, by source as suggestions name
        it (``provider/model``, or ``local``); empty when the file has no ledger table yet."""
        self.flush()
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
        """Write what is queued, stop the writer and close the connection (a later event starts again)."""
        with self._writer_guard:
            writer, self._writer = self._writer, None
        if writer is not None:
            self._queue.put(None)
            writer.join(5.0)
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
