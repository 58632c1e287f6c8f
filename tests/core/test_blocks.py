"""Table tests of the lines a code action works on."""

from __future__ import annotations

import pytest

from lsp_complete.core.blocks import Region, context_around, enclosing_block, fit, selection, split_lines

PY = """import os


@cache
def load(path):
    if path:
        return open(path).read()

    return None


class Store:
    def get(self, key):
        return self.data[key]

    def put(self, key, value):
        self.data[key] = value
"""

JS = """const x = 1;

function add(a, b) {
  const s = a + b;
  return s;
}

export const mul = (a, b) => {
  return a * b;
};
"""


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (PY, 5, Region(3, 9)),  # inside load: decorator included, inner blank line kept, trailing blank not
        (PY, 4, Region(3, 9)),  # on the def line
        (PY, 3, Region(3, 9)),  # on the decorator
        (PY, 7, Region(3, 9)),  # blank line inside the function
        (PY, 13, Region(12, 14)),  # a method, not the whole class
        (PY, 11, Region(11, 17)),  # the class line: the whole class
        (PY, 0, Region(0, 1)),  # top-level statement: its paragraph
        (JS, 3, Region(2, 6)),  # brace function with its closing line
        (JS, 8, Region(7, 10)),  # arrow function assigned to a const
        (JS, 0, Region(0, 1)),
        ("x = 1\n\n\n", 2, Region(0, 1)),  # blank end of file: the code above
        ("\n\n", 1, None),  # nothing but blank lines
        ("", 0, None),
    ],
)
def test_enclosing_block(text: str, line: int, expected: Region | None) -> None:
    assert enclosing_block(split_lines(text), line) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((1, 2), (3, 4), Region(1, 4)),
        ((3, 4), (1, 2), Region(1, 4)),  # reversed
        ((1, 0), (3, 0), Region(1, 3)),  # an end at column 0 does not take that line
        ((2, 0), (2, 0), Region(2, 3)),  # empty selection: its line
        ((4, 0), (4, 0), None),  # end of file
        ((9, 0), (12, 0), None),  # past the end
        ((1, 0), (40, 0), Region(1, 4)),  # clamped
    ],
)
def test_selection(start: tuple[int, int], end: tuple[int, int], expected: Region | None) -> None:
    assert selection(split_lines("a\nb\nc\nd\n"), start, end) == expected


def test_selection_of_blank_lines_is_none() -> None:
    assert selection(split_lines("a\n\n  \nb\n"), (1, 0), (2, 2)) is None


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a\r\nb\rc\nd", ["a\r\n", "b\r", "c\n", "d"]), ("a\u2028b\n", ["a\u2028b\n"]), ("", [])],
)
def test_split_lines_only_at_lsp_line_ends(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert "".join(split_lines(text)) == text


def test_fit_keeps_the_budget_around_the_focus_and_counts_only_what_it_keeps() -> None:
    lines = [f"line {i}\n" for i in range(50_000)]
    counted: list[str] = []

    def count(text: str) -> int:
        counted.append(text)
        return 2

    region = fit(lines, Region(0, 50_000), 25_000, count, 100)
    assert len(region) == 50 and region.start <= 25_000 < region.end
    assert len(counted) < 60


@pytest.mark.parametrize(
    ("region", "focus", "budget", "expected"),
    [
        (Region(0, 10), 0, 100, Region(0, 10)),  # fits whole
        (Region(0, 10), 0, 3, Region(0, 3)),  # from the top down
        (Region(0, 10), 9, 3, Region(7, 10)),  # from the bottom up
        (Region(2, 8), 5, 2, Region(5, 7)),  # below first, then above
        (Region(0, 10), 4, 0, Region(4, 5)),  # at least one line
        (Region(0, 10), 99, 1, Region(9, 10)),  # focus clamped
    ],
)
def test_fit(region: Region, focus: int, budget: int, expected: Region) -> None:
    lines = [f"{i}\n" for i in range(10)]
    assert fit(lines, region, focus, lambda _: 1, budget) == expected


def test_context_around_splits_the_budget() -> None:
    lines = [f"{i}\n" for i in range(20)]
    assert context_around(lines, Region(5, 10), lambda _: 1, 6) == (Region(2, 5), Region(10, 13))
    assert context_around(lines, Region(0, 20), lambda _: 1, 6) == (Region(0, 0), Region(20, 20))
