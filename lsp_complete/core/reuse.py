"""Deciding whether an earlier answer or an upstream request in flight still serves the cursor (pure).

An answer computed for text ``B | A`` (``B`` before the cursor, ``A`` after) still serves the document
``B + T | A`` when the user typed ``T`` on the same line and the answer starts with ``T``: the rest of the
answer is then the suggestion (Copilot's typing-as-suggested, Continue's generator reuse). Anything else
(an edit elsewhere, a deleted character, a newline) makes it stale: showing it would insert text meant
for another position.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_TYPED", "clip_around", "plausible", "rest_after_typing", "typed_since"]

MAX_TYPED = 64
"""An in-flight answer is waited for only while the user typed at most this many characters on."""


def typed_since(old_text: str, old_offset: int, new_text: str, new_offset: int | None = None) -> str | None:
    """The characters typed at the old cursor to turn ``old_text`` into ``new_text``, or None.

    ``new_offset`` (the new cursor) is checked when given; without it the typed text is whatever lies
    between the unchanged start and the unchanged end. None when anything else changed, the typed text
    holds a line break or is longer than ``MAX_TYPED``.
    """
    old_offset = min(max(old_offset, 0), len(old_text))
    after_len = len(old_text) - old_offset
    typed_len = len(new_text) - len(old_text)
    if typed_len < 0 or typed_len > MAX_TYPED:
        return None
    if new_offset is not None and new_offset != old_offset + typed_len:
        return None
    if not new_text.startswith(old_text[:old_offset]):
        return None
    if after_len and not new_text.endswith(old_text[old_offset:]):
        return None
    typed = new_text[old_offset : old_offset + typed_len]
    return None if "\n" in typed or "\r" in typed else typed


def rest_after_typing(answer: str, typed: str) -> str | None:
    """What is left of ``answer`` once ``typed`` has been typed, or None when it does not fit."""
    if len(answer) > len(typed) and answer.startswith(typed):
        return answer[len(typed) :]
    return None


def plausible(text: str) -> bool:
    """False for an answer that must never be shown: empty, whitespace only, or garbage (NULs, control
    characters, lone surrogates, replacement characters from a broken decoder)."""
    if not text.strip():
        return False
    bad = 0
    for ch in text:
        if ch in "\n\r\t":
            continue
        category = unicodedata.category(ch)
        if ch == "\ufffd" or category in ("Cc", "Cs"):
            bad += 1
    return bad == 0


def clip_around(text: str, offset: int, max_chars: int) -> tuple[str, str]:
    """The text before and after ``offset``, at most ``max_chars`` on each side.

    Cuts at a line break inside the window when there is one (so the prompt starts on a line), else
    mid-line: a 10 MB single-line file must not be counted or sent whole.
    """
    offset = min(max(offset, 0), len(text))
    start = max(0, offset - max_chars)
    before = text[start:offset]
    if start > 0 and "\n" in before:
        before = before[before.find("\n") + 1 :]
    end = min(len(text), offset + max_chars)
    after = text[offset:end]
    if end < len(text) and "\n" in after:
        after = after[: after.rfind("\n")]
    return before, after
