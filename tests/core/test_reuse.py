"""Tables for deciding whether an earlier answer still serves the cursor."""

from __future__ import annotations

import pytest

from lsp_complete.core.reuse import MAX_TYPED, clip_around, plausible, rest_after_typing, typed_since


def _split(marked: str) -> tuple[str, int]:
    return marked.replace("|", ""), marked.index("|")


@pytest.mark.parametrize(
    ("old", "new", "with_offset", "expected"),
    [
        ("x = |", "x = ab|", True, "ab"),
        ("x = |", "x = ab|", False, "ab"),
        ("x = |)", "x = ab|)", True, "ab"),
        ("x = |", "x = |", True, ""),
        ("x = |", "x = |", False, ""),
        ("x = |", "x = a|b", True, None),  # the cursor is not after the typed text
        ("x = |", "x =|", True, None),  # backspace
        ("x = |", "y = a|", True, None),  # an edit before the cursor
        ("x = |)\nz", "x = a|)\nw", True, None),  # an edit after the cursor
        ("a\nx = |", "# moved\na\nx = |", False, None),  # a line inserted above
        ("x = |", "x = \n|", True, None),  # a newline typed
        ("x = |", "x = \r|", True, None),
        ("|", "é漢😀|", True, "é漢😀"),
        ("|", "a" * (MAX_TYPED + 1) + "|", True, None),
        ("|tail", "a" * MAX_TYPED + "|tail", True, "a" * MAX_TYPED),
    ],
)
def test_typed_since(old: str, new: str, with_offset: bool, expected: str | None) -> None:
    old_text, old_offset = _split(old)
    new_text, new_offset = _split(new)
    assert typed_since(old_text, old_offset, new_text, new_offset if with_offset else None) == expected


def test_typed_since_clamps_an_offset_past_the_end() -> None:
    assert typed_since("x = ", 99, "x = a", 5) == "a"


@pytest.mark.parametrize(
    ("answer", "typed", "expected"),
    [
        ("lower()", "lo", "wer()"),
        ("lower()", "", "lower()"),
        ("lower()", "lower()", None),  # nothing left
        ("lower()", "up", None),
        ("lower()", "lower()x", None),
        ("", "", None),
    ],
)
def test_rest_after_typing(answer: str, typed: str, expected: str | None) -> None:
    assert rest_after_typing(answer, typed) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 1", True),
        ("if x:\n\treturn 1\r\n", True),
        ("名前 = '😀'", True),
        ("", False),
        ("  \n\t ", False),
        ("\x00abc", False),
        ("abc\x1b[0m", False),
        ("\ufffd\ufffd", False),
        ("a\ud800b", False),
    ],
)
def test_plausible(text: str, expected: bool) -> None:
    assert plausible(text) is expected


@pytest.mark.parametrize(
    ("text", "offset", "limit", "before", "after"),
    [
        ("abc|def", 3, 10, "abc", "def"),
        ("l1\nl2\nab|cd\nl4\nl5", 8, 100, "l1\nl2\nab", "cd\nl4\nl5"),
        ("l1\nl2\nab|cd\nl4\nl5", 8, 5, "ab", "cd"),  # cut at line breaks inside the window
        ("0123456789|abcdefghij", 10, 4, "6789", "abcd"),  # one long line: cut mid-line
        ("xy", 99, 5, "xy", ""),
    ],
)
def test_clip_around(text: str, offset: int, limit: int, before: str, after: str) -> None:
    plain = text.replace("|", "")
    assert clip_around(plain, offset, limit) == (before, after)
