"""The offline completer ``local``: predicts the rest of a line from text the user already has.

No network, no key, no model. Every indexed document is split into tokens (identifiers, numbers, single
punctuation characters and line breaks; a run of blank lines is one line break, other whitespace is
ignored). Each document keeps, for every token bigram, a chain of its occurrences (a dict from the bigram's
hash to its last occurrence plus an array linking each occurrence to the previous one).

At the cursor, the tokens before it (the current line and a few lines above, taken from the CURRENT text
the caller passes, never from the possibly stale index) are looked up by their last bigram; each occurrence
is extended backwards to see how many tokens match. The winner has the longest match, then is in the same
document, then is nearest to the cursor (same document) or in the most recently updated document. What
followed it up to the end of its line is proposed; after a line ending in ``:``/``{`` or on an empty line,
up to ``max_lines`` lines of the block are proposed, re-indented, stopping at a dedent or a blank line. When
the cursor is inside a word, the proposal continues that word. A proposal never repeats what is already
right of the cursor.

Costs (``benchmarks/bench_local.py``): ``update`` re-indexes one whole document (per-document
incrementality); ``complete`` examines a bounded number of occurrences. Not thread-safe: call all methods
from one thread, or under one lock.
"""

from __future__ import annotations

import itertools
import re
import sys
from array import array
from itertools import accumulate

__all__ = ["LocalIndex"]

_TOKEN_RE = re.compile(r"(\n(?![^\S\n]*\n)|[^\W\d]\w*|\d\w*|[^\w\s])")
_SPACE_RE = re.compile(r"\s*")
_MAX_MATCH = 16  # context tokens compared; a longer match does not change the choice much
_WINDOW_LINES = 4  # lines above the cursor's taken as context
_WINDOW_CHARS = 2000
_WALK_PER_DOC = 3000  # chain steps per document and query
_WALK_TOTAL = 8000  # chain steps per query over all documents
_EXTEND_TOTAL = 1000  # occurrences whose match length is measured, per query
_TRIES = 3  # ranked candidates turned into proposals before giving up
_REST_OK = re.compile(r"[\s)\]}>\"'`;:,]*")  # what may stand right of the cursor for a proposal
_CLOSERS = ")]}>\"'`"


_Cand = tuple[tuple[float, int, int, int], "_Doc", int, str]  # (rank key, doc, token index, partial)


class _Doc:
    """One indexed document: its text, tokens, token end offsets and bigram chains."""

    __slots__ = ("ends", "is_open", "last", "prev", "text", "toks")

    def __init__(self, text: str, is_open: bool) -> None:
        parts = _TOKEN_RE.split(text)
        self.text = text
        self.is_open = is_open
        self.toks: list[str] = list(map(sys.intern, parts[1::2]))
        self.ends = array("i", list(accumulate(map(len, parts)))[1::2])
        last: dict[int, int] = {}
        prev: list[int] = []
        get, push = last.get, prev.append
        for m, key in enumerate(map(hash, zip(self.toks, self.toks[1:], strict=False))):
            push(get(key, -1))  # occurrence m is the bigram toks[m], toks[m + 1]
            last[key] = m
        self.last = last
        self.prev = array("i", prev)


def _context(text: str, offset: int) -> list[str]:
    """Tokens of the cursor's line and a few lines above, up to the cursor (at most _MAX_MATCH + 1)."""
    floor = max(0, offset - _WINDOW_CHARS)
    start = offset
    for _ in range(_WINDOW_LINES):
        nl = text.rfind("\n", floor, start)
        if nl < 0:
            start = floor
            break
        start = nl
    toks = _TOKEN_RE.findall(text, start, offset)
    if start == floor and floor > 0 and text[start] != "\n":
        toks = toks[1:]  # the window cut a token
    return toks[-(_MAX_MATCH + 1) :]


def _match_len(toks: list[str], j: int, ctx: list[str]) -> int:
    """How many tokens ending at ``toks[j]`` equal the end of ``ctx``."""
    limit = min(len(ctx), j + 1, _MAX_MATCH)
    if toks[j + 1 - limit : j + 1] == ctx[-limit:]:
        return limit
    lo, hi = 0, limit - 1  # toks[j-lo+1..j] matches; toks[j-hi..j] does not (hi + 1 tokens)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if toks[j + 1 - mid : j + 1] == ctx[-mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class LocalIndex:
    """Documents indexed for the ``local`` completer, with a cap on the total indexed text.

    ``max_chars`` caps the sum of the indexed texts' lengths (characters, about bytes for code; default
    3 MB): past it the least recently updated documents that are not open are dropped first, then, if open
    documents alone still exceed it, the least recently updated open ones (never ``keep``, the document
    being updated). An index costs about 15 bytes of memory per character, so 200 open 1,000-line files
    (8 MB of text) would otherwise hold ~120 MB; the engine re-indexes a dropped document when it is
    completed. A document longer than ``max_doc_chars`` is not indexed (it can still be completed from the
    others).
    """

    def __init__(self, max_chars: int = 3_000_000, max_doc_chars: int = 2_000_000) -> None:
        self.max_chars = max_chars
        self.max_doc_chars = max_doc_chars
        self._docs: dict[str, _Doc] = {}  # insertion order = update order, oldest first
        self._size = 0

    @property
    def size_bytes(self) -> int:
        """Total length of the indexed texts (characters)."""
        return self._size

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def update(self, doc_id: str, text: str, *, is_open: bool | None = None) -> None:
        """Index ``text`` as the content of ``doc_id``, replacing what was indexed for it.

        The whole document is re-tokenized (incremental per document). ``is_open`` marks documents open in
        the editor, which eviction drops only after every closed one; None keeps the previous mark (False
        for a new document).
        """
        old = self._docs.pop(doc_id, None)
        if old is not None:
            self._size -= len(old.text)
        opened = (old is not None and old.is_open) if is_open is None else is_open
        if len(text) > self.max_doc_chars:
            return
        self._docs[doc_id] = _Doc(text, opened)
        self._size += len(text)
        self._evict(doc_id)

    def set_open(self, doc_id: str, is_open: bool) -> None:
        """Mark an indexed document open (evicted last) or closed (evicted first)."""
        doc = self._docs.get(doc_id)
        if doc is not None:
            doc.is_open = is_open
            self._evict(doc_id)

    def remove(self, doc_id: str) -> None:
        """Forget one document (no error when it is not indexed)."""
        old = self._docs.pop(doc_id, None)
        if old is not None:
            self._size -= len(old.text)

    def _evict(self, keep: str) -> None:
        closed = [d for d, doc in self._docs.items() if not doc.is_open and d != keep]
        opened = [d for d, doc in self._docs.items() if doc.is_open and d != keep]
        for doc_id in closed + opened:  # each list oldest first
            if self._size <= self.max_chars:
                return
            self.remove(doc_id)

    def complete(self, doc_id: str, text: str, offset: int, max_lines: int = 3) -> str | None:
        """The text to insert at ``offset`` of ``text`` (the current content of ``doc_id``), or None."""
        offset = min(max(offset, 0), len(text))
        line_start = text.rfind("\n", 0, offset) + 1
        eol = text.find("\n", offset)
        rest = text[offset : len(text) if eol < 0 else eol]
        if not _REST_OK.fullmatch(rest):
            return None  # the cursor is before a word: nothing sensible to insert
        before = text[line_start:offset]
        ctx = _context(text, offset)
        partial = ctx[-1] if before[-1:].isalnum() or before[-1:] == "_" else ""
        excluded = (line_start, _SPACE_RE.match(text, offset).end())  # type: ignore[union-attr]
        ranked = self._candidates(ctx, "", doc_id, excluded)
        if partial:
            ranked += self._candidates(ctx[:-1], partial, doc_id, excluded)
        ranked.sort(key=lambda c: c[0])
        after = excluded[1]
        tries = (c for c in ranked if _meaningful(c[1].toks, c[2], -c[0][0], c[3]))
        for _, doc, j, part in itertools.islice(tries, _TRIES):
            proposal = _proposal(doc, j, part, before, rest, max_lines)
            if proposal and not text.startswith(proposal.lstrip(), after):
                return proposal
        return None

    def _candidates(
        self, ctx: list[str], partial: str, doc_id: str, excluded: tuple[int, int]
    ) -> list[_Cand]:
        """Scored occurrences of the end of ``ctx`` (followed by a longer word starting with ``partial``)."""
        if len(ctx) < 2:
            return []
        key = hash((ctx[-2], ctx[-1]))
        third = ctx[-3] if len(ctx) >= 3 else None
        best = min(len(ctx), _MAX_MATCH)
        plen = len(partial)
        bonus = 0.5 if partial else 0.0  # the typed part of a word: less than a whole token
        found: list[_Cand] = []
        short: list[_Cand] = []  # matches of exactly two tokens, in preference order
        full = False
        walked = extended = 0
        current = self._docs.get(doc_id)
        order = [(doc_id, current)] if current is not None else []
        order += [(d, doc) for d, doc in reversed(list(self._docs.items())) if d != doc_id]
        for rank, (d, doc) in enumerate(order):
            toks, ends, prev, same = doc.toks, doc.ends, doc.prev, d == doc_id
            last_j = len(toks) - 1
            m = doc.last.get(key, -1)
            stop = walked + _WALK_PER_DOC
            while m >= 0 and walked < stop:
                j, m, walked = m + 1, prev[m], walked + 1
                if partial and not (j < last_j and len(w := toks[j + 1]) > plen and w.startswith(partial)):
                    continue
                if same and excluded[0] <= ends[j] <= excluded[1]:
                    continue
                near = abs(ends[j] - excluded[0]) if same else rank
                if third is not None and (j < 2 or toks[j - 2] != third):
                    if len(short) < _TRIES and toks[j - 1] == ctx[-2] and toks[j] == ctx[-1]:
                        short.append(((-2 - bonus, 0 if same else 1, near, j), doc, j, partial))
                    continue
                length = _match_len(toks, j, ctx)
                extended += 1
                if length >= 2:  # else a hash collision
                    found.append(((-length - bonus, 0 if same else 1, near, j), doc, j, partial))
                    full = full or length == best
            if full or walked >= _WALK_TOTAL or extended >= _EXTEND_TOTAL:
                break  # nothing later in the order can beat a full-length match found so far
        return found + short


def _meaningful(toks: list[str], j: int, length: float, partial: str) -> bool:
    """A match of a few punctuation tokens says little; require a word in it or a longer match."""
    if length >= 4 or len(partial) >= 2:
        return True
    return any(t[0].isalnum() or t[0] == "_" for t in toks[j + 1 - int(length) : j + 1])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _proposal(doc: _Doc, j: int, partial: str, before: str, rest: str, max_lines: int) -> str | None:
    """What followed the occurrence ending at token ``j``, fitted to the cursor's line."""
    text = doc.text
    if partial:
        start, head = doc.ends[j + 1], doc.toks[j + 1][len(partial) :]
    else:
        start, head = doc.ends[j], ""
    eol = text.find("\n", start)
    eol = len(text) if eol < 0 else eol
    first = head + text[start:eol]
    if before[-1:] in (" ", "\t"):
        first = first.lstrip(" \t")
    typed = before.strip()
    lines: list[str] = []
    if max_lines > 1 and not rest.strip() and not first.strip() and typed.endswith((":", "{")):
        src_indent = _indent(text[text.rfind("\n", 0, start) + 1 : eol])
        lines = _block(text, eol, src_indent, _indent(before), max_lines, deeper=True)
    elif max_lines > 1 and not rest.strip() and not typed and first.strip():
        src_indent = _indent(text[start:eol])
        base = _indent(before) if before else src_indent
        lines = _block(text, eol, src_indent, base, max_lines - 1, deeper=False)
    proposal = (first + "".join("\n" + line for line in lines)).rstrip()
    stop = rest.strip()
    if stop:
        cut = proposal.find(stop)
        if cut < 0 and stop[0] in _CLOSERS:
            cut = proposal.find(stop[0])
        proposal = proposal if cut < 0 else proposal[:cut].rstrip()
    return proposal if proposal.strip() else None


def _block(text: str, eol: int, src_indent: str, base: str, limit: int, deeper: bool) -> list[str]:
    """Up to ``limit`` lines after ``eol`` in the block (indented past / at least ``src_indent``)."""
    out: list[str] = []
    while len(out) < limit and eol < len(text):
        nxt = text.find("\n", eol + 1)
        nxt = len(text) if nxt < 0 else nxt
        line = text[eol + 1 : nxt]
        depth = len(_indent(line))
        if not line.strip() or depth < len(src_indent) or (deeper and depth == len(src_indent)):
            break
        rel = line[len(src_indent) :] if line.startswith(src_indent) else line.lstrip()
        out.append(base + rel.rstrip())
        eol = nxt
    return out
