"""Tables for speculative requests."""

from __future__ import annotations

from typing import Any

import pytest

from lsp_complete.pipeline.speculation import as_accepted, budget_allows


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (None, True),
        ({"overBudget": False, "spentTodayUsd": 0.1, "dailyCapUsd": 1.0}, True),
        ({"overBudget": False, "spentTodayUsd": 0.5, "dailyCapUsd": 1.0}, False),
        ({"overBudget": True, "spentTodayUsd": 0.0, "dailyCapUsd": 1.0}, False),
        ({"overBudget": False, "spentTodayUsd": 3.0, "dailyCapUsd": None}, True),  # no cap
        ({}, True),
    ],
)
def test_budget_allows(status: dict[str, Any] | None, allowed: bool) -> None:
    assert budget_allows(status) is allowed


def test_as_accepted() -> None:
    assert as_accepted("x = )\n", 4, "f(1") == ("x = f(1)\n", 7)
