"""Table tests of the code-action menu: which actions, their titles and estimated costs (no model call)."""

from __future__ import annotations

import pytest

from lsp_complete.actions.offers import offers, usd
from lsp_complete.config import ProviderConfig
from lsp_complete.core.action_prompt import Problem
from lsp_complete.core.blocks import split_lines

PREMIUM = ProviderConfig(name="anthropic", api="anthropic", base_url="http://127.0.0.1:1/v1")
LINES = split_lines("def f(x):\n    return x +\n\n\ny = 2\n")
TIERS = {
    "explain": ("premium", (PREMIUM, "m")),
    "fix": ("premium", (PREMIUM, "m")),
    "docstring": ("fast", (PREMIUM, "m")),
    "tests": ("fast", None),  # no chat model in that tier: not offered
}


def price(config: ProviderConfig, model: str, prompt: int, output: int) -> float | None:
    return (prompt * 3 + output * 15) / 1e6


@pytest.mark.parametrize(
    ("amount", "text"),
    [(None, "cost unknown"), (0.0, "free"), (0.0042, "~$0.004"), (0.00031, "~$0.0003"), (1.5, "~$1.500")],
)
def test_usd(amount: float | None, text: str) -> None:
    assert usd(amount) == text


@pytest.mark.parametrize(
    ("selection", "problems", "only", "expected"),
    [
        (((1, 0), (1, 0)), [Problem(1, "syntax")], None, ["Explain", "Fix", "Add docstring"]),
        (((1, 0), (1, 0)), [], None, ["Explain", "Add docstring"]),
        (((1, 0), (1, 0)), [Problem(4, "elsewhere")], None, ["Explain", "Add docstring"]),
        (((1, 0), (1, 0)), [Problem(1, "x")], ["quickfix"], ["Fix"]),
        (((1, 0), (1, 0)), [Problem(1, "x")], ["refactor"], ["Add docstring"]),
        (((5, 0), (5, 0)), [], None, []),  # end of file: nothing to act on
    ],
)
def test_offers(
    selection: tuple[tuple[int, int], tuple[int, int]],
    problems: list[Problem],
    only: list[str] | None,
    expected: list[str],
) -> None:
    got = offers(LINES, selection, problems, "/w/a.py", TIERS, price, 1024, only)
    assert [o.title.split(" with ")[0] for o in got] == expected


def test_title_shows_tier_and_estimate() -> None:
    (fix,) = offers(LINES, ((1, 0), (1, 0)), [Problem(1, "x")], "/w/a.py", TIERS, price, 1024, ["quickfix"])
    # 25 characters ~ 7 tokens; prompt 7 + 7 context + 250 framing at $3/M, answer 7 tokens at $15/M
    assert fix.title == "Fix with premium model (~$0.0009)"
    assert fix.kind == "quickfix" and fix.problems == (Problem(1, "x"),)
