"""``anthropic``: the Messages API, streamed ``POST {base_url}/messages`` (provider-apis §4).

Auth is ``x-api-key`` plus ``anthropic-version`` (set by ``build_provider``), never ``Authorization``.
The stream is typed SSE events: ``message_start`` (input usage), ``content_block_delta`` (``text_delta``
text), ``message_delta`` (stop reason, cumulative output usage), ``message_stop`` (the end); ``ping`` and
other events are skipped; an ``error`` event maps like the HTTP status of its type
(``overloaded_error`` → ``ProviderOverloaded``).

Anthropic's ``input_tokens`` excludes cache reads and writes; our ``Usage.input_tokens`` includes both and
``cached_input_tokens`` is the cache reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsp_complete.core.types import ModelRequest, Usage
from lsp_complete.errors import ProviderError
from lsp_complete.providers.http import error_from_anthropic_event, secrets_of
from lsp_complete.providers.json_stream import JsonStreamProvider, StreamState, count

__all__ = ["ANTHROPIC_VERSION", "AnthropicProvider"]

ANTHROPIC_VERSION = "2023-06-01"
# Models that answer 400 to a non-default temperature (provider-apis §4): it is left out for them.
_NO_SAMPLING_PARAMS = ("claude-sonnet-5",)
_USAGE_FIELDS = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "output_tokens")


def _user_content(request: ModelRequest) -> str:
    """A FIM-style request (prompt + suffix, no messages) as the text of one user message."""
    if request.suffix is None:
        return request.prompt
    return f"<prefix>{request.prompt}</prefix><suffix>{request.suffix}</suffix>"


class AnthropicProvider(JsonStreamProvider):
    """Claude over the Messages API."""

    api = "anthropic"
    path = "/messages"
    terminator = "message_stop"

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """``system`` from the system messages, the rest as ``messages``; whitespace-only stops dropped.

        Anthropic refuses stop sequences without a non-whitespace character (400), so ``"\\n\\n"`` is not
        sent; the caller's own post-processing still cuts there.
        """
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        messages = [{"role": m.role, "content": m.content} for m in request.messages if m.role != "system"]
        if not messages:
            messages = [{"role": "user", "content": _user_content(request)}]
        payload: dict[str, object] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": messages,
            "stream": True,
        }
        if system:
            payload["system"] = system
        if not request.model.startswith(_NO_SAMPLING_PARAMS):
            payload["temperature"] = request.temperature
        stops = [s for s in request.stop if s.strip()]
        if stops:
            payload["stop_sequences"] = stops
        return payload

    def error_of(self, kind: str, obj: object) -> ProviderError | None:
        """An ``error`` event (or any object with an ``error``) as the matching ``ProviderError``."""
        return error_from_anthropic_event(self.name, obj, secrets=secrets_of(self._client.headers))

    def handle(self, kind: str, obj: Mapping[str, Any], state: StreamState) -> str:
        """Text of ``text_delta`` blocks; usage and stop reason recorded; ``message_stop`` ends."""
        kind = str(obj.get("type") or kind)
        if kind == "content_block_delta":
            delta = obj.get("delta")
            if isinstance(delta, dict) and delta.get("type") == "text_delta":
                text = delta.get("text")
                return text if isinstance(text, str) else ""
        elif kind == "message_start":
            message = obj.get("message")
            self._note_usage(message.get("usage") if isinstance(message, dict) else None, state)
        elif kind == "message_delta":
            delta = obj.get("delta")
            reason = delta.get("stop_reason") if isinstance(delta, dict) else None
            if isinstance(reason, str) and reason:
                state.finish_reason = reason
            self._note_usage(obj.get("usage"), state)
        elif kind == "message_stop":
            state.done = True
        return ""

    @staticmethod
    def _note_usage(raw: object, state: StreamState) -> None:
        """Merge a usage object (``message_delta`` counts are cumulative, so later values win)."""
        if not isinstance(raw, dict):
            return
        for name in _USAGE_FIELDS:
            if raw.get(name) is not None:
                state.counts[name] = count(raw.get(name))
        read = state.counts.get("cache_read_input_tokens", 0)
        written = state.counts.get("cache_creation_input_tokens", 0)
        state.usage = Usage(
            input_tokens=state.counts.get("input_tokens", 0) + read + written,
            cached_input_tokens=read,
            output_tokens=state.counts.get("output_tokens", 0),
        )
