"""Table tests of reading code out of a model's answer."""

from __future__ import annotations

import pytest

from lsp_complete.core.answer import Unusable, code_of, replacement_for
from lsp_complete.core.blocks import Region, split_lines


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("```python\nx = 1\n```", "x = 1\n"),
        ("Here is the fixed code:\n\n```py\nx = 1\n```\n\nThis works because reasons.", "x = 1\n"),
        ("~~~\nx = 1\n~~~\n", "x = 1\n"),
        ("````\n```inner```\ncode()\n````", "```inner```\ncode()\n"),  # longer fence wins
        ("```\na\n```\ntext\n```\nlonger = 1\nmore = 2\n```", "longer = 1\nmore = 2\n"),  # largest block
        ("x = compute(1)\nreturn x\n", "x = compute(1)\nreturn x\n"),  # bare code
        (
            "Here is the corrected function:\ndef f(x):\n    return x + 1\nThis fixes the bug.\n",
            "def f(x):\n    return x + 1\n",
        ),  # prose around bare code
    ],
)
def test_code_of(answer: str, expected: str) -> None:
    assert code_of(answer) == expected


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("```python\n\n```", "empty code block"),
        ("```python\ndef f(x):\n    return", "cut off"),
        ("I cannot help with that request today.", "prose"),
        ("The function looks correct to me.\nNothing needs to change here at all.", "prose"),
    ],
)
def test_code_of_refuses(answer: str, reason: str) -> None:
    result = code_of(answer)
    assert isinstance(result, Unusable) and reason in result.message


DOC = split_lines("import os\n\nclass A:\n    def f(self):\n        return 1\n\nx = A()\n")
REGION = Region(3, 5)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("```python\n    def f(self):\n        return 2\n```", "    def f(self):\n        return 2\n"),
        ("```python\ndef f(self):\n    return 2\n```", "    def f(self):\n        return 2\n"),  # reindented
        (  # the whole file came back: only the region is kept
            "```python\nimport os\n\nclass A:\n    def f(self):\n        return 2\n\nx = A()\n```",
            "    def f(self):\n        return 2\n",
        ),
    ],
)
def test_replacement_for(answer: str, expected: str) -> None:
    assert replacement_for(answer, DOC, REGION) == expected


def test_replacement_identical_to_the_region_is_no_change() -> None:
    result = replacement_for("```\n    def f(self):\n        return 1\n```", DOC, REGION)
    assert isinstance(result, Unusable) and "no change" in result.message
