"""Cross-file context: the windows of other files most similar to the code around the cursor (pure).

Copilot's "similar files" (peers.md §2): sliding windows over recently used files, scored by the Jaccard
similarity of their identifier sets against the cursor's surroundings, one best window per file, top 4,
files under 10,000 characters; its "medium" preset uses 20-line windows and a 0.1 floor. Cody uses 50-line
windows. We take 20 lines with a stride of 10, 3 snippets and a 0.1 floor, and precompute each window's
identifier set once per file version (``ContextIndex.update``) with an inverted index from identifier to
windows, so ranking on a keystroke only walks the postings of the cursor's identifiers (about 2 ms for
20 files of 90 kB). No randomness anywhere: Continue shuffles its snippets on every request, which
changes the prompt's start between keystrokes and defeats in-flight reuse and providers' prefix caches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lsp_complete.core.types import ContextSnippet

__all__ = [
    "ContextIndex",
    "ScoredSnippet",
    "cursor_window",
    "fit_snippets",
    "identifiers",
    "rank_snippets",
]

_IDENT = re.compile(r"[^\W\d]\w*")
_STOP_WORDS = (
    "if else elif for while do return def class function fn func const let var import from as in is not "
    "and or true false none null nil undefined self this new public private protected static void int str "
    "string bool float double char long try except catch finally throw throws raise with pass break "
    "continue switch case default await async yield lambda end then package use mut pub struct type the "
    "to of a an it"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Keywords and very common words that make every window look alike; they are not counted."""


def identifiers(text: str) -> frozenset[str]:
    """The identifiers of ``text`` (Unicode letters/underscore then word characters), minus stop words."""
    return frozenset(word for word in _IDENT.findall(text) if word.lower() not in STOP_WORDS)


def cursor_window(prefix: str, suffix: str, before_lines: int = 20, after_lines: int = 5) -> str:
    """The code around the cursor to compare with: the last ``before_lines`` lines of ``prefix`` and the
    first ``after_lines`` of ``suffix`` (the cursor's own line counts on both sides)."""
    start = len(prefix)
    for _ in range(max(1, before_lines)):
        start = prefix.rfind("\n", 0, start)
        if start < 0:
            break
    end = -1
    for _ in range(max(1, after_lines)):
        end = suffix.find("\n", end + 1)
        if end < 0:
            break
    return prefix[start + 1 :] + (suffix if end < 0 else suffix[:end])


@dataclass(frozen=True, slots=True)
class ScoredSnippet:
    """A ranked window: ``lines`` [start_line, end_line) of ``path`` (0-based) with its similarity."""

    path: str
    text: str
    score: float
    recency: float
    start_line: int
    end_line: int

    def snippet(self) -> ContextSnippet:
        """The plain snippet for a prompt."""
        return ContextSnippet(self.path, self.text)


@dataclass(frozen=True, slots=True)
class _Window:
    start: int
    end: int
    ids: frozenset[str]


@dataclass(slots=True)
class _File:
    text: str
    lines: list[str]
    windows: tuple[_Window, ...]
    postings: dict[str, list[int]]  # identifier -> indexes of the windows that contain it
    recency: float

    def best(self, wanted: frozenset[str]) -> tuple[_Window, float] | None:
        """The window most similar to ``wanted`` (the earliest among equals) and its Jaccard score."""
        if not self.windows:
            return None
        shared = [0] * len(self.windows)
        for name in wanted:
            for index in self.postings.get(name, ()):
                shared[index] += 1
        top, top_score = self.windows[0], 0.0
        for window, inter in zip(self.windows, shared, strict=True):
            if inter:
                score = inter / (len(wanted) + len(window.ids) - inter)
                if score > top_score:
                    top, top_score = window, score
        return top, top_score


def _windows(lines: Sequence[str], size: int, stride: int) -> tuple[_Window, ...]:
    n = len(lines)
    starts = list(range(0, max(n - size, 0) + 1, stride))
    if starts[-1] + size < n:
        starts.append(n - size)
    out = (_Window(s, min(s + size, n), identifiers("\n".join(lines[s : s + size]))) for s in starts)
    return tuple(w for w in out if w.ids)


class ContextIndex:
    """Identifier sets of every window of the indexed files, recomputed only when a file's text changes.

    At most ``max_files`` files are kept (the least recently updated go first); files longer than
    ``max_file_chars`` are not indexed (generated or vendored code, and slow to window).
    """

    def __init__(
        self, window_lines: int = 20, stride: int = 10, max_files: int = 64, max_file_chars: int = 100_000
    ) -> None:
        self.window_lines = max(1, window_lines)
        self.stride = max(1, stride)
        self.max_files = max(1, max_files)
        self.max_file_chars = max_file_chars
        self._files: dict[str, _File] = {}

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, path: object) -> bool:
        return path in self._files

    def update(self, path: str, text: str, recency: float | None = None) -> None:
        """Index ``text`` as the content of ``path``; cheap when the text did not change.

        ``recency`` (larger = more recent, e.g. the time the file was last visited) breaks score ties;
        None keeps the previous value (0.0 for a new file).
        """
        old = self._files.pop(path, None)
        if len(text) > self.max_file_chars:
            return
        if old is not None and old.text == text:
            if recency is not None:
                old.recency = recency
            self._files[path] = old
            return
        lines = text.split("\n")
        windows = _windows(lines, self.window_lines, self.stride)
        postings: dict[str, list[int]] = {}
        for index, window in enumerate(windows):
            for name in window.ids:
                postings.setdefault(name, []).append(index)
        keep = recency if recency is not None else (old.recency if old is not None else 0.0)
        self._files[path] = _File(text, lines, windows, postings, keep)
        while len(self._files) > self.max_files:
            del self._files[next(iter(self._files))]

    def touch(self, path: str, recency: float) -> None:
        """The user visited ``path``: a newer recency for tie-breaks (no re-indexing)."""
        entry = self._files.get(path)
        if entry is not None:
            entry.recency = recency

    def remove(self, path: str) -> None:
        """Forget ``path`` (closed, deleted)."""
        self._files.pop(path, None)

    def rank_scored(
        self,
        cursor_window: str,
        max_snippets: int = 3,
        exclude_path: str | None = None,
        floor: float = 0.1,
    ) -> list[ScoredSnippet]:
        """The best window of each file other than ``exclude_path``, best first, at most ``max_snippets``.

        Score = Jaccard(identifiers(window), identifiers(cursor_window)); scores below ``floor`` are
        dropped. Within a file the earliest of equal windows wins; across files ties go to the more
        recent file, then to the smaller path, so the same inputs always give the same list.
        """
        wanted = identifiers(cursor_window)
        if not wanted or max_snippets <= 0:
            return []
        best: list[ScoredSnippet] = []
        for path, entry in self._files.items():
            if path == exclude_path:
                continue
            found = entry.best(wanted)
            if found is None:
                continue
            top, top_score = found
            if top_score >= floor:
                text = "\n".join(entry.lines[top.start : top.end]).rstrip()
                best.append(ScoredSnippet(path, text, top_score, entry.recency, top.start, top.end))
        best.sort(key=lambda s: (-s.score, -s.recency, s.path))
        return best[:max_snippets]

    def rank(
        self,
        cursor_window: str,
        max_snippets: int = 3,
        exclude_path: str | None = None,
        floor: float = 0.1,
    ) -> list[ContextSnippet]:
        """``rank_scored`` as plain snippets, best first."""
        return [s.snippet() for s in self.rank_scored(cursor_window, max_snippets, exclude_path, floor)]


def rank_snippets(
    cursor_window: str,
    candidates: Iterable[tuple[str, str, float]],
    max_snippets: int = 3,
    window_lines: int = 20,
    stride: int = 10,
    exclude_path: str | None = None,
    floor: float = 0.1,
) -> list[ContextSnippet]:
    """One-shot ranking of ``(path, text, recency)`` candidates (indexes them all; prefer a kept
    ``ContextIndex`` when ranking on every keystroke)."""
    index = ContextIndex(window_lines, stride, max_files=1 << 30, max_file_chars=1 << 62)
    for path, text, recency in candidates:
        index.update(path, text, recency)
    return index.rank(cursor_window, max_snippets, exclude_path, floor)


def fit_snippets(
    snippets: Sequence[ContextSnippet],
    count: Callable[[str], int],
    budget_tokens: int,
    max_count: int | None = None,
    overhead_tokens: int = 4,
) -> list[ContextSnippet]:
    """The snippets to put in the prompt, in prompt order.

    ``snippets`` come best first. They are taken greedily in that order while they fit in
    ``budget_tokens`` (each costs its text, its path header and ``overhead_tokens``; one that does not
    fit is skipped and smaller ones after it may still go in), at most ``max_count`` of them.

    The result is sorted by path (then start of text), not by score. Scores move a little with every
    keystroke while the chosen set mostly stays the same; ordered by path, an unchanged set renders
    byte-for-byte the same start of prompt, which keeps DeepSeek's and other providers' prefix caches
    hitting (cache-hit input costs about a quarter of a miss) and lets identical in-flight requests be
    shared. A set change only alters the prompt from the first differing path on.
    """
    chosen: list[ContextSnippet] = []
    left = budget_tokens
    for snippet in snippets:
        if max_count is not None and len(chosen) >= max_count:
            break
        cost = count(snippet.text) + count(snippet.path) + overhead_tokens
        if cost <= left:
            chosen.append(snippet)
            left -= cost
    return sorted(chosen, key=lambda s: (s.path, s.text))
