"""Prices, the budget and the ledger glued together: what a request may cost, holding it, settling it.

``Accounts`` is the one object the router asks "may this request go out?" (``hold``: reserve its worst
case, or raise ``BudgetExceeded`` before anything is sent) and tells "this is what it did" (``settle``:
the real cost from the reported usage, or a tiktoken estimate marked estimated, recorded in the ledger
and replacing the hold under the budget's lock, so a request is counted exactly once).

A model with no known price is reported as unknown (``cost_usd`` None, warned once in the log); its hold
and its charge are the worst case at the highest known rates, never $0. The ledger is opened on first
use (``$XDG_STATE_HOME/lsp-complete/ledger.sqlite3``); if it cannot be opened the budget still counts in
memory and one warning is logged.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from lsp_complete import ledger as ledger_mod
from lsp_complete import prices, tokens
from lsp_complete.budget import Budget, Reservation
from lsp_complete.config import ProviderConfig, Settings
from lsp_complete.core.types import ModelRequest, Usage
from lsp_complete.ledger import Ledger, LedgerEntry, Outcome

__all__ = ["Accounts", "count_tokens", "request_tokens"]

log = logging.getLogger(__name__)

Notice = Callable[[str], None]

#: Providers' own tokenizers count up to ~1.5x cl100k on code (provider-apis.md §8.1: SentencePiece models
#: 1.3-1.55x); holding the prompt at that ratio keeps the hold a true worst case. Reported usage decides
#: the real cost.
PROMPT_MARGIN = 1.5
PROMPT_OVERHEAD = 16  # FIM/chat template tokens the provider adds around our text


def count_tokens(text: str) -> int:
    """Exact cl100k tokens once the tokenizer is loaded; a character estimate before (never blocks)."""
    if not text:
        return 0
    if tokens.is_loaded():
        return tokens.get_counter().count(text)
    return max(1, -(-len(text) * 2 // 7))


def request_tokens(req: ModelRequest) -> int:
    """Input tokens of ``req`` as we count them (prompt, suffix, messages, context snippets).

    One tokenizer call over all the parts joined by newlines (each call has a scheduling tail).
    """
    parts = [req.prompt, req.suffix or "", *(m.content for m in req.messages)]
    parts += [s.text for s in req.snippets]
    overhead = 4 * len(req.messages)  # per-message framing of chat formats
    return count_tokens("\n".join(p for p in parts if p)) + overhead


def _usd(x: float) -> str:
    return f"${x:.2f}" if x >= 1 or abs(round(x, 2) - x) < 1e-9 else f"${x:.4f}"


class Accounts:
    """Prices + budget + ledger for one server process."""

    def __init__(
        self,
        settings: Settings,
        env: Mapping[str, str],
        *,
        ledger_path: Path | str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._caps = settings.budget
        self._env = env
        self._path = Path(ledger_path) if ledger_path is not None else ledger_mod.default_path(env)
        self._clock = clock
        self._prices = self._load_prices()
        self._ledger: Ledger | None = None
        self._ledger_tried = False
        self._budget: Budget | None = None
        self._notice: Notice | None = None

    # -- configuration --

    def set_notice(self, notice: Notice | None) -> None:
        """Who is told about the 80 % and 100 % thresholds."""
        self._notice = notice

    def _load_prices(self) -> prices.PriceTable:
        table, problems = prices.load_prices(self._env)
        for problem in problems:  # a bad entry or file is skipped; the rest of the table is used
            log.warning("prices: %s", problem)
        return table

    def reconfigure(self, settings: Settings) -> None:
        """Re-read the prices (the config file may have changed); new caps take effect at once (spend so
        far is re-read from the ledger)."""
        self._prices = self._load_prices()
        if settings.budget != self._caps:
            self._caps = settings.budget
            self._budget = None

    @property
    def ledger(self) -> Ledger | None:
        """The ledger, opened on first use; None if it could not be opened."""
        if not self._ledger_tried:
            self._ledger_tried = True
            try:
                self._ledger = Ledger(self._path, self._caps.retention_days, clock=self._clock)
            except (sqlite3.Error, OSError) as exc:
                log.warning(
                    "cannot open the ledger %s (%s): spend is counted in memory only", self._path, exc
                )
        return self._ledger

    @property
    def budget(self) -> Budget:
        """The budget for the current caps (built on first use)."""
        if self._budget is None:
            tiers = {tier: (daily, monthly) for tier, daily, monthly in self._caps.tiers}
            self._budget = Budget(
                self._caps, self.ledger, self._clock, tier_caps=tiers, on_threshold=self._threshold
            )
        return self._budget

    # -- prices --

    def price(self, config: ProviderConfig, model: str) -> prices.Price | None:
        """The known price of ``config.name/model`` (None = unknown)."""
        return self._prices.lookup(config.name, model)

    def worst_case_usd(
        self, config: ProviderConfig, model: str, prompt_tokens: int, max_tokens: int
    ) -> float | None:
        """The most a request can cost at list price; None when the price is unknown."""
        return prices.worst_case(max(prompt_tokens, 0), max(max_tokens, 0), self.price(config, model))

    def hold_usd(self, config: ProviderConfig, model: str, prompt_tokens: int, max_tokens: int) -> float:
        """What is reserved for one request: the worst case with the prompt counted ``PROMPT_MARGIN`` times
        (plus template overhead), and at the highest known rates when the price is unknown."""
        held_prompt = math.ceil(max(prompt_tokens, 0) * PROMPT_MARGIN) + PROMPT_OVERHEAD
        price = self.price(config, model)
        if price is None:
            prices.warn_unknown_once(config.name, model)
            price = self._prices.ceiling()
        return prices.worst_case(held_prompt, max(max_tokens, 0), price)

    # -- the two calls around every upstream request --

    def hold(
        self, tier: str, config: ProviderConfig, model: str, prompt_tokens: int, max_tokens: int
    ) -> Reservation:
        """Reserve the worst case of one request; raises ``BudgetExceeded`` (nothing held) if it won't fit."""
        return self.budget.reserve(tier, self.hold_usd(config, model, prompt_tokens, max_tokens))

    def settle(
        self,
        reservation: Reservation,
        *,
        task: str,
        config: ProviderConfig,
        model: str,
        usage: Usage,
        ttft_ms: float | None,
        latency_ms: float,
        outcome: Outcome,
    ) -> tuple[float | None, float]:
        """Record one finished request and replace its hold with its cost; returns ``(cost, charged)``.

        ``cost`` is None for an unknown price (then the worst case held is what is charged).
        """
        nothing = usage.input_tokens <= 0 and usage.output_tokens <= 0  # e.g. a refused request: free
        cost = 0.0 if nothing else prices.cost(usage, self.price(config, model))
        entry = LedgerEntry(
            time=self._clock(),
            task=task,
            tier=reservation.tier,
            provider=config.name,
            model=model,
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=cost,
            cost_estimated=usage.estimated,
            ttft_ms=None if ttft_ms is None else round(ttft_ms, 1),
            latency_ms=round(latency_ms, 1),
            outcome=outcome,
        )
        charged = self.budget.reconcile(reservation, cost, entry)
        return cost, charged

    def record_saved(
        self,
        *,
        task: str,
        tier: str,
        provider: str,
        model: str,
        outcome: Outcome,
        saved_usd: float,
        latency_ms: float,
    ) -> None:
        """A request answered without going upstream (``cache``), with the dollars it saved; costs nothing."""
        if self.ledger is None:
            return
        entry = LedgerEntry(
            *(self._clock(), task, tier, provider, model, 0, 0, 0, 0.0, False, None, round(latency_ms, 1)),
            outcome=outcome,
            saved_usd=max(saved_usd, 0.0),
        )
        try:
            self.ledger.record(entry)
        except (sqlite3.Error, ValueError) as exc:
            log.warning("could not record a %s answer in the ledger: %s", outcome, exc)

    # -- reporting --

    def status(self) -> dict[str, Any]:
        """Today's and this month's spend against the caps (JSON-able)."""
        budget = self.budget
        daily, monthly = budget.spent("daily"), budget.spent("monthly")
        caps = self._caps
        over = any(
            cap is not None and spent >= cap
            for spent, cap in ((daily, caps.daily_usd), (monthly, caps.monthly_usd))
        )
        return {
            "spentTodayUsd": round(daily, 6),
            "dailyCapUsd": caps.daily_usd,
            "monthlySpentUsd": round(monthly, 6),
            "monthlyCapUsd": caps.monthly_usd,
            "overBudget": over,
        }

    def summary(self) -> str:
        """One line: today's spend and cap, the month's, and today's request count."""
        budget = self.budget
        daily, monthly = budget.spent("daily"), budget.spent("monthly")
        day_cap = "no cap" if self._caps.daily_usd is None else f"of {_usd(self._caps.daily_usd)}"
        month_cap = "no cap" if self._caps.monthly_usd is None else f"of {_usd(self._caps.monthly_usd)}"
        requests = 0
        if self.ledger is not None:
            today = datetime.fromtimestamp(self._clock()).replace(hour=0, minute=0, second=0, microsecond=0)
            try:
                requests = sum(r.requests for r in self.ledger.summary(today.timestamp(), by="day"))
            except sqlite3.Error as exc:
                log.warning("cannot read the ledger: %s", exc)
        return (
            f"today {_usd(daily)} {day_cap}, this month {_usd(monthly)} {month_cap}, "
            f"{requests} request{'s' if requests != 1 else ''} today"
        )

    def _threshold(self, period: str, mark: float) -> None:
        cap = {"daily": self._caps.daily_usd, "monthly": self._caps.monthly_usd}.get(period)
        detail = ""
        if cap is not None and self._budget is not None:
            detail = f" (${self._budget.spent(period):.2f} of ${cap:.2f})"
        if mark >= 1.0:
            text = f"lsp-complete: the {period} budget is used up{detail}; paid requests stop until it resets"
        else:
            text = f"lsp-complete: {mark:.0%} of the {period} budget is used{detail}"
        log.warning("%s", text)
        if self._notice is not None:
            self._notice(text)

    def close(self) -> None:
        """Close the ledger."""
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
            self._ledger_tried = False
            self._budget = None
