"""One upstream call with every guard: circuit, budget, ledger, breaker, notices (``Guard.stream``).

Order, and why: the circuit is asked first (an open one refuses at once, nothing held); then the budget
holds the worst case (refusal = ``BudgetExceeded`` before any byte is sent); only then is the request
sent. Whatever way the stream ends (finished, provider error, the consumer closing it early or being
cancelled) ``_settle`` runs exactly once in ``finally``: the ledger row (ok / error / cancelled, billed usage
or a tiktoken estimate marked estimated) is written and the hold replaced by the cost under the budget's
lock, and the breaker hears the outcome. ``_settle`` is synchronous, so a cancellation cannot cut it short.

Provider instances are kept per (provider configuration, timeouts): completions use the
``[completion]`` deadlines, every other task the ``[premium]`` ones, each with its own HTTP client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from lsp_complete import providers
from lsp_complete.accounting import Accounts, count_tokens, request_tokens
from lsp_complete.budget import Reservation
from lsp_complete.config import ProviderConfig, Settings
from lsp_complete.core.types import ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage
from lsp_complete.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderBillingError,
    ProviderError,
    ProviderHTTPError,
    ProviderNetworkError,
    ProviderTimeout,
)
from lsp_complete.health import Health
from lsp_complete.ledger import Outcome
from lsp_complete.presets import LOCAL
from lsp_complete.providers.base import Provider

__all__ = ["Attempt", "Guard", "timeouts_for"]

log = logging.getLogger(__name__)

Notice = Callable[[str], None]


@dataclass
class Attempt:
    """What one upstream call did; filled in as it streams, final once the stream is closed.

    A consumer that stops reading because it has what it needs sets ``used`` first, so the row says ok.
    """

    started: float = field(default_factory=time.perf_counter)
    ttft_ms: float | None = None
    parts: list[str] = field(default_factory=list)
    usage: Usage | None = None  # as the provider reported it
    billed: Usage | None = None  # what the cost was computed from (reported, else our estimate)
    outcome: Outcome = "cancelled"
    used: bool = False
    cost_usd: float | None = None
    charged_usd: float = 0.0
    settled: bool = False

    @property
    def text(self) -> str:
        """Everything streamed so far."""
        return "".join(self.parts)


def timeouts_for(settings: Settings, task: str) -> providers.Timeouts:
    """Completions get the ``[completion]`` deadlines, every other task the ``[premium]`` ones."""
    c = settings.completion
    if task == "completion":
        return providers.Timeouts(c.connect_timeout_s, c.first_token_timeout_s, c.total_timeout_s)
    p = settings.premium
    return providers.Timeouts(c.connect_timeout_s, p.first_token_timeout_s, p.total_timeout_s)


class Guard:
    """Provider instances plus the guards every upstream call goes through."""

    def __init__(self, settings: Settings, env: dict[str, str], accounts: Accounts, health: Health) -> None:
        self.settings = settings
        self._env = env
        self.accounts = accounts
        self.health = health
        self._pool: dict[tuple[str, providers.Timeouts], tuple[ProviderConfig, Provider]] = {}
        self._notice: Notice | None = None
        self._told: set[tuple[str, str]] = set()

    def set_notice(self, notice: Notice | None) -> None:
        """Who hears that a provider refused its key or cannot bill."""
        self._notice = notice

    def reconfigure(self, settings: Settings) -> list[Provider]:
        """Adopt new settings; returns the provider instances to close (changed config or deadlines)."""
        self.settings = settings
        current = {timeouts_for(settings, "completion"), timeouts_for(settings, "explain")}
        stale: list[Provider] = []
        changed: set[str] = set()
        for key, (config, instance) in list(self._pool.items()):
            if settings.providers.get(config.name) != config or key[1] not in current:
                stale.append(instance)
                del self._pool[key]
                if settings.providers.get(config.name) != config:
                    changed.add(config.name)
        self.health.forget(changed)
        self._told = {t for t in self._told if t[0] not in changed}
        return stale

    def provider(self, config: ProviderConfig, timeouts: providers.Timeouts) -> Provider:
        """The long-lived instance for ``config`` with ``timeouts`` (raises ConfigError: unknown api)."""
        key = (config.name, timeouts)
        held = self._pool.get(key)
        if held is None or held[0] != config:
            instance = providers.build_provider(
                config.name,
                config.api,
                config.base_url,
                config.api_key(self._env),
                dict(config.headers),
                timeouts,
            )
            held = self._pool[key] = (config, instance)
        return held[1]

    async def stream(
        self,
        task: str,
        tier: str,
        config: ProviderConfig,
        model: str,
        req: ModelRequest,
        attempt: Attempt | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """``Provider.stream`` of ``config`` behind the circuit and the budget; see the module docstring."""
        if config.name == LOCAL:
            raise ConfigError("the offline completer is not an upstream provider")
        attempt = attempt if attempt is not None else Attempt()
        timeouts = timeouts_for(self.settings, task)
        provider = self.provider(config, timeouts)  # ConfigError before anything is held
        self.health.admit(config.name)  # ProviderUnavailable
        prompt_tokens = request_tokens(req)
        try:
            reservation = self.accounts.hold(tier, config, model, prompt_tokens, req.max_tokens)
        except BaseException:
            self.health.released(config.name)
            raise
        attempt.started = time.perf_counter()
        error: ProviderError | None = None
        try:
            async with aclosing(provider.stream(req)) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        if attempt.ttft_ms is None:
                            attempt.ttft_ms = _ms(attempt.started)
                            self.health.first_token(config.name, attempt.ttft_ms)
                        attempt.parts.append(event.text)
                    elif isinstance(event, StreamEnd):
                        attempt.usage, attempt.outcome = event.usage, "ok"
                    yield event
        except ProviderError as exc:
            error, attempt.outcome = exc, "error"
            raise
        except Exception:  # a bug, not the provider's health: an error row, the probe slot freed
            attempt.outcome = "error"
            raise
        finally:
            self._settle(attempt, reservation, task, config, model, prompt_tokens, timeouts, error)

    def _settle(
        self,
        attempt: Attempt,
        reservation: Reservation,
        task: str,
        config: ProviderConfig,
        model: str,
        prompt_tokens: int,
        timeouts: providers.Timeouts,
        error: ProviderError | None,
    ) -> None:
        if attempt.settled:
            return
        attempt.settled = True
        if attempt.outcome == "cancelled" and attempt.used:
            attempt.outcome = "ok"
        usage = attempt.billed = attempt.usage or _estimate(prompt_tokens, attempt.text, error)
        try:
            attempt.cost_usd, attempt.charged_usd = self.accounts.settle(
                reservation,
                task=task,
                config=config,
                model=model,
                usage=usage,
                ttft_ms=attempt.ttft_ms,
                latency_ms=_ms(attempt.started),
                outcome=attempt.outcome,
            )
        except Exception:  # accounting must never take a request down; the hold stays counted
            log.exception("could not settle a request to %s/%s", config.name, model)
        if error is not None:
            censored = (
                timeouts.first_token_s * 1000.0
                if isinstance(error, ProviderTimeout) and attempt.ttft_ms is None
                else None
            )
            self.health.failed(config.name, error, censored)
            self._tell(config, error)
        elif attempt.outcome == "ok":
            self.health.succeeded(config.name)
        elif attempt.ttft_ms is None:  # cancelled, or a bug of ours: says nothing about the provider
            self.health.released(config.name)

    def _tell(self, config: ProviderConfig, error: ProviderError) -> None:
        if isinstance(error, ProviderAuthError):
            what = "auth"
            where = f" from ${config.api_key_env}" if config.api_key_env else ""
            text = (
                f"lsp-complete: {config.name} rejected the API key{where} ({_why(error)}); fix it and reload"
            )
        elif isinstance(error, ProviderBillingError):
            what = "billing"
            text = f"lsp-complete: {config.name} refused to bill the account ({_why(error)})"
        else:
            return
        if (config.name, what) in self._told:
            return
        self._told.add((config.name, what))
        log.warning("%s", text)
        if self._notice is not None:
            self._notice(text)

    async def aclose(self) -> None:
        """Close every provider's HTTP client."""
        held, self._pool = self._pool, {}
        for _, instance in held.values():
            await instance.aclose()


def _estimate(prompt_tokens: int, text: str, error: ProviderError | None) -> Usage:
    """Our count of what was billed when the provider reported no usage.

    An HTTP error or a failed connection generated nothing; otherwise the prompt was read (assume no cache)
    and every streamed character was generated.
    """
    if isinstance(error, (ProviderHTTPError, ProviderNetworkError)) and not text:
        return Usage(estimated=True)
    return Usage(input_tokens=prompt_tokens, output_tokens=count_tokens(text), estimated=True)


def _why(error: ProviderError) -> str:
    """The error's message without the provider prefix (the notice names the provider already)."""
    return str(error.args[0]) if error.args else type(error).__name__


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
