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
    ],
)
def test_worth_requesting(text: str, invoked: bool, expected: bool) -> None:
    offset = text.index("|")
    assert worth_requesting(text.replace("|", ""), offset, invoked) is expected
