"""Cleaning a model's raw answer into text that can be inserted at the cursor (pure)."""

from __future__ import annotations

_CLOSERS = frozenset(")]}>\"'`;,")


def limit_lines(text: str, max_lines: int) -> str:
    """At most ``max_lines`` lines of ``text`` (the first line is the rest of the cursor's line)."""
    lines = text.split("\n")
    return "\n".join(lines[:max_lines]) if len(lines) > max_lines else text


def complete_part(text: str, finished: bool) -> str:
    """The usable part of a stream: all of it when it finished, else only whole lines.

    A stream that died mid-line leaves a line whose end is unknown; inserting half a line is worse than
    inserting nothing, except for the cursor's own line when nothing else arrived.
    """
    if finished or "\n" not in text:
        return text if finished else ""
    return text[: text.rindex("\n")]


def strip_suffix_overlap(text: str, suffix: str) -> str:
    """Drop the end of a single-line ``text`` that repeats the closers already right of the cursor.

    ``foo(bar)`` proposed before an existing ``)`` becomes ``foo(bar``; only closing characters are
    trimmed, so real code that happens to equal the suffix is not lost by accident.
    """
    rest_of_line = suffix.split("\n", 1)[0]
    closers = ""
    for ch in rest_of_line:
        if ch in _CLOSERS or ch.isspace():
            closers += ch
        else:
            break
    closers = closers.rstrip()
    if not closers:
        return text
    last_line = text.rsplit("\n", 1)[-1]
    for size in range(len(closers), 0, -1):
        if last_line.endswith(closers[:size]):
            return text[: len(text) - size]
    return text


def drop_repeated_suffix_lines(text: str, suffix: str) -> str:
    """Cut the answer where it starts repeating the first non-blank line after the cursor's line."""
    following = [line.strip() for line in suffix.split("\n")[1:] if line.strip()]
    if not following or "\n" not in text:
        return text
    anchor = following[0]
    lines = text.split("\n")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == anchor:
            return "\n".join(lines[:index]).rstrip()
    return text


def clean(raw: str, suffix: str, max_lines: int, finished: bool = True) -> str:
    """The whole cleaning pipeline; an empty string means there is nothing worth showing."""
    text = complete_part(raw.replace("\r\n", "\n"), finished)
    text = limit_lines(text, max_lines)
    text = drop_repeated_suffix_lines(text, suffix)
    text = "\n".join(line.rstrip() for line in text.split("\n")) if "\n" in text else text
    text = strip_suffix_overlap(text, suffix)
    return "" if not text.strip() else text
