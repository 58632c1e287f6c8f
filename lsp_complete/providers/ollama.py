"""``ollama``: Ollama's native ``POST {base_url}/api/generate`` with an NDJSON stream (provider-apis §6.2).

With a ``suffix`` the model's own FIM template is applied by Ollama (the model must support ``insert``,
else 400 "does not support insert"); without one the prompt is a pre-rendered template sent with
``raw: true``. A chat-style request (messages, no prompt) goes through the model's chat template instead:
its system messages as ``system``, the rest as the prompt. Each line is a JSON object with a ``response``
piece; the last has ``done: true``, ``done_reason`` and the counts ``prompt_eval_count``/``eval_count``.
An error arrives as an ``{"error": "..."}`` line or an HTTP status. No key is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest, Usage
from lsp_complete.providers.json_stream import JsonStreamProvider, StreamState, count

__all__ = ["OllamaProvider"]


class OllamaProvider(JsonStreamProvider):
    """Ollama's native generate endpoint."""

    api = "ollama"
    path = "/api/generate"
    terminator = '"done": true'
    ndjson = True

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``model, prompt, suffix | raw, stream, options{num_predict, temperature, stop?}``."""
        options: dict[str, object] = {"num_predict": request.max_tokens, "temperature": request.temperature}
        if request.stop:
            options["stop"] = list(request.stop)
        payload: dict[str, object] = {"model": request.model, "prompt": request.prompt}
        if request.suffix is not None:
            payload["suffix"] = request.suffix
        elif request.messages and not request.prompt:
            system = "\n\n".join(m.content for m in request.messages if m.role == "system")
            payload["prompt"] = "\n\n".join(m.content for m in request.messages if m.role != "system")
            if system:
                payload["system"] = system
        else:
            payload["raw"] = True
        payload["stream"] = True
        payload["options"] = options
        return payload

    def handle(self, kind: str, obj: Mapping[str, Any], state: StreamState) -> str:
        """``response`` text; the ``done`` object carries usage and ``done_reason``."""
        if obj.get("done") is True:
            state.done = True
            reason = obj.get("done_reason")
            state.finish_reason = reason if isinstance(reason, str) and reason else None
            if "prompt_eval_count" in obj or "eval_count" in obj:
                state.usage = Usage(
                    input_tokens=count(obj.get("prompt_eval_count")),
                    output_tokens=count(obj.get("eval_count")),
                )
        text = obj.get("response")
        return text if isinstance(text, str) else ""
