"""``llamacpp-infill``: llama.cpp's ``POST {base_url}/infill`` (provider-apis §6.3).

The server builds the FIM prompt from the model's own FIM tokens out of ``input_prefix``/``input_suffix``
(so a raw template prompt is sent as the prefix with an empty suffix). The SSE stream is
``data: {"content": "...", "stop": false}`` per piece and ends with an object with ``stop: true`` and the
stats, no ``[DONE]``. Usage: ``tokens_evaluated`` prompt tokens (else ``timings.prompt_n + cache_n``), of
which ``timings.cache_n`` were reused from the KV cache, and ``tokens_predicted``. An optional key
(``--api-key``) is sent as a bearer token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest, Usage
from lsp_complete.providers.json_stream import JsonStreamProvider, StreamState, count

__all__ = ["LlamaCppInfillProvider"]


class LlamaCppInfillProvider(JsonStreamProvider):
    """llama-server infill."""

    api = "llamacpp-infill"
    path = "/infill"
    terminator = '"stop": true'

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``input_prefix, input_suffix, n_predict, temperature, stop?, stream, cache_prompt``."""
        payload: dict[str, object] = {
            "model": request.model,
            "input_prefix": request.prompt,
            "input_suffix": request.suffix or "",
            "n_predict": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            "cache_prompt": True,
        }
        if request.stop:
            payload["stop"] = list(request.stop)
        return payload

    def handle(self, kind: str, obj: Mapping[str, Any], state: StreamState) -> str:
        """``content`` text; the ``stop: true`` object carries usage and ``stop_type``."""
        if obj.get("stop") is True:
            state.done = True
            reason = obj.get("stop_type")
            state.finish_reason = reason if isinstance(reason, str) and reason else None
            state.usage = _usage(obj)
        text = obj.get("content")
        return text if isinstance(text, str) else ""


def _usage(obj: Mapping[str, Any]) -> Usage | None:
    raw_timings = obj.get("timings")
    timings: Mapping[str, Any] = raw_timings if isinstance(raw_timings, dict) else {}
    if "tokens_evaluated" not in obj and "tokens_predicted" not in obj and not timings:
        return None
    cached = count(timings.get("cache_n"))
    prompt = count(obj.get("tokens_evaluated")) or count(timings.get("prompt_n")) + cached
    return Usage(
        input_tokens=prompt,
        cached_input_tokens=min(cached, prompt),
        output_tokens=count(obj.get("tokens_predicted")) or count(timings.get("predicted_n")),
    )
