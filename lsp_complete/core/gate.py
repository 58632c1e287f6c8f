"""Whether a completion request is worth making at all (pure)."""

from __future__ import annotations

_CLOSERS = frozenset(")]}>\"'`;,:")


def worth_requesting(text: str, offset: int, invoked: bool) -> bool:
    """False where a suggestion cannot help: mid-word, or before code that is not just closers.

    Following the peers (Copilot, Continue): an explicit request (invoked) always goes through; otherwise
    the text right of the cursor on its line must be empty, whitespace or closing punctuation.
    """
    if invoked:
        return True
    end = text.find("\n", offset)
    rest = text[offset : end if end >= 0 else len(text)].rstrip("\r")
    if rest and (rest[0].isalnum() or rest[0] == "_"):
        return False
    return all(ch in _CLOSERS or ch.isspace() for ch in rest)
