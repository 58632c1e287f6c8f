"""Trying a tier's models in order until one gives a usable answer (failover).

The router owns the provider instances (one long-lived HTTP client each), builds each model's request in
the style its wire format wants, reads the stream only as far as it is useful, and turns every provider
failure into "try the next one". A provider failure never escapes: the offline completer is the last
candidate and cannot fail over the network.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lsp_complete import providers
from lsp_complete.config import ProviderConfig, Settings
from lsp_complete.core import postprocess, request
from lsp_complete.core.types import StreamEnd, TextDelta, Usage
from lsp_complete.errors import ConfigError, ProviderError
from lsp_complete.presets import LOCAL
from lsp_complete.providers.base import Provider

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    """One model's cleaned answer and what it cost to get it."""

    text: str
    provider: str
    model: str
    latency_ms: float
    usage: Usage | None
    failures: tuple[str, ...] = ()


LocalFn = Callable[[], str | None]


class Router:
    """Holds the provider instances for the current settings and runs failover over them."""

    def __init__(self, settings: Settings, env: dict[str, str]) -> None:
        self._settings = settings
        self._env = env
        self._providers: dict[str, tuple[ProviderConfig, Provider]] = {}
        self._logged: set[tuple[str, str]] = set()

    def reconfigure(self, settings: Settings) -> list[Provider]:
        """Adopt new settings; returns the providers whose configuration changed, for closing."""
        self._settings = settings
        stale = [p for name, (cfg, p) in self._providers.items() if settings.providers.get(name) != cfg]
        self._providers = {n: v for n, v in self._providers.items() if settings.providers.get(n) == v[0]}
        return stale

    def _provider(self, config: ProviderConfig) -> Provider:
        held = self._providers.get(config.name)
        if held is None or held[0] != config:
            c = self._settings.completion
            timeouts = providers.Timeouts(
                connect_s=c.connect_timeout_s,
                first_token_s=c.first_token_timeout_s,
                total_s=c.total_timeout_s,
            )
            instance = providers.build_provider(
                config.name,
                config.api,
                config.base_url,
                config.api_key(self._env),
                dict(config.headers),
                timeouts,
            )
            held = self._providers[config.name] = (config, instance)
        return held[1]

    async def complete(
        self,
        candidates: Sequence[tuple[ProviderConfig, str]],
        data: request.PromptInput,
        local: LocalFn,
    ) -> Answer | None:
        """The first usable answer along ``candidates``; None when nobody had anything to say."""
        failures: list[str] = []
        for config, model in candidates:
            started = time.perf_counter()
            if config.name == LOCAL:
                text = local()
                if text:
                    return Answer(text, LOCAL, LOCAL, _ms(started), None, tuple(failures))
                continue
            try:
                answer = await self._ask(config, model, data, started)
            except ConfigError as exc:  # e.g. a wire format this version cannot speak yet
                self._log_failure(config.name, exc)
                failures.append(f"{config.name}/{model}: {exc}")
                continue
            except ProviderError as exc:
                self._log_failure(config.name, exc)
                failures.append(f"{config.name}/{model}: {type(exc).__name__}")
                text = postprocess.clean(
                    exc.partial_text, data.suffix, self._settings.completion.max_lines, False
                )
                if text:
                    return Answer(text, config.name, model, _ms(started), None, tuple(failures))
                continue
            if answer is not None:
                return Answer(
                    answer.text,
                    answer.provider,
                    answer.model,
                    answer.latency_ms,
                    answer.usage,
                    tuple(failures),
                )
        return None

    async def _ask(
        self, config: ProviderConfig, model: str, data: request.PromptInput, started: float
    ) -> Answer | None:
        c = self._settings.completion
        req = request.build(data, model, config.prompt_style, config.api, c.max_tokens)
        raw = ""
        usage: Usage | None = None
        finished = False
        provider = self._provider(config)
        async with contextlib.aclosing(provider.stream(req)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    raw += event.text
                    if raw.count("\n") >= c.max_lines:
                        finished = True  # enough lines: stop reading (closes the stream)
                        break
                elif isinstance(event, StreamEnd):
                    usage, finished = event.usage, True
        text = request.interpret(raw, data, config.prompt_style, config.api)
        cleaned = postprocess.clean(text, data.suffix, c.max_lines, finished)
        if not cleaned:
            return None
        return Answer(cleaned, config.name, model, _ms(started), usage)

    def _log_failure(self, provider: str, exc: ProviderError | ConfigError) -> None:
        key = (provider, type(exc).__name__)
        level = logging.DEBUG if key in self._logged else logging.WARNING
        self._logged.add(key)
        logger.log(level, "%s failed, trying the next model: %s", provider, exc)

    async def aclose(self) -> None:
        """Close every provider's HTTP client."""
        held, self._providers = self._providers, {}
        for _, instance in held.values():
            await instance.aclose()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
