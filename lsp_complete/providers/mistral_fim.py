"""``mistral-fim``: Codestral's streamed ``POST {base_url}/fim/completions``.

The request is completions-shaped (``prompt`` + ``suffix``), the answer chat-shaped
(``choices[0].delta.content``), usage on the final chunk, ``data: [DONE]`` at the end. Mistral rejects
``stream_options``, so none is sent (provider-apis §3.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest
from lsp_complete.providers.openai_base import OpenAIStyleProvider, first_choice

__all__ = ["MistralFIMProvider"]


class MistralFIMProvider(OpenAIStyleProvider):
    """Codestral FIM: ``prompt`` is the prefix, ``suffix`` the text after the cursor (when not None)."""

    api = "mistral-fim"
    path = "/fim/completions"

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``model, prompt, suffix?, max_tokens, temperature, stop?, stream``; no ``stream_options``."""
        payload: dict[str, object] = {
            "model": request.model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        if request.suffix is not None:
            payload["suffix"] = request.suffix
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    def text_of(self, chunk: Mapping[str, Any]) -> str:
        """``choices[0].delta.content``."""
        delta = first_choice(chunk).get("delta")
        content = delta.get("content") if isinstance(delta, dict) else None
        return content if isinstance(content, str) else ""
