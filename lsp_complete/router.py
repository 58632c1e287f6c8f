"""The cost-aware gateway: a tier's models in order, behind breakers, budget, ledger, with hedging.

``complete`` serves inline completions from the fast tier: runs of upstream candidates go through
``hedge.race`` (failover before the first token; a second provider started when the first is slow), each
attempt through ``Guard.stream`` (circuit, budget hold, ledger row, breaker). A stream that dies after
partial output keeps what is complete and usable, else the next candidate is tried. Completions are never
retried (the user has typed on). When the budget refuses every upstream candidate the offline completer
answers and the user is told once per day. A provider failure never escapes ``complete``.

``guarded_stream`` is one guarded upstream call for the code actions (see INTERFACES.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lsp_complete import hedge
from lsp_complete.accounting import Accounts
from lsp_complete.config import ProviderConfig, Settings, tier_for_task
from lsp_complete.core import postprocess, request
from lsp_complete.core.types import ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage
from lsp_complete.errors import BudgetExceeded, ConfigError, ProviderError, ProviderUnavailable
from lsp_complete.guard import Attempt, Guard
from lsp_complete.health import Health
from lsp_complete.presets import LOCAL
from lsp_complete.providers.base import Provider

__all__ = ["Answer", "LocalFn", "Router"]

logger = logging.getLogger(__name__)

#: Hedge delay before a provider has enough TTFT samples, as a share of the first-token deadline.
DEFAULT_HEDGE_SHARE = 0.4


@dataclass(frozen=True, slots=True)
class Answer:
    """One model's cleaned answer and what it cost to get it (``cost_usd`` None: unknown or free local)."""

    text: str
    provider: str
    model: str
    latency_ms: float
    usage: Usage | None
    failures: tuple[str, ...] = ()
    cost_usd: float | None = None


LocalFn = Callable[[], str | None]
Notice = Callable[[str], None]
Candidate = tuple[ProviderConfig, str]


class Router:
    """Holds the provider instances, breakers, budget and ledger for the current settings."""

    def __init__(
        self,
        settings: Settings,
        env: dict[str, str],
        *,
        ledger_path: Path | str | None = None,
        hedging: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._hedging = hedging
        self.accounts = Accounts(settings, env, ledger_path=ledger_path)
        self.health = Health(clock)
        self._guard = Guard(settings, env, self.accounts, self.health)
        self._logged: set[tuple[str, str]] = set()
        self._notice: Notice | None = None
        self._over_budget_told: date | None = None

    # -- configuration and reporting (INTERFACES.md) --

    def set_notice_listener(self, listener: Notice | None) -> None:
        """Who shows the user a message (key rejected, circuit opened, budget thresholds)."""
        self._notice = listener
        self.accounts.set_notice(listener)
        self.health.set_notice(listener)
        self._guard.set_notice(listener)

    def reconfigure(self, settings: Settings) -> list[Provider]:
        """Adopt new settings; returns the provider instances whose configuration changed, for closing."""
        self._settings = settings
        self.accounts.reconfigure(settings)
        return self._guard.reconfigure(settings)

    def worst_case_usd(
        self, config: ProviderConfig, model: str, prompt_tokens: int, max_tokens: int
    ) -> float | None:
        """The most one request can cost at list price; None when the price is unknown."""
        return self.accounts.worst_case_usd(config, model, prompt_tokens, max_tokens)

    def spend_summary(self) -> str:
        """One line: today's spend and cap, this month's, and today's requests."""
        return self.accounts.summary()

    def status(self) -> dict[str, Any]:
        """JSON-able: spentTodayUsd, dailyCapUsd, monthlySpentUsd, monthlyCapUsd, openCircuits, overBudget."""
        return {**self.accounts.status(), "openCircuits": self.health.open_circuits()}

    def record_cache_hit(
        self,
        provider: str,
        model: str,
        *,
        task: str = "completion",
        tier: str | None = None,
        saved_usd: float = 0.0,
        latency_ms: float = 0.0,
    ) -> None:
        """Ledger row (outcome ``cache``, $0) for an answer served from our cache instead of ``provider``;
        ``saved_usd`` is what the upstream request would have cost (e.g. the cached answer's own cost)."""
        self.accounts.record_saved(
            task=task,
            tier=tier or tier_for_task(self._settings, task),
            provider=provider,
            model=model,
            outcome="cache",
            saved_usd=saved_usd,
            latency_ms=latency_ms,
        )

    # -- one guarded call (code actions) --

    async def guarded_stream(
        self, task: str, tier: str, config: ProviderConfig, model: str, req: ModelRequest
    ) -> AsyncGenerator[StreamEvent, None]:
        """One upstream call with every guard; raises ProviderUnavailable / BudgetExceeded before sending.

        Streams ``TextDelta``... ``StreamEnd`` like ``Provider.stream``; the ledger row, the budget and the
        breaker are settled on every exit path. Use with ``contextlib.aclosing``.
        """
        async with contextlib.aclosing(self._guard.stream(task, tier, config, model, req)) as events:
            async for event in events:
                yield event

    # -- inline completions --

    async def complete(
        self,
        candidates: Sequence[Candidate],
        data: request.PromptInput,
        local: LocalFn,
        *,
        task: str = "completion",
        tier: str | None = None,
    ) -> Answer | None:
        """The first usable answer along ``candidates``; None when nobody had anything to say."""
        tier = tier or tier_for_task(self._settings, task)
        failures: list[str] = []
        items = list(candidates)
        i = 0
        while i < len(items):
            if items[i][0].name == LOCAL:
                started = time.perf_counter()
                text = local()
                if text:
                    return Answer(text, LOCAL, LOCAL, _ms(started), None, tuple(failures))
                i += 1
                continue
            run: list[Candidate] = []
            while i < len(items) and items[i][0].name != LOCAL:
                run.append(items[i])
                i += 1
            answer, failed, refused = await self._race(run, data, task, tier)
            failures += failed
            if answer is not None:
                return Answer(
                    *(answer.text, answer.provider, answer.model, answer.latency_ms, answer.usage),
                    tuple(failures),
                    answer.cost_usd,
                )
            if refused:
                self._tell_over_budget(tier)
        return None

    async def _race(
        self, run: list[Candidate], data: request.PromptInput, task: str, tier: str
    ) -> tuple[Answer | None, list[str], bool]:
        """A run of upstream candidates through ``hedge.race``; True last when the budget refused all."""
        refused: list[bool] = []

        async def start(cand: Candidate, first: asyncio.Event) -> hedge.Outcome[Answer]:
            outcome, budget = await self._attempt(cand, data, task, tier, first)
            refused.append(budget)
            return outcome

        delay = self._hedge_delay if self._use_hedging(run) else None
        answer, failed = await hedge.race(run, start, delay)
        return answer, failed, bool(refused) and all(refused)

    def _use_hedging(self, run: Sequence[Candidate]) -> bool:
        if not (self._hedging and self._settings.completion.hedge):
            return False
        return sum(1 for cfg, _ in run if not self.health.is_open(cfg.name)) >= 2

    def _hedge_delay(self, cand: Candidate) -> float:
        first_token_s = self._settings.completion.first_token_timeout_s
        return self.health.hedge_delay_s(cand[0].name, DEFAULT_HEDGE_SHARE * first_token_s, first_token_s)

    async def _attempt(
        self, cand: Candidate, data: request.PromptInput, task: str, tier: str, first: asyncio.Event
    ) -> tuple[hedge.Outcome[Answer], bool]:
        """One candidate; returns its outcome and whether the budget refused it."""
        config, model = cand
        c = self._settings.completion
        req = request.build(data, model, config.prompt_style, config.api, c.max_tokens)
        attempt = Attempt()
        raw, finished = "", False
        try:
            stream = self._guard.stream(task, tier, config, model, req, attempt)
            async with contextlib.aclosing(stream) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        first.set()
                        raw += event.text
                        if raw.count("\n") >= c.max_lines:
                            attempt.used = finished = True  # enough lines: stop reading (closes the stream)
                            break
                    elif isinstance(event, StreamEnd):
                        finished = True
        except BudgetExceeded as exc:
            logger.info("%s/%s skipped: %s", config.name, model, exc)
            return hedge.Outcome(failure=f"{config.name}/{model}: over budget"), True
        except ProviderUnavailable as exc:
            logger.debug("%s skipped: %s", config.name, exc)
            return hedge.Outcome(failure=f"{config.name}/{model}: circuit open"), False
        except ConfigError as exc:  # e.g. a wire format this version cannot speak
            self._log_failure(config.name, exc)
            return hedge.Outcome(failure=f"{config.name}/{model}: {exc}"), False
        except ProviderError as exc:
            self._log_failure(config.name, exc)
            failure = f"{config.name}/{model}: {type(exc).__name__}"
            text = postprocess.clean(raw or exc.partial_text, data.suffix, c.max_lines, False)
            if not text:
                return hedge.Outcome(failure=failure), False
            answer = Answer(
                text, config.name, model, _ms(attempt.started), attempt.billed, (failure,), attempt.cost_usd
            )
            return hedge.Outcome(answer), False
        text = request.interpret(raw, data, config.prompt_style, config.api)
        cleaned = postprocess.clean(text, data.suffix, c.max_lines, finished)
        if not cleaned:
            return hedge.Outcome(failure=None), False
        answer = Answer(
            cleaned, config.name, model, _ms(attempt.started), attempt.billed, (), attempt.cost_usd
        )
        return hedge.Outcome(answer), False

    def _tell_over_budget(self, tier: str) -> None:
        today = date.today()
        if self._over_budget_told == today:
            return
        self._over_budget_told = today
        text = f"lsp-complete: the {tier} tier is over budget; completions come from the offline completer"
        logger.warning("%s", text)
        if self._notice is not None:
            self._notice(text)

    def _log_failure(self, provider: str, exc: ProviderError | ConfigError) -> None:
        key = (provider, type(exc).__name__)
        level = logging.DEBUG if key in self._logged else logging.WARNING
        self._logged.add(key)
        logger.log(level, "%s failed, trying the next model: %s", provider, exc)

    async def aclose(self) -> None:
        """Close every provider's HTTP client and the ledger."""
        await self._guard.aclose()
        self.accounts.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
