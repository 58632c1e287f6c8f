"""Typing sessions generated from real source files, for the pipeline benchmark (pure, seeded).

A session rewrites a few regions of real files: for each region (a run of whole lines) the document
starts with the region's lines replaced by one empty line, and the typist types the region back in.
The typist's model (all draws from one seeded ``random.Random``):

* keystroke intervals inside a burst: lognormal, median 120 ms (about 100 wpm), sigma 0.4, clipped to
  40-450 ms; a short hesitation (250-450 ms) after 15 % of words;
* thinking pauses of 500 ms or more (lognormal, median 1.1 s, clipped to 0.5-4 s) before 40 % of line
  ends and after 12 % of ``:``, ``(``, ``=`` and ``,``;
* typos on 3 % of letters (a neighbouring key, sometimes one more correct letter typed after it), noticed
  after 200-450 ms and backspaced; on 2 % of words the whole word is backspaced and retyped;
* Enter inserts the next line's indentation with it (auto-indent), and the first line's indentation is
  one keystroke (Tab).

Each ``Step`` is the state after one keystroke: ``typed`` correct characters of the region followed by
``junk`` (a typo not yet corrected), so a replay can skip ahead when the user accepts a suggestion.
"""

from __future__ import annotations

import itertools
import math
import random
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEIGHBOURS = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqxsrdfgujklnbpolatyicezuh", strict=True))
PAUSE_MIN_MS = 500.0


@dataclass(frozen=True)
class Step:
    """One keystroke: wait ``delay_ms`` (virtual time), then the region reads ``target[:typed] + junk``."""

    delay_ms: float
    typed: int
    junk: str = ""
    pause: bool = False


@dataclass(frozen=True)
class Segment:
    """One region of one file: ``truth[start:end]`` is typed into ``truth[:start] + truth[end:]``."""

    name: str
    truth: str
    start: int
    end: int
    steps: tuple[Step, ...]

    @property
    def target(self) -> str:
        """The text the typist means to type."""
        return self.truth[self.start : self.end]

    def document(self, region: str) -> str:
        """The document when the region reads ``region``."""
        return self.truth[: self.start] + region + self.truth[self.end :]


@dataclass(frozen=True)
class Trace:
    """A typing session over several files."""

    seed: int
    segments: tuple[Segment, ...]

    @property
    def virtual_s(self) -> float:
        """How long the typist takes to type everything with no help."""
        return sum(s.delay_ms for seg in self.segments for s in seg.steps) / 1000.0

    @property
    def keystrokes(self) -> int:
        """Keystrokes in the unassisted session."""
        return sum(len(seg.steps) for seg in self.segments)


def corpus(root: Path = ROOT, min_lines: int = 120, rev: str | None = None) -> dict[str, str]:
    """This repository's own ``lsp_complete/**/*.py`` with at least ``min_lines`` lines, by relative path.

    ``rev`` reads the files as they were at that git revision instead of the working tree, so traces
    stay the same while the code changes.
    """
    if rev is not None:
        listing = _git(root, "ls-tree", "-r", "--name-only", rev, "lsp_complete")
        names = sorted(n for n in listing.splitlines() if n.endswith(".py"))
        texts = {n: _git(root, "show", f"{rev}:{n}") for n in names}
    else:
        paths = sorted((root / "lsp_complete").rglob("*.py"))
        texts = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in paths}
    return {n: t for n, t in texts.items() if t.count("\n") >= min_lines}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def generate(texts: dict[str, str], seed: int, files: int, chars_per_file: int) -> Trace:
    """A session rewriting one region of ``files`` different files, about ``chars_per_file`` each."""
    rng = random.Random(seed)
    names = rng.sample(sorted(texts), min(files, len(texts)))
    segments = []
    for name in names:
        start, end = pick_region(texts[name], rng, chars_per_file)
        steps = type_region(texts[name][start:end], rng)
        segments.append(Segment(name, texts[name], start, end, tuple(steps)))
    return Trace(seed, tuple(segments))


def pick_region(text: str, rng: random.Random, chars: int) -> tuple[int, int]:
    """Offsets of a run of whole lines (without the last newline) of about ``chars`` characters of code."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    candidates = [i for i in range(8, len(lines) - 4) if lines[i].strip()]
    for _ in range(200):
        first = rng.choice(candidates)
        last = first
        while last + 1 < len(lines) - 2 and starts[last + 1] - starts[first] < chars:
            last += 1
        body = "\n".join(lines[first : last + 1])
        if len(body) >= chars // 2 and sum(c.isalpha() for c in body) > len(body) // 3:
            return starts[first], starts[first] + len(body)
    raise ValueError("no region found")


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return max(low, min(high, median * math.exp(sigma * rng.gauss(0.0, 1.0))))


def _key_ms(rng: random.Random) -> float:
    return _lognormal(rng, 120.0, 0.4, 40.0, 450.0)


def _pause_ms(rng: random.Random) -> float:
    return _lognormal(rng, 1100.0, 0.6, PAUSE_MIN_MS, 4000.0)


def _units(target: str) -> list[str]:
    """Keystroke units: one character, Enter plus the next line's indentation, or a leading indent."""
    units: list[str] = []
    i = 0
    while i < len(target):
        if target[i] == "\n" or (i == 0 and target[i] in " \t"):
            j = i + 1 if target[i] == "\n" else i
            while j < len(target) and target[j] in " \t":
                j += 1
            units.append(target[i:j])
            i = j
        else:
            units.append(target[i])
            i += 1
    return units


def type_region(target: str, rng: random.Random) -> list[Step]:
    """The keystrokes of typing ``target`` with bursts, pauses, typos and backspaces."""
    steps: list[Step] = []
    units = _units(target)
    offsets = [0]
    for u in units:
        offsets.append(offsets[-1] + len(u))
    retyped: set[int] = set()
    i = 0
    while i < len(units):
        unit, at = units[i], offsets[i]
        prev = target[at - 1] if at else ""
        delay = _key_ms(rng)
        pause = False
        if (unit.startswith("\n") and rng.random() < 0.40) or (prev in ":(=," and rng.random() < 0.12):
            delay, pause = _pause_ms(rng), True
        elif prev == " " and rng.random() < 0.15:
            delay = rng.uniform(250.0, 450.0)
        if unit.isalpha() and len(unit) == 1 and rng.random() < 0.03:
            steps += _typo(unit, at, target, rng, delay, pause)
            delay, pause = _key_ms(rng), False
        elif unit == " " and i not in retyped and rng.random() < 0.02:
            word = len(target[:at]) - len(target[:at].rstrip("abcdefghijklmnopqrstuvwxyz_"))
            if word >= 3:
                retyped.add(i)
                for back in range(1, word + 1):
                    steps.append(Step(_key_ms(rng) * 0.7, at - back))
                i = next(k for k in range(len(offsets)) if offsets[k] == at - word)
                continue
        steps.append(Step(delay, at + len(unit), "", pause))
        i += 1
    return steps


def _typo(unit: str, at: int, target: str, rng: random.Random, delay: float, pause: bool) -> list[Step]:
    """A wrong key (maybe followed by the next right one), noticed and backspaced."""
    wrong = NEIGHBOURS.get(unit.lower(), "x")
    steps = [Step(delay, at, wrong, pause)]
    junk = wrong
    nxt = target[at + 1 : at + 2]
    if nxt.isalpha() and rng.random() < 0.5:
        junk += nxt
        steps.append(Step(_key_ms(rng), at, junk))
    for k in range(len(junk)):
        wait = rng.uniform(200.0, 450.0) if k == 0 else _key_ms(rng) * 0.7
        steps.append(Step(wait, at, junk[: len(junk) - k - 1]))
    return steps


def summary(trace: Trace) -> dict[str, float]:
    """Counts that describe a trace (for the report and the smoke test)."""
    steps: Sequence[Step] = [s for seg in trace.segments for s in seg.steps]
    return {
        "files": len(trace.segments),
        "keystrokes": len(steps),
        "characters": sum(len(seg.target) for seg in trace.segments),
        "pauses_500ms": sum(1 for s in steps if s.delay_ms >= PAUSE_MIN_MS),
        "typos": sum(1 for a, b in itertools.pairwise(steps) if b.junk and not a.junk),
        "virtual_s": round(trace.virtual_s, 1),
    }
