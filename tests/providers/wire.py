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
