"""An oracle model for the fake provider: it answers a FIM request with the file's true continuation.

The benchmark registers the true text of every file its typist is (re)writing. For a request, the
oracle finds the cursor by locating the end of the prompt in one of those texts, finds where the
request's suffix resumes, and answers the true middle in between, cut like a model would: the rest of
the line when the cursor is mid-line, else up to ``max_lines`` lines. With ``defect_rate`` > 0 some
answers carry one of the defects real models produce (see ``DEFECTS``), so the server's cleaning is
exercised too. An answer whose cursor cannot be located (the user has a typo pending) is the
continuation of the longest locatable shorter prefix, i.e. a wrong guess, as a model's would be.

Time to first token follows a lognormal distribution (default median 250 ms, p90 600 ms, capped at
2.5 s); text then streams at ``tokens_per_s``. Every random choice is seeded by the file and cursor, so
two server configurations replaying the same trace see the same latency and the same defects.

Use: ``FakeProvider(responder=oracle)``; ``oracle.answers[id(request)]`` says what was answered.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from tests.fake_provider.script import Reply, Request

#: duplicated closers, a markdown fence, a repeated last line, running on into the suffix, indent drift
DEFECTS = ("closers", "fence", "repeat", "overrun", "indent")
_CLOSERS = ")]}"
_TAILS = (400, 160, 60)
_Z90 = 1.2815515655446004


@dataclass(frozen=True)
class Timing:
    """Time to first token (lognormal by median and p90, capped) and streaming speed."""

    median_s: float = 0.25
    p90_s: float = 0.6
    max_s: float = 2.5
    tokens_per_s: float = 80.0
    chars_per_chunk: int = 14

    def ttft(self, rng: random.Random) -> float:
        """One draw of the time to first token, in seconds."""
        sigma = math.log(self.p90_s / self.median_s) / _Z90 if self.p90_s > self.median_s else 0.0
        return min(self.max_s, self.median_s * math.exp(sigma * rng.gauss(0.0, 1.0)))


@dataclass(frozen=True)
class Answer:
    """What the oracle answered one request with; ``cursor`` is None when it could not locate it."""

    name: str | None
    cursor: int | None
    text: str
    defect: str | None
    ttft_s: float


class Oracle:
    """A ``FakeProvider`` responder answering the true continuation of registered files."""

    def __init__(
        self,
        texts: Mapping[str, str] | None = None,
        *,
        timing: Timing | None = None,
        defect_rate: float = 0.0,
        max_lines: int = 4,
        seed: int = 0,
    ) -> None:
        self.texts: dict[str, str] = dict(texts or {})
        self.timing = timing or Timing()
        self.defect_rate = defect_rate
        self.max_lines = max_lines
        self.seed = seed
        self.answers: dict[int, Answer] = {}
        self._lock = threading.Lock()

    def add(self, name: str, text: str) -> None:
        """Register the true text of a file."""
        with self._lock:
            self.texts[name] = text

    def __call__(self, request: Request) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        prompt, suffix = str(body.get("prompt") or ""), str(body.get("suffix") or "")
        answer = self.answer(prompt, suffix)
        with self._lock:
            self.answers[id(request)] = answer
        t = self.timing
        chunks = max(1, math.ceil(len(answer.text) / t.chars_per_chunk))
        between = t.chars_per_chunk / 3.5 / t.tokens_per_s  # ~3.5 characters per token
        usage = {
            "prompt_tokens": max(1, (len(prompt) + len(suffix)) * 2 // 7),
            "completion_tokens": max(1, len(answer.text) * 2 // 7),
        }
        return Reply(
            text=answer.text,
            chunks=chunks,
            delay_before_s=answer.ttft_s,
            delay_between_s=between,
            usage=usage,
            usage_mode="last-chunk",
        )

    def answer(self, prompt: str, suffix: str) -> Answer:
        """The answer to a FIM request with this prompt (text before the cursor) and suffix."""
        found = self._locate(prompt)
        if found is None:
            rng = random.Random(f"{self.seed}:?:{prompt[-200:]}")
            return Answer(None, None, "pass", None, self.timing.ttft(rng))
        name, cursor, exact = found
        text = self.texts[name]
        rng = random.Random(f"{self.seed}:{name}:{cursor}:{exact}")
        ttft = self.timing.ttft(rng)
        end = _middle_end(text, cursor, suffix)
        middle = _cut(text, cursor, end, self.max_lines)
        defect = None
        if self.defect_rate > 0 and rng.random() < self.defect_rate:
            defect = DEFECTS[rng.randrange(len(DEFECTS))]
            middle = _inject(defect, middle, text, cursor, end, suffix)
        return Answer(name, cursor if exact else None, middle, defect, ttft)

    def _locate(self, prompt: str) -> tuple[str, int, bool] | None:
        """(file, cursor, exact) for the end of ``prompt``; inexact drops up to 3 trailing characters."""
        with self._lock:
            texts = dict(self.texts)
        for drop in range(4):
            head = prompt[: len(prompt) - drop]
            for size in _TAILS:
                tail = head[-size:]
                if len(tail) < min(size, 20):
                    continue
                hits = [(n, t.find(tail)) for n, t in texts.items() if tail in t]
                if len(hits) == 1 and texts[hits[0][0]].find(tail, hits[0][1] + 1) < 0:
                    name, at = hits[0]
                    return name, at + len(tail), drop == 0
        return None


def _middle_end(text: str, cursor: int, suffix: str) -> int:
    """Where the request's suffix resumes in the true text (the end of the true middle)."""
    head = suffix[:80]
    if len(suffix) < 80 and text.endswith(suffix):
        return len(text) - len(suffix)  # a short suffix is the end of the file (or nothing at all)
    at = text.find(head, cursor)
    return at if at >= 0 else min(len(text), cursor + 400)


def _cut(text: str, cursor: int, end: int, max_lines: int) -> str:
    """The rest of the line when mid-line (and it is not empty), else up to ``max_lines`` lines."""
    middle = text[cursor:end]
    line_start = text.rfind("\n", 0, cursor) + 1
    if text[line_start:cursor].strip():
        rest = middle.split("\n", 1)[0]
        if rest:
            return rest
    return "\n".join(middle.split("\n")[: max_lines + (1 if middle.startswith("\n") else 0)])


def _inject(defect: str, middle: str, text: str, cursor: int, end: int, suffix: str) -> str:
    if not middle.strip():
        return middle
    if defect == "closers":
        line = suffix.split("\n", 1)[0].strip()
        closers = line if line and all(c in _CLOSERS + ",:;" for c in line) else ")"
        return middle + closers
    if defect == "fence":
        return f"```python\n{middle}\n```"
    if defect == "repeat":
        last = middle.rstrip("\n").rsplit("\n", 1)[-1]
        return f"{middle}\n{last}\n{last}"
    if defect == "overrun":
        return text[cursor : min(len(text), end + 160)]
    lines = middle.split("\n")  # "indent": whitespace drift on every line after the first
    return "\n".join([lines[0], *(" " + ln if ln.strip() else ln for ln in lines[1:])])
