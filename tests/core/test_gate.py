"""Table for the request gate."""

from __future__ import annotations

import pytest

from lsp_complete.core.gate import worth_requesting


@pytest.mark.parametrize(
    ("text", "invoked", "expected"),
    [
        ("x = |", False, True),
        ("foo(|)", False, True),
        ("foo(|);", False, True),
        ("pri|nt(x)", False, False),
        ("x = |value", False, False),
        ("x = |value", True, True),
        ("|", False, True),
        ("a|\r\nb", False, True),
        ("call(|a, b)", False, False),
        ('s = "|"', False, True),
        ("if x|:", False, True),  # Copilot: closers then one of :{;,
        ("foo(|) {", False, True),
        ("foo(|)) + 1", False, False),  # code after the closers
        ("f(|)            ;", False, True),  # blanks do not count as characters right of the cursor
        ("f(|)]]]]]]]]]", False, False),  # more than 8 characters right of the cursor
        ("x = |  ", False, True),
        ("x = |# note", False, False),
        ("x = |a", False, False),
        ("x = |_a", False, False),
        ("x = |é", False, False),
        ("a|\nb = 1", False, True),  # only the cursor's line counts
    ],
)
def test_worth_requesting(text: str, invoked: bool, expected: bool) -> None:
    offset = text.index("|")
    assert worth_requesting(text.replace("|", ""), offset, invoked) is expected


def test_offset_past_the_end_counts_as_the_end() -> None:
    assert worth_requesting("x = ", 99, False) is True
