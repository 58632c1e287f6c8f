"""Shared values and helpers of the wire-format tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lsp_complete.core.types import ChatMessage, ModelRequest, StreamEvent, TextDelta
from lsp_complete.errors import ProviderError
from lsp_complete.providers import Provider, Timeouts

KEY = "sk-test-KEY0123456789abcdef"
APIS = ["openai-chat", "openai-completions"]
CHAT = ModelRequest(
    model="coder",
    messages=(ChatMessage("system", "complete code"), ChatMessage("user", "def add(a, b):")),
    max_tokens=32,
    temperature=0.2,
    stop=("\n\n",),
)
FIM = ModelRequest(model="coder", prompt="def add(a, b):\n    ", suffix="\n\nprint(add(1, 2))", max_tokens=32)
REQUESTS = {"openai-chat": CHAT, "openai-completions": FIM}
# The other wire formats: where the fake serves them (the prefix of the base URL) and what they are sent.
NATIVE = {
    "mistral-fim": ("/v1", FIM),
    "anthropic": ("/v1", CHAT),
    "ollama": ("", FIM),
    "llamacpp-infill": ("", FIM),
}
NATIVE_APIS = list(NATIVE)
GENEROUS = Timeouts(connect_s=2.0, first_token_s=10.0, total_s=20.0)
TEXT = "return a + b  # é 😀 漢字"

MakeProvider = Callable[..., Provider]


async def collect(provider: Provider, request: ModelRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def failure(provider: Provider, request: ModelRequest) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        await collect(provider, request)
    return info.value


def make_native(make: MakeProvider, api: str, **kw: object) -> Provider:
    """A provider of one of the ``NATIVE`` formats, pointed at the fake's path for it."""
    return make(api, prefix=NATIVE[api][0], **kw)


async def collect_native(provider: Provider) -> list[StreamEvent]:
    """``collect`` with the request the format is normally sent."""
    return await collect(provider, NATIVE[provider.api][1])
