"""An incremental decoder for ``text/event-stream`` bodies.

Fed raw bytes split anywhere (inside a multibyte UTF-8 sequence, between the ``\\r`` and ``\\n`` of a CRLF),
it yields events as the WHATWG EventSource algorithm builds them: ``data:`` lines joined with ``\\n``, one
optional space after the colon stripped, ``:`` comment lines (keep-alives) ignored, ``\\r\\n``, ``\\r`` and
``\\n`` all ending a line, ``id`` remembered across events, unknown fields ignored.

One deliberate difference from the browser algorithm: ``flush()`` at end of input dispatches an event that
was still missing its closing blank line, since some servers end the body right after the last ``data:``
line; whether the stream was complete is the wire format's business (its terminator), not the decoder's.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["SSEDecoder", "SSEEvent"]

_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched server-sent event."""

    event: str = "message"
    data: str = ""
    id: str | None = None


class SSEDecoder:
    """Turns byte chunks into ``SSEEvent`` values; call ``feed`` per chunk and ``flush`` once at EOF."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._line_buf = ""
        self._skip_lf = False  # the last chunk ended in "\r": a "\n" opening the next one is the same EOL
        self._at_start = True  # a leading byte-order mark is dropped
        self._event = ""
        self._data: list[str] = []
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode one chunk; return the events it completed (often none, sometimes several)."""
        return self._feed_text(self._utf8.decode(chunk))

    def flush(self) -> list[SSEEvent]:
        """End of input: finish a partial line and dispatch a pending event that lacked its blank line."""
        events = self._feed_text(self._utf8.decode(b"", final=True))
        if self._line_buf:
            line, self._line_buf = self._line_buf, ""
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        pending = self._dispatch()
        if pending is not None:
            events.append(pending)
        return events

    def _feed_text(self, text: str) -> list[SSEEvent]:
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            text = text.removeprefix("\ufeff")
        if self._skip_lf:
            self._skip_lf = False
            text = text.removeprefix("\n")
        buf = self._line_buf + text
        events: list[SSEEvent] = []
        start = 0
        for match in _EOL.finditer(buf):
            event = self._process_line(buf[start : match.start()])
            if event is not None:
                events.append(event)
            start = match.end()
            if match.group() == "\r" and start == len(buf):
                self._skip_lf = True
        self._line_buf = buf[start:]
        return events

    def _process_line(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment: ": keep-alive", ": OPENROUTER PROCESSING", pings
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        # "retry" and unknown fields are ignored.
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = SSEEvent(event=self._event or "message", data="\n".join(self._data), id=self._last_id)
        self._event = ""
        self._data = []
        return event
