"""Replaying a typing trace against the real server: a simulated editor (VS Code-like) and user.

The editor sends an incremental ``didChange`` and then an automatic ``textDocument/inlineCompletion``
for every keystroke, cancelling its previous request that has not been answered yet. A non-empty answer
for the current document version is shown as ghost text. While the user types the start of the shown
text, the editor keeps showing the rest (typing-through) until the server's next answer replaces it.

The user accepts the shown suggestion with Tab when it inserts exactly what they were about to type
(and keeps the text after the cursor intact), once it has been visible for ``REACTION_S`` and before
their next planned keystroke. Suggestions of fewer than 4 characters are typed through; otherwise, seeded
by where it first appeared, half are accepted at once, 30 % after typing through a part of them and 20 %
are typed through entirely. When only the first whole lines are right, they accept those lines (partial
accept). Accepting skips the trace ahead. The editor then runs the item's
``command`` and asks again at the new cursor.

Time is real, but pauses longer than ``COMPRESS_AFTER_S`` are cut short once the system is quiet (every
request answered, no upstream stream open): nothing can change while the user waits any longer, and the
virtual clock still counts the whole pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from pathlib import Path
from typing import Any

from benchmarks.pipeline_client import Call, Client, change, position
from benchmarks.pipeline_log import Keystroke, RunLog, Shown, Upstream
from benchmarks.pipeline_trace import PAUSE_MIN_MS, Segment, Step, Trace

REACTION_S = 0.2
COMPRESS_AFTER_S = 0.6
QUIET_S = 0.03
TAIL = 40


def _decide(*parts: object) -> float:
    """A uniform number in [0, 1) from ``parts`` (the same in every configuration)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def offset_at(text: str, pos: dict[str, int]) -> int:
    """The offset of an LSP position (UTF-16) in ``text``."""
    start = 0
    for _ in range(pos["line"]):
        start = text.index("\n", start) + 1
    end = text.find("\n", start)
    line = text[start : end if end >= 0 else len(text)]
    units, i = pos["character"], 0
    while units > 0 and i < len(line):
        units -= 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return start + i


class Replay:
    """One configuration's run of a trace."""

    def __init__(self, client: Client, upstream: Upstream, log: RunLog, tmp: Path) -> None:
        self.client, self.upstream, self.log, self.tmp = client, upstream, log, tmp
        self.wake = asyncio.Event()
        upstream.loop, upstream.wake = asyncio.get_running_loop(), self.wake
        client.on_response = self._on_response
        self.docs: dict[str, tuple[str, int]] = {}  # uri -> (text, version)
        self.shown: Shown | None = None
        self.latest: Keystroke | None = None
        self.uri = ""
        self.seg: Segment | None = None
        self.k = 0
        self.junk = ""
        self.last_action = 0.0

    def uri_of(self, seg: Segment) -> str:
        """The document URI of a segment's file."""
        return (self.tmp / "work" / seg.name).as_uri()

    def open_all(self, trace: Trace) -> None:
        """didOpen every file of the session, as an editor with these tabs open."""
        for seg in trace.segments:
            uri, text = self.uri_of(seg), seg.document("")
            self.docs[uri] = (text, 1)
            self.client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )

    async def run(self, trace: Trace) -> None:
        """Replay every segment."""
        started = time.perf_counter()
        for seg in trace.segments:
            self.seg, self.uri, self.k, self.junk, self.shown = seg, self.uri_of(seg), 0, "", None
            self.last_action = time.perf_counter()
            j = 0
            while j < len(seg.steps):
                step = seg.steps[j]
                accepted = await self._wait(step, counts_as_pause=j > 0)
                if accepted:
                    j = next(
                        (
                            i
                            for i in range(j, len(seg.steps))
                            if seg.steps[i].typed > self.k
                            or (seg.steps[i].typed == self.k and seg.steps[i].junk)
                        ),
                        len(seg.steps),
                    )
                    continue
                self._key(step)
                j += 1
            await self._settle(2.0)
        self.log.real_s = time.perf_counter() - started

    # Waiting ------------------------------------------------------------------------------------
    async def _wait(self, step: Step, counts_as_pause: bool) -> bool:
        """Wait out ``step.delay_ms`` (accepting a suggestion meanwhile); True when the user accepted."""
        deadline = self.last_action + step.delay_ms / 1000.0
        floor = self.last_action + COMPRESS_AFTER_S
        pause = counts_as_pause and step.delay_ms >= PAUSE_MIN_MS
        while True:
            now = time.perf_counter()
            wake_at = deadline
            accept = self._acceptable()
            if accept is not None:
                at = max(accept[2], self.last_action)
                if at <= deadline:
                    if now >= at:
                        if pause:
                            self.log.pauses.append(True)
                            self.log.pause_at.append(
                                (self.seg.name if self.seg else "", self.k, step.delay_ms)
                            )
                        self._accept(*accept[:2])
                        return True
                    wake_at = at
            if now >= deadline:
                break
            if (
                step.delay_ms / 1000.0 > COMPRESS_AFTER_S
                and now >= floor
                and accept is None
                and self._quiet()
            ):
                await asyncio.sleep(QUIET_S)
                if self._quiet():
                    break
                continue
            timeout = wake_at - now
            if step.delay_ms / 1000.0 > COMPRESS_AFTER_S:
                timeout = min(timeout, max(floor - now, QUIET_S))
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), max(timeout, 0.0005))
        if pause:
            self.log.pauses.append(self.shown is not None)
            self.log.pause_at.append((self.seg.name if self.seg else "", self.k, step.delay_ms))
        return False

    def _quiet(self) -> bool:
        latest = self.latest
        return (latest is None or latest.call.received is not None) and self.upstream.active() == 0

    async def _settle(self, limit: float) -> None:
        end = time.perf_counter() + limit
        while not self._quiet() and time.perf_counter() < end:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 0.05)

    # The user -----------------------------------------------------------------------------------
    def _acceptable(self) -> tuple[int, bool, float] | None:
        """(characters, whole?, when) if the user would accept the shown suggestion now or soon."""
        shown = self.shown
        usable = self._usable(shown)
        if shown is None or usable is None:
            return None
        m, whole = usable
        if whole and (m < 4 or self.k < shown.until):
            return None  # short, or the user is typing through it
        return m, whole, shown.at + REACTION_S

    def _usable(self, shown: Shown | None) -> tuple[int, bool] | None:
        """(characters, whole?) when ``shown`` inserts exactly what comes next (or its first whole lines)."""
        seg = self.seg
        if shown is None or seg is None or self.junk:
            return None
        text, _ = self.docs[self.uri]
        cursor = seg.start + self.k
        target = seg.target
        m = len(shown.text) - (shown.end - shown.start)
        if 0 < m <= len(target) - self.k:
            new = text[: shown.start] + shown.text + text[shown.end :]
            if new == seg.document(target[: self.k + m]):
                return m, True
        if shown.start != cursor or shown.end != cursor:
            return None
        good = 0
        rest = target[self.k :]
        while good < min(len(shown.text), len(rest)) and shown.text[good] == rest[good]:
            good += 1
        lines = shown.text[:good].rfind("\n") + 1
        if lines and len(shown.text[:lines].strip()) >= 4:
            return lines, False
        return None

    def _accept(self, m: int, whole: bool) -> None:
        shown, seg = self.shown, self.seg
        assert shown is not None and seg is not None
        text, version = self.docs[self.uri]
        if whole:
            new_text = text[: shown.start] + shown.text + text[shown.end :]
            edit = change(text, shown.start, shown.end, shown.text)
            self.log.accepts += 1
            if shown.command:
                self.client.request(
                    "workspace/executeCommand",
                    {
                        "command": shown.command.get("command"),
                        "arguments": shown.command.get("arguments") or [],
                    },
                )
        else:
            cursor = seg.start + self.k
            new_text = text[:cursor] + shown.text[:m] + text[cursor:]
            edit = change(text, cursor, cursor, shown.text[:m])
            self.log.partial_accepts += 1
        self.log.accepted_chars += m
        self.k += m
        self.shown = None
        self._send(new_text, version + 1, [edit], through=False)
        assert self.latest is not None
        self.latest.after_accept = True

    def _key(self, step: Step) -> None:
        seg = self.seg
        assert seg is not None
        text, version = self.docs[self.uri]
        old = seg.target[: self.k] + self.junk
        new = seg.target[: step.typed] + step.junk
        p = 0
        while p < min(len(old), len(new)) and old[p] == new[p]:
            p += 1
        start, end = seg.start + p, seg.start + len(old)
        inserted = new[p:]
        through = False
        shown = self.shown
        if (
            shown is not None
            and end == start == shown.start
            and inserted
            and len(inserted) < len(shown.text)
            and shown.text.startswith(inserted)
        ):
            through = True
            n = len(inserted)
            self.shown = Shown(
                shown.text[n:], shown.start + n, shown.end + n, shown.command, shown.at, shown.until
            )
        else:
            self.shown = None
        new_text = text[:start] + inserted + text[end:]
        self.k, self.junk = step.typed, step.junk
        self._send(new_text, version + 1, [change(text, start, end, inserted)], through)

    # The editor ---------------------------------------------------------------------------------
    def _send(self, new_text: str, version: int, edits: list[dict[str, Any]], through: bool) -> None:
        assert self.seg is not None
        self.docs[self.uri] = (new_text, version)
        if self.latest is not None:
            self.client.cancel(self.latest.call)
        self.client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": version}, "contentChanges": edits},
        )
        cursor = self.seg.start + self.k + len(self.junk)
        call = self.client.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": self.uri},
                "position": position(new_text, cursor),
                "context": {"triggerKind": 2},
            },
        )
        tail = new_text[max(0, cursor - TAIL) : cursor]
        self.latest = Keystroke(
            call.sent, call, version, tail, through, expect=self.shown.text if through and self.shown else ""
        )
        self.log.keystrokes.append(self.latest)
        self.last_action = call.sent

    def _on_response(self, call: Call) -> None:
        latest = self.latest
        self.wake.set()
        if latest is None or call is not latest.call or call.error is not None:
            return
        text, version = self.docs[self.uri]
        if version != latest.version:
            return
        items = call.result if isinstance(call.result, list) else (call.result or {}).get("items", [])
        if not items:
            self.shown = None
            return
        item = items[0]
        insert = item.get("insertText")
        insert = insert.get("value", "") if isinstance(insert, dict) else str(insert or "")
        cursor = self.seg.start + self.k + len(self.junk) if self.seg else 0
        rng = item.get("range")
        start = offset_at(text, rng["start"]) if rng else cursor
        end = offset_at(text, rng["end"]) if rng else cursor
        assert call.received is not None
        previous = self.shown
        latency = (call.received - latest.sent) * 1000.0
        if latest.through and previous is not None and insert[:1] == previous.text[:1]:
            # The same typing-through episode: the user has been looking at it since it first appeared.
            at, until = previous.at, previous.until
        else:
            r = _decide(self.seg.name if self.seg else "", self.k, "through")
            part = int((r - 0.5) / 0.3 * len(insert))
            at, until = call.received, self.k + (0 if r < 0.5 else len(insert) if r >= 0.8 else part)
            self.log.shown += 1
            self.log.new_latencies_ms.append(latency)
            if self._usable(Shown(insert, start, end, None, at)) is not None:
                self.log.right += 1
            elif self.seg is not None:
                expected = self.seg.target[self.k : self.k + 30]
                self.log.wrong.append(f"{latest.tail[-25:]!r} showed {insert[:40]!r}, next is {expected!r}")
            if latest.after_accept:
                self.log.after_accept_ms.append(latency)
        self.shown = Shown(insert, start, end, item.get("command"), at, until)
        latest.fresh_answer = True
        self.log.latencies_ms.append(latency)
