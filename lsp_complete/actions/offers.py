"""The code-action menu: which actions apply, their titles with tier and estimated cost. No model call.

The estimate is the list price of the prompt the action would send (a character count of the region plus
the context budget; no tokenizer on this path) and of a typical answer, from the first chat model of the
action's tier: what the user would most likely pay, not the worst case the budget holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lsp_complete.actions.plan import CONTEXT_TOKENS, REGION_TOKENS, Range, region_of
from lsp_complete.config import ProviderConfig
from lsp_complete.core import action_prompt
from lsp_complete.core.action_prompt import Problem

VERB = {"explain": "Explain", "fix": "Fix", "docstring": "Add docstring", "tests": "Write tests"}
KIND = {"explain": "", "fix": "quickfix", "docstring": "refactor.rewrite", "tests": "source"}
PROMPT_OVERHEAD_TOKENS = 250
EXPLAIN_TOKENS = 500

Price = Callable[[ProviderConfig, str, int, int], float | None]


@dataclass(frozen=True)
class Offer:
    """One entry of the menu."""

    action: str
    title: str
    kind: str
    problems: tuple[Problem, ...] = ()


def usd(amount: float | None) -> str:
    """``~$0.004``, ``~$0.0003``, ``free``, or ``cost unknown``."""
    if amount is None:
        return "cost unknown"
    if amount == 0:
        return "free"
    return f"~${amount:.3f}" if amount >= 0.001 else f"~${amount:.4f}"


def estimate(
    action: str, region_chars: int, price: Price, config: ProviderConfig, model: str, max_tokens: int
) -> float | None:
    """List price of a typical run of ``action`` on a region of ``region_chars`` characters."""
    region = min(REGION_TOKENS, region_chars // 4 + 1)
    prompt = region + min(CONTEXT_TOKENS, region) + PROMPT_OVERHEAD_TOKENS
    answer = {"explain": EXPLAIN_TOKENS, "fix": region, "docstring": region + 80}.get(action, max_tokens)
    return price(config, model, prompt, min(max_tokens, answer))


def offers(
    lines: Sequence[str],
    selection: Range | None,
    problems: Sequence[Problem],
    path: str,
    tiers: dict[str, tuple[str, tuple[ProviderConfig, str] | None]],
    price: Price,
    max_tokens: int,
    only: Sequence[str] | None = None,
) -> list[Offer]:
    """The actions for ``selection``; ``tiers`` maps each action to (tier, first chat model or None).

    An action whose tier has no chat model is left out (picking it could only fail); Fix needs a problem
    inside the region; Write tests is not offered inside a test file.
    """
    region = region_of(lines, selection)
    if region is None:
        return []
    chars = sum(len(line) for line in lines[region.start : region.end])
    inside = tuple(p for p in problems if region.start <= p.line < region.end)
    out: list[Offer] = []
    for action in action_prompt.ACTIONS:
        tier, first = tiers[action]
        if first is None or (action == "fix" and not inside):
            continue
        if action == "tests" and action_prompt.is_test_file(path):
            continue
        if only is not None and not any(KIND[action] == k or KIND[action].startswith(k + ".") for k in only):
            continue
        cost = usd(estimate(action, chars, price, first[0], first[1], max_tokens))
        out.append(Offer(action, f"{VERB[action]} with {tier} model ({cost})", KIND[action], inside))
    return out
