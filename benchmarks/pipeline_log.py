"""What a pipeline-benchmark replay records: shown suggestions, keystrokes, upstream timings, the run log."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from benchmarks.pipeline_client import Call


@dataclass
class Shown:
    """Ghost text on screen: ``text`` replacing ``doc[start:end]``."""

    text: str
    start: int
    end: int
    command: dict[str, Any] | None
    at: float
    until: int = 0  # the user types through it until this many characters of the region are typed


@dataclass
class Keystroke:
    """One keystroke (or accept) and the request the editor sent after it."""

    sent: float
    call: Call
    version: int
    tail: str
    through: bool
    after_accept: bool = False
    fresh_answer: bool = False
    expect: str = ""  # typing-through: the rest of the suggestion still on screen


@dataclass
class Upstream:
    """Upstream request timings heard from the fake provider (index -> perf_counter times)."""

    received: dict[int, float] = field(default_factory=dict)
    ended: dict[int, float] = field(default_factory=dict)
    gone: dict[int, float] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None
    wake: asyncio.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, event: str, index: int, at: float) -> None:
        """The fake provider's observer hook (runs on its thread)."""
        with self.lock:
            getattr(self, event)[index] = at
        if self.loop is not None and self.wake is not None:
            self.loop.call_soon_threadsafe(self.wake.set)

    def active(self) -> int:
        """Upstream responses still in progress."""
        with self.lock:
            return len(self.received) - len(self.ended) - len(self.gone)


@dataclass
class RunLog:
    """Everything one replay observed."""

    name: str
    keystrokes: list[Keystroke] = field(default_factory=list)
    pauses: list[bool] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    after_accept_ms: list[float] = field(default_factory=list)
    new_latencies_ms: list[float] = field(default_factory=list)  # only suggestions that were new
    shown: int = 0
    right: int = 0  # suggestions shown that insert exactly the next text (or its next whole lines)
    wrong: list[str] = field(default_factory=list)  # suggestions shown that were not right
    pause_at: list[tuple[str, int, float]] = field(default_factory=list)  # (file, typed, pause ms)
    accepts: int = 0
    partial_accepts: int = 0
    accepted_chars: int = 0
    first_upstream: int = 0
    real_s: float = 0.0
