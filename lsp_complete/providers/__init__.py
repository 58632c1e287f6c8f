"""Wire formats. The only package that imports httpx; every httpx error is mapped in ``http``.

``build_provider`` turns one configured endpoint into a ``Provider``; ``SUPPORTED_APIS`` lists the wire
formats it knows. The API key is kept only in the HTTP client's headers, so no provider ``repr`` or error
message can show it: ``x-api-key`` (plus ``anthropic-version``) for ``anthropic``, ``Authorization: Bearer``
for every other format. Gemini needs no module: it is ``openai-chat`` at its OpenAI-compatible base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from lsp_complete.errors import ConfigError
from lsp_complete.providers.anthropic import ANTHROPIC_VERSION, AnthropicProvider
from lsp_complete.providers.base import Provider
from lsp_complete.providers.http import Timeouts, make_client
from lsp_complete.providers.llamacpp import LlamaCppInfillProvider
from lsp_complete.providers.mistral_fim import MistralFIMProvider
from lsp_complete.providers.ollama import OllamaProvider
from lsp_complete.providers.openai_chat import OpenAIChatProvider
from lsp_complete.providers.openai_completions import OpenAICompletionsProvider
from lsp_complete.providers.warm import warm_up

__all__ = ["SUPPORTED_APIS", "Provider", "Timeouts", "build_provider", "warm_up"]

USER_AGENT = "lsp-complete"


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


@dataclass(frozen=True)
class _Wire:
    """How to build one wire format's provider and authenticate it."""

    make: Callable[[str, httpx.AsyncClient, Timeouts], Provider]
    auth: Callable[[str], dict[str, str]] = _bearer
    headers: Mapping[str, str] = field(default_factory=dict)


_WIRES: dict[str, _Wire] = {
    OpenAIChatProvider.api: _Wire(OpenAIChatProvider),
    OpenAICompletionsProvider.api: _Wire(OpenAICompletionsProvider),
    MistralFIMProvider.api: _Wire(MistralFIMProvider),
    AnthropicProvider.api: _Wire(
        AnthropicProvider,
        auth=lambda key: {"x-api-key": key},
        headers={"anthropic-version": ANTHROPIC_VERSION},
    ),
    OllamaProvider.api: _Wire(OllamaProvider),
    LlamaCppInfillProvider.api: _Wire(LlamaCppInfillProvider),
}
SUPPORTED_APIS: tuple[str, ...] = tuple(_WIRES)


def build_provider(
    name: str,
    api: str,
    base_url: str,
    api_key: str | None,
    headers: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
) -> Provider:
    """A provider speaking ``api`` at ``base_url``; raises ``ConfigError`` for an unknown ``api``.

    ``headers`` are extra request headers (e.g. OpenRouter attribution, ``anthropic-beta``); the key, when
    not None, is added in the format's auth header and overrides one given there.
    """
    wire = _WIRES.get(api)
    if wire is None:
        known = ", ".join(SUPPORTED_APIS)
        raise ConfigError(f"provider {name!r}: unknown api {api!r} (known: {known})")
    timeouts = timeouts or Timeouts()
    all_headers = {"user-agent": USER_AGENT, **wire.headers}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    if api_key is not None:
        all_headers.update(wire.auth(api_key))
    client = make_client(base_url, all_headers, timeouts.connect_s)
    return wire.make(name, client, timeouts)
