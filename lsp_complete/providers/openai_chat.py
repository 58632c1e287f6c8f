"""``openai-chat``: streamed ``POST {base_url}/chat/completions`` (OpenAI, DeepSeek, OpenRouter, Ollama)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest
from lsp_complete.providers.openai_base import OpenAIStyleProvider, first_choice

__all__ = ["OpenAIChatProvider"]


class OpenAIChatProvider(OpenAIStyleProvider):
    """Chat Completions: text comes from ``choices[0].delta.content``."""

    api = "openai-chat"
    path = "/chat/completions"

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``messages`` from the request; ``stop`` only when there is one."""
        payload: dict[str, object] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    def text_of(self, chunk: Mapping[str, Any]) -> str:
        """``choices[0].delta.content`` ("" for role-only, finish and usage chunks)."""
        delta = first_choice(chunk).get("delta")
        content = delta.get("content") if isinstance(delta, dict) else None
        return content if isinstance(content, str) else ""
