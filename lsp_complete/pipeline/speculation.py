"""Speculative requests: once a suggestion is shown, ask for the one after it as if it were accepted
(Copilot's speculativeRequestCache), so accepting shows the next suggestion from memory.

It roughly doubles upstream requests for shown suggestions, so it is off by default
(``completion.speculative``) and, when on, only runs while today's spend is under half the daily cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SPEND_SHARE", "as_accepted", "budget_allows"]

SPEND_SHARE = 0.5
"""Speculate only while today's spend is below this share of the daily cap."""


def as_accepted(text: str, offset: int, shown: str) -> tuple[str, int]:
    """The document text and cursor after the user accepts ``shown`` at ``offset``."""
    return text[:offset] + shown + text[offset:], offset + len(shown)


def budget_allows(status: Mapping[str, Any] | None) -> bool:
    """Whether the router's ``status()`` (None when it has none) leaves room for a speculative call:
    not over budget and today's spend under ``SPEND_SHARE`` of the daily cap (no cap: allowed)."""
    if status is None:
        return True  # no budget information: the router's own guards still apply to every call
    if status.get("overBudget"):
        return False
    spent, cap = status.get("spentTodayUsd"), status.get("dailyCapUsd")
    if isinstance(spent, int | float) and isinstance(cap, int | float):
        return spent < cap * SPEND_SHARE
    return True
