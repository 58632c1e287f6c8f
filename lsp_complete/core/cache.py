"""Completion caches (pure): exact answers by what the model saw, typing-through shown suggestions, and
keys to share identical in-flight requests.

Peers (shared/reference/peers.md): Copilot keys its cache by the *prefix* in a radix trie, requires an
identical suffix and serves "typing as suggested"; Tabby keys by hash(uri, prefix, suffix) with LRU 100;
Cody/llama.vim keep 250 keys. Continue's persistent cache rarely hits because it reads with the pruned
prefix but writes with the compiled prompt. Here every key is built by one function from the same texts
on both sides (``cache_key``), and typing-through is a separate structure that works on the raw text
before the cursor, so it also covers answers that were never cached (streamed, hedged, local).
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

from cachetools import LRUCache

from lsp_complete.core.types import ModelRequest

__all__ = [
    "CacheKey",
    "CompletionCache",
    "InflightKey",
    "TypingThrough",
    "cache_key",
    "digest",
    "request_key",
]

_ENTRY_OVERHEAD = 160  # bytes charged per entry for the key's strings and the bookkeeping


def digest(*parts: str) -> str:
    """A 128-bit hex digest of ``parts`` (length-prefixed, so ("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class CacheKey(NamedTuple):
    """What a model saw for one answer: document, model, pruned prefix and the suffix's first lines.

    ``variant`` separates answers to different questions about the same text (e.g. single- vs
    multi-line mode, prompt style); put there anything that changes the answer but not the texts.
    """

    doc_id: str
    model: str
    prefix_digest: str
    suffix_digest: str
    variant: str = ""


def cache_key(
    doc_id: str, model: str, pruned_prefix: str, suffix: str, suffix_lines: int = 10, variant: str = ""
) -> CacheKey:
    """The key of an answer for ``pruned_prefix`` and the first ``suffix_lines`` lines of ``suffix``.

    Only the suffix's first lines count: an edit far below the cursor hardly changes the answer, and
    ignoring it keeps the cache useful while the user works elsewhere in the file.
    """
    cut = -1
    for _ in range(max(1, suffix_lines)):
        cut = suffix.find("\n", cut + 1)
        if cut < 0:
            break
    head = suffix if cut < 0 else suffix[:cut]
    return CacheKey(doc_id, model, digest(pruned_prefix), digest(head), variant)


class CompletionCache:
    """An LRU of cleaned answers bounded by entry count and by approximate bytes.

    An empty string is a valid answer ("the model had nothing to add here") and is cached too; ``get``
    returns None only on a miss.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = 2_000_000) -> None:
        self.max_entries = max(1, max_entries)
        self._lru: LRUCache[CacheKey, str] = LRUCache(maxsize=max(1, max_bytes), getsizeof=self._size)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _size(completion: str) -> int:
        return len(completion.encode("utf-8", "surrogatepass")) + _ENTRY_OVERHEAD

    def __len__(self) -> int:
        return len(self._lru)

    @property
    def bytes(self) -> int:
        """The approximate bytes held."""
        return int(self._lru.currsize)

    @property
    def hit_rate(self) -> float | None:
        """Hits / lookups since creation, None before the first lookup."""
        total = self.hits + self.misses
        return self.hits / total if total else None

    def get(self, key: CacheKey) -> str | None:
        """The answer stored under ``key`` (and mark it recently used), or None."""
        found = self._lru.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: CacheKey, completion: str) -> None:
        """Store ``completion``; an answer larger than the whole byte budget is not stored."""
        if self._size(completion) > self._lru.maxsize:
            return
        self._lru[key] = completion
        while len(self._lru) > self.max_entries:
            self._lru.popitem()

    def forget(self, doc_id: str) -> None:
        """Drop every answer for a closed document."""
        for key in [k for k in self._lru if k.doc_id == doc_id]:
            del self._lru[key]

    def clear(self) -> None:
        """Drop everything (e.g. after the configuration changed models)."""
        self._lru.clear()


@dataclass(frozen=True, slots=True)
class _Shown:
    anchor: int  # len(text before the cursor) when the suggestion was shown
    tail: str  # the last characters of that text, to recognise the same place later
    suggestion: str


class TypingThrough:
    """Suggestions shown recently, per document, to serve the user typing what was suggested.

    Shown at text ``P`` with suggestion ``S``: when the text before the cursor becomes ``P + T`` and ``T``
    is a proper prefix of ``S``, the rest ``S[len(T):]`` is still the suggestion (Copilot's "typing as
    suggested"). Backspacing a little inside the same line (``P`` minus up to ``max_backspace`` characters,
    no newline deleted) offers the deleted characters plus ``S`` again. Each document keeps its
    ``per_doc`` newest entries, searched newest first, so backspacing to where an earlier suggestion was
    shown finds that one; places reached by typing on are preferred to places reached by backspacing.
    A place is recognised by the length of the text before the cursor and its last ``tail_chars``
    characters: storing every full prefix would keep megabytes per document, and an edit above the
    cursor changes the length and so misses.
    """

    def __init__(
        self, per_doc: int = 8, max_docs: int = 64, tail_chars: int = 2000, max_backspace: int = 32
    ) -> None:
        self.per_doc = max(1, per_doc)
        self.tail_chars = max(1, tail_chars)
        self.max_backspace = max(0, max_backspace)
        self._docs: LRUCache[str, deque[_Shown]] = LRUCache(maxsize=max(1, max_docs))

    def remember(self, doc_id: str, prefix_at_show: str, suggestion: str) -> None:
        """``suggestion`` was shown with ``prefix_at_show`` (all text before the cursor) in ``doc_id``."""
        if not suggestion:
            return
        entry = _Shown(len(prefix_at_show), prefix_at_show[-self.tail_chars :], suggestion)
        entries = self._docs.get(doc_id)
        if entries is None:
            entries = deque(maxlen=self.per_doc)
            self._docs[doc_id] = entries
        if entry in entries:
            entries.remove(entry)
        entries.appendleft(entry)

    def lookup(self, doc_id: str, prefix_now: str) -> str | None:
        """What is left to suggest at ``prefix_now`` (all text before the cursor), or None."""
        entries = self._docs.get(doc_id)
        if not entries:
            return None
        for match in (self._typed_on, self._backspaced):  # a place reached by typing wins
            for entry in entries:
                rest = match(entry, prefix_now)
                if rest:
                    return rest
        return None

    @staticmethod
    def _typed_on(entry: _Shown, prefix_now: str) -> str | None:
        anchor, tail = entry.anchor, entry.tail
        if len(prefix_now) < anchor or not prefix_now.startswith(tail, anchor - len(tail), anchor):
            return None
        typed = prefix_now[anchor:]
        if len(typed) < len(entry.suggestion) and entry.suggestion.startswith(typed):
            return entry.suggestion[len(typed) :]
        return None

    def _backspaced(self, entry: _Shown, prefix_now: str) -> str | None:
        n, anchor, tail = len(prefix_now), entry.anchor, entry.tail
        back = anchor - n
        if back <= 0:
            return None
        if back > self.max_backspace or back >= len(tail):
            return None  # too far back, or the place cannot be recognised
        kept, deleted = tail[:-back], tail[-back:]
        if "\n" in deleted or not prefix_now.startswith(kept, n - len(kept)):
            return None
        return deleted + entry.suggestion

    def forget(self, doc_id: str) -> None:
        """Drop the suggestions of a closed document."""
        self._docs.pop(doc_id, None)


class InflightKey(NamedTuple):
    """Identifies identical upstream requests, so the second can await the first one's answer."""

    provider: str
    model: str
    digest: str


def request_key(request: ModelRequest, provider: str = "") -> InflightKey:
    """The key of ``request`` sent to ``provider``: equal exactly when everything sent would be equal."""
    parts = [request.prompt, "\x00" if request.suffix is None else "\x01" + request.suffix]
    for message in request.messages:
        parts += (message.role, message.content)
    parts.append(f"{len(request.messages)}|{len(request.snippets)}")
    for snippet in request.snippets:
        parts += (snippet.path, snippet.text)
    parts.append(f"{request.max_tokens}|{request.temperature!r}|{len(request.stop)}")
    parts += request.stop
    return InflightKey(provider, request.model, digest(*parts))
