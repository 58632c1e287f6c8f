"""Golden table for the answer cleaner."""

from __future__ import annotations

import pytest

from lsp_complete.core import postprocess


@pytest.mark.parametrize(
    ("raw", "suffix", "max_lines", "finished", "expected"),
    [
        ("x + 1", "", 8, True, "x + 1"),
        ("   ", "", 8, True, ""),
        ("", ")", 8, True, ""),
        ("foo(bar)", ")", 8, True, "foo(bar"),
        ("foo(bar))", "))\n", 8, True, "foo(bar"),
        ("a = [1, 2]", "]", 8, True, "a = [1, 2"),
        ("name", "ing = 1", 8, True, "name"),
        ("a\nb\nc\nd", "", 2, True, "a\nb"),
        ("a\nb\nc", "", 8, False, "a\nb"),
        ("half a li", "", 8, False, ""),
        ("line one\r\nline two", "", 8, True, "line one\nline two"),
        ("x = 1   \n    y = 2  ", "", 8, True, "x = 1\n    y = 2"),
        ("return a\n\ndef g():\n    pass", "\n\ndef g():\n    pass", 8, True, "return a"),
        ("print('hi')", "')", 8, True, "print('hi"),
        ("value", "  # comment", 8, True, "value"),
    ],
)
def test_clean(raw: str, suffix: str, max_lines: int, finished: bool, expected: str) -> None:
    assert postprocess.clean(raw, suffix, max_lines, finished) == expected
