"""``openai-completions``: legacy ``POST {base_url}/completions`` with ``suffix``.

Spoken by DeepSeek's FIM beta, Ollama's ``/v1``, vLLM and ``gpt-3.5-turbo-instruct``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest
from lsp_complete.providers.openai_base import OpenAIStyleProvider, first_choice

__all__ = ["OpenAICompletionsProvider"]


class OpenAICompletionsProvider(OpenAIStyleProvider):
    """Legacy completions: ``prompt`` is the prefix, ``suffix`` the text after the cursor (when not None)."""

    api = "openai-completions"
    path = "/completions"

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``prompt``, ``suffix`` only when set, ``stop`` only when there is one."""
        payload: dict[str, object] = {
            "model": request.model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.suffix is not None:
            payload["suffix"] = request.suffix
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    def text_of(self, chunk: Mapping[str, Any]) -> str:
        """``choices[0].text``."""
        text = first_choice(chunk).get("text")
        return text if isinstance(text, str) else ""
