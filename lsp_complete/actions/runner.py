"""One action's model call: the tier's chat models in order, failover with restart, retries, a cache.

Every upstream call goes through ``Router.guarded_stream`` (circuit, budget hold, ledger, breaker). A
stream that dies after some text was shown fails over and the next model starts over: the sink hears
``restart`` (the user is told) and then the new text. When every model failed with something a retry can
help (overloaded, rate limited, network) and the premium deadline leaves time, the round is tried again
after a backoff. A budget refusal is final for that model and sends nothing. Cancelling the task that
runs ``run`` closes the stream; the ledger row of that call says what was billed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache

from lsp_complete.accounting import count_tokens, request_tokens
from lsp_complete.actions.plan import Plan
from lsp_complete.config import ProviderConfig
from lsp_complete.core.types import StreamEnd, TextDelta
from lsp_complete.errors import BudgetExceeded, ConfigError, ProviderError, ProviderRateLimited
from lsp_complete.router import Router

logger = logging.getLogger(__name__)

CHAT_APIS = ("openai-chat", "anthropic", "ollama")
CACHE_TTL_S = 300.0
MAX_ROUNDS = 3
BACKOFF_S = 0.5


class Sink(Protocol):
    """Who sees the answer while it streams."""

    def delta(self, text: str) -> None: ...

    def restart(self, reason: str) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """The whole answer and who gave it."""

    text: str
    provider: str
    model: str
    finish_reason: str | None
    cached: bool = False
    failures: tuple[str, ...] = ()
    first_text_at: float | None = None
    cost_usd: float = 0.0  # list price of what was sent and streamed (what a cache hit saves)


class ActionFailed(Exception):
    """No model could answer; the message is for the user."""


def chat_candidates(candidates: Sequence[tuple[ProviderConfig, str]]) -> list[tuple[ProviderConfig, str]]:
    """The candidates that can follow an instruction (the offline completer and FIM-only APIs cannot)."""
    return [(c, m) for c, m in candidates if c.api in CHAT_APIS]


class Runner:
    """Runs actions through the router; holds the cache of recent answers."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self._cache: TTLCache[str, Outcome] = TTLCache(maxsize=64, ttl=CACHE_TTL_S)

    def set_router(self, router: Router) -> None:
        """Follow the engine's router."""
        self.router = router

    async def run(
        self,
        plan: Plan,
        tier: str,
        candidates: Sequence[tuple[ProviderConfig, str]],
        max_tokens: int,
        deadline_s: float,
        sink: Sink,
    ) -> Outcome:
        """The first complete answer along ``candidates``; raises ``ActionFailed``."""
        for config, model in candidates:
            hit = self._cache.get(plan.cache_key(config.name, model))
            if hit is not None:
                self.router.record_cache_hit(
                    hit.provider, hit.model, task=plan.task, tier=tier, saved_usd=hit.cost_usd
                )
                sink.delta(hit.text)
                return Outcome(hit.text, hit.provider, hit.model, hit.finish_reason, cached=True)
        failures: list[str] = []
        refusals: list[str] = []
        started = time.monotonic()
        try:
            async with asyncio.timeout(deadline_s):
                for round_ in range(MAX_ROUNDS):
                    retry_after: float | None = None
                    retryable = False
                    for config, model in candidates:
                        try:
                            outcome = await self._one(plan, tier, config, model, max_tokens, sink)
                        except BudgetExceeded as exc:
                            refusals.append(str(exc))
                            continue
                        except ConfigError as exc:
                            failures.append(f"{config.name}/{model}: {exc}")
                            continue
                        except _Failed as failed:
                            failures.append(failed.summary)
                            retryable |= failed.error.retryable
                            if isinstance(failed.error, ProviderRateLimited) and failed.error.retry_after:
                                retry_after = min(retry_after or 1e9, failed.error.retry_after)
                            continue
                        return self._remember(plan, config, model, max_tokens, outcome, failures)
                    wait = retry_after if retry_after is not None else BACKOFF_S * 2**round_
                    left = deadline_s - (time.monotonic() - started)
                    if not retryable or round_ == MAX_ROUNDS - 1 or wait >= left:
                        break
                    logger.info("every model failed (%s); retrying in %.1fs", "; ".join(failures), wait)
                    await asyncio.sleep(wait)
        except TimeoutError:
            failures.append(f"no complete answer within {deadline_s:g}s")
        if refusals and not failures:
            raise ActionFailed(refusals[0])
        detail = "; ".join([*refusals, *failures]) or "no model answered"
        raise ActionFailed(f"no model could {plan.action} this code: {detail}")

    def _remember(
        self,
        plan: Plan,
        config: ProviderConfig,
        model: str,
        max_tokens: int,
        outcome: Outcome,
        failures: Sequence[str],
    ) -> Outcome:
        """The final outcome, cached with its list price (what a later cache hit saves)."""
        sent = request_tokens(plan.request(model, max_tokens))
        cost = self.router.worst_case_usd(config, model, sent, count_tokens(outcome.text))
        final = Outcome(
            outcome.text,
            config.name,
            model,
            outcome.finish_reason,
            failures=tuple(failures),
            first_text_at=outcome.first_text_at,
            cost_usd=cost or 0.0,
        )
        self._cache[plan.cache_key(config.name, model)] = final
        return final

    async def _one(
        self, plan: Plan, tier: str, config: ProviderConfig, model: str, max_tokens: int, sink: Sink
    ) -> Outcome:
        shown = False
        parts: list[str] = []
        first: float | None = None
        request = plan.request(model, max_tokens)
        try:
            async with aclosing(
                self.router.guarded_stream(plan.task, tier, config, model, request)
            ) as events:
                async for event in events:
                    if isinstance(event, TextDelta) and event.text:
                        if first is None:
                            first = time.perf_counter()
                        parts.append(event.text)
                        sink.delta(event.text)
                        shown = True
                    elif isinstance(event, StreamEnd):
                        return Outcome(
                            "".join(parts), config.name, model, event.finish_reason, False, (), first
                        )
        except ProviderError as exc:
            summary = f"{config.name}/{model}: {type(exc).__name__}: {exc}"
            logger.warning("%s failed for %s: %s", config.name, plan.action, exc)
            if shown:
                sink.restart(f"{config.name}/{model} failed after part of the answer ({type(exc).__name__})")
            raise _Failed(exc, summary) from exc
        error = ProviderError("stream ended without its terminator", provider=config.name)
        if shown:
            sink.restart(f"{config.name}/{model} stopped before the answer was complete")
        raise _Failed(error, f"{config.name}/{model}: incomplete stream")


class _Failed(Exception):
    def __init__(self, error: ProviderError, summary: str) -> None:
        super().__init__(summary)
        self.error = error
        self.summary = summary
