"""Whether a completion request is worth making at all (pure).

The peers' rules (shared/reference/peers.md): Copilot suggests mid-line only when the rest of the line
matches ``^\\s*[)>}\\]"'`]*\\s*[:{;,]?\\s*$`` (closers, then at most one ``:``/``{``/``;``/``,``); llama.vim
skips automatic requests when more than 8 characters are right of the cursor; nobody asks in the middle
of a word. An explicit request (the user invoked completion) always goes through.
"""

from __future__ import annotations

import re

__all__ = ["MAX_RIGHT_CHARS", "worth_requesting"]

_REST_OK = re.compile(r"\s*[)>}\]\"'`]*\s*[:{;,]?\s*")
MAX_RIGHT_CHARS = 8
"""At most this many non-blank characters right of the cursor (llama.vim's rule)."""


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def worth_requesting(text: str, offset: int, invoked: bool) -> bool:
    """False where a suggestion cannot help: mid-word, or before code that is not just closers.

    ``offset`` past the end of ``text`` counts as the end.
    """
    if invoked:
        return True
    offset = min(max(offset, 0), len(text))
    end = text.find("\n", offset)
    rest = text[offset : end if end >= 0 else len(text)].rstrip("\r")
    if rest and _is_word(rest[0]):
        return False  # mid-word or right before a word: nothing can be inserted there
    if sum(not ch.isspace() for ch in rest) > MAX_RIGHT_CHARS:
        return False
    return _REST_OK.fullmatch(rest) is not None
