"""Table tests of minimal line edits and of rebasing them onto a newer document."""

from __future__ import annotations

import pytest

from lsp_complete.core.blocks import Region, split_lines
from lsp_complete.core.edits import LineEdit, apply, minimal_edits, rebase

DOC = "a\nb\nc\nd\ne\n"


@pytest.mark.parametrize(
    ("doc", "region", "new", "edits", "result"),
    [
        (DOC, Region(1, 4), "b\nC\nd\n", [LineEdit(2, 3, ("C\n",))], "a\nb\nC\nd\ne\n"),  # one line
        (DOC, Region(1, 4), "b\nc\nx\nd\n", [LineEdit(3, 3, ("x\n",))], "a\nb\nc\nx\nd\ne\n"),  # insert
        (DOC, Region(1, 4), "b\nd", [LineEdit(2, 3, ())], "a\nb\nd\ne\n"),  # delete; no final \n needed
        (DOC, Region(1, 4), "b\nc\nd\n", [], DOC),  # no change, no edit
        ("a\r\nb\r\n", Region(0, 2), "a\nB\n", [LineEdit(1, 2, ("B\r\n",))], "a\r\nB\r\n"),  # keeps CRLF
        ("a\nb", Region(0, 2), "a\nB\n", [LineEdit(1, 2, ("B",))], "a\nB"),  # no final newline kept
        ("a\nb\nc", Region(0, 3), "a\nb\n", [LineEdit(1, 3, ("b",))], "a\nb"),  # deleting the last line
        ("a\nb", Region(1, 2), "b\nc\n", [LineEdit(1, 2, ("b\n", "c"))], "a\nb\nc"),  # appending at the end
    ],
)
def test_minimal_edits(doc: str, region: Region, new: str, edits: list[LineEdit], result: str) -> None:
    lines = split_lines(doc)
    got = minimal_edits(lines, region, new)
    assert [(e.start, e.end, e.lines) for e in got] == [(e.start, e.end, e.lines) for e in edits]
    assert apply(lines, got) == result


OLD = "head\nx\ndef f():\n    return 1\n\ntail\n"
EDITS = [LineEdit(3, 4, ("    return 2\n",))]
REGION = Region(2, 4)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (OLD, EDITS),
        (
            "head\nnew\nnew\nx\ndef f():\n    return 1\n\ntail\n",
            [LineEdit(5, 6, ("    return 2\n",))],
        ),  # above
        ("x\ndef f():\n    return 1\n\ntail\n", [LineEdit(2, 3, ("    return 2\n",))]),  # deleted above
        ("head\nx\ndef f():\n    return 1\n\ntail\nmore\n", EDITS),  # below
        ("head\nX\ndef f():\n    return 1\n\ntail\n", EDITS),  # the line just above changed
        ("head\nx\ndef f():\n    return 1\nadded\n\ntail\n", EDITS),  # inserted right below
        ("head\nx\ndef f():\n    return 3\n\ntail\n", None),  # the region itself changed
        ("head\nx\ndef f():\n    pass\n    return 1\n\ntail\n", None),  # inserted inside it
        ("head\nx\n    return 1\n\ntail\n", None),  # part of it deleted
        ("", None),
    ],
)
def test_rebase(new: str, expected: list[LineEdit] | None) -> None:
    assert rebase(EDITS, REGION, OLD, new) == expected


def test_rebased_edit_applies_to_the_right_lines() -> None:
    new = "head\nimport os\nx\ndef f():\n    return 1\n\ntail\n"
    edits = rebase(EDITS, REGION, OLD, new)
    assert edits is not None
    assert apply(split_lines(new), edits) == "head\nimport os\nx\ndef f():\n    return 2\n\ntail\n"


def test_rebase_of_a_long_file_compares_only_the_changed_stretch() -> None:
    old = "".join(f"line {i}\n" for i in range(50_000))
    new = "top\n" + old
    edits = rebase([LineEdit(40_000, 40_001, ("x\n",))], Region(39_990, 40_010), old, new)
    assert edits == [LineEdit(40_001, 40_002, ("x\n",))]
