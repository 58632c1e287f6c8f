"""The dialects that are not OpenAI-shaped, and ``FORMATS``: which dialect answers at which path.

* ``AnthropicFormat`` (``/messages``): typed events ``message_start`` (input usage without cache reads and
  writes, which are reported apart), ``content_block_start``, ``ping``, ``content_block_delta`` per piece,
  ``content_block_stop``, ``message_delta`` (stop reason, output usage), ``message_stop``; errors as
  ``event: error``.
* ``OllamaFormat`` (``/api/generate``): NDJSON lines, the last with ``done: true`` and the counts; errors as
  an ``{"error": "..."}`` line.
* ``LlamaCppFormat`` (``/infill``): ``data: {"content": ..., "stop": false}`` per piece and a final
  ``stop: true`` object with ``tokens_evaluated``/``tokens_predicted``/``timings``, no ``[DONE]``.

``send_done=False`` leaves out each format's terminator; ``usage_mode="none"`` its usage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from tests.fake_provider.script import CHAT, COMPLETIONS, MISTRAL_FIM, Frame, Reply, sse

__all__ = ["FORMATS", "AnthropicFormat", "Format", "LlamaCppFormat", "OllamaFormat", "format_for"]


class Format(Protocol):
    """What the server needs of a dialect."""

    @property
    def name(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    def stream(self, reply: Reply, request_json: Any) -> list[Frame]: ...

    def error_frame(self, error: Mapping[str, Any], crlf: bool) -> bytes: ...

    def body(self, reply: Reply) -> dict[str, Any]: ...


def _event(name: str, obj: Mapping[str, Any], crlf: bool) -> bytes:
    eol = "\r\n" if crlf else "\n"
    return f"event: {name}{eol}data: {json.dumps(obj, ensure_ascii=False)}{eol}{eol}".encode()


_ANTHROPIC_REASONS = {"stop": "end_turn", "length": "max_tokens"}
_LLAMACPP_REASONS = {"stop": "eos", "length": "limit"}


def _counts(reply: Reply, pieces: int) -> tuple[int, int]:
    usage = reply.usage_object(pieces)
    return int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))


class AnthropicFormat:
    """The Messages API stream."""

    name = "anthropic"
    content_type = "text/event-stream"

    def _usage(self, reply: Reply, pieces: int) -> tuple[dict[str, int], int]:
        prompt, completion = _counts(reply, pieces)
        read, written = reply.cached or 0, reply.cache_write or 0
        start = {
            "input_tokens": prompt - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
            "output_tokens": 1,
        }
        return start, completion

    def stream(self, reply: Reply, request_json: Any) -> list[Frame]:
        """``message_start`` … ``message_stop``, a ``ping`` before the first delta."""
        pieces, crlf = reply.pieces(), reply.crlf
        start_usage, completion = self._usage(reply, len(pieces))
        with_usage = reply.usage_mode != "none"
        message: dict[str, Any] = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": "fake",
            "stop_reason": None,
            "stop_sequence": None,
        }
        if with_usage:
            message["usage"] = start_usage
        block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
        frames = [
            Frame(_event("message_start", {"type": "message_start", "message": message}, crlf), lead=True),
            Frame(_event("content_block_start", block, crlf), lead=True),
            Frame(_event("ping", {"type": "ping"}, crlf), lead=True),
        ]
        for p in pieces:
            obj = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
            frames.append(Frame(_event("content_block_delta", obj, crlf), text=True))
        reason = _ANTHROPIC_REASONS.get(reply.finish_reason, reply.finish_reason)
        delta: dict[str, Any] = {
            "type": "message_delta",
            "delta": {"stop_reason": reason, "stop_sequence": None},
        }
        if with_usage:
            delta["usage"] = {"output_tokens": completion}
        frames += [
            Frame(_event("content_block_stop", {"type": "content_block_stop", "index": 0}, crlf)),
            Frame(_event("message_delta", delta, crlf)),
        ]
        if reply.send_done:
            frames.append(Frame(_event("message_stop", {"type": "message_stop"}, crlf)))
        return frames

    def error_frame(self, error: Mapping[str, Any], crlf: bool) -> bytes:
        """``event: error`` with ``{"type": "error", "error": {...}}``."""
        obj = dict(error) if "error" in error else {"type": "error", "error": dict(error)}
        return _event("error", obj, crlf)

    def body(self, reply: Reply) -> dict[str, Any]:
        """The non-streamed message."""
        start_usage, completion = self._usage(reply, 1)
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": "fake",
            "content": [{"type": "text", "text": reply.text}],
            "stop_reason": _ANTHROPIC_REASONS.get(reply.finish_reason, reply.finish_reason),
            "stop_sequence": None,
            "usage": {**start_usage, "output_tokens": completion},
        }


class OllamaFormat:
    """Native ``/api/generate`` NDJSON."""

    name = "ollama"
    content_type = "application/x-ndjson"

    @staticmethod
    def _line(obj: Mapping[str, Any]) -> bytes:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode()

    def _final(self, reply: Reply, text: str, pieces: int) -> dict[str, Any]:
        prompt, completion = _counts(reply, pieces)
        final: dict[str, Any] = {
            "model": "fake",
            "created_at": "2024-07-22T20:47:51.2Z",
            "response": text,
            "done": True,
            "done_reason": reply.finish_reason,
            "total_duration": 116276,
        }
        if reply.usage_mode != "none":
            final.update(
                prompt_eval_count=prompt,
                prompt_eval_duration=201222000,
                eval_count=completion,
                eval_duration=953997000,
            )
        return final

    def stream(self, reply: Reply, request_json: Any) -> list[Frame]:
        """One line per piece, then the ``done`` line."""
        pieces = reply.pieces()
        frames = [
            Frame(
                self._line(
                    {"model": "fake", "created_at": "2024-07-22T20:47:51.1Z", "response": p, "done": False}
                ),
                text=True,
            )
            for p in pieces
        ]
        if reply.send_done:
            frames.append(Frame(self._line(self._final(reply, "", len(pieces)))))
        return frames

    def error_frame(self, error: Mapping[str, Any], crlf: bool) -> bytes:
        """An ``{"error": "..."}`` line."""
        return self._line(dict(error) if "error" in error else {"error": str(error.get("message", error))})

    def body(self, reply: Reply) -> dict[str, Any]:
        """The whole answer in one ``done`` object."""
        return self._final(reply, reply.text, 1)


class LlamaCppFormat:
    """llama-server ``/infill`` (and ``/completion``) SSE."""

    name = "llamacpp-infill"
    content_type = "text/event-stream"

    def _final(self, reply: Reply, text: str, pieces: int) -> dict[str, Any]:
        prompt, completion = _counts(reply, pieces)
        cached = reply.cached or 0
        final: dict[str, Any] = {
            "index": 0,
            "content": text,
            "tokens": [],
            "id_slot": 0,
            "stop": True,
            "model": "fake",
            "stopping_word": "",
            "truncated": False,
            "stop_type": _LLAMACPP_REASONS.get(reply.finish_reason, reply.finish_reason),
        }
        if reply.usage_mode != "none":
            timings = {
                "cache_n": cached,
                "prompt_n": prompt - cached,
                "prompt_ms": 12.5,
                "predicted_n": completion,
                "predicted_ms": 40.0,
            }
            final.update(
                tokens_predicted=completion,
                tokens_evaluated=prompt,
                tokens_cached=prompt + completion,
                timings=timings,
            )
        return final

    def stream(self, reply: Reply, request_json: Any) -> list[Frame]:
        """One ``stop: false`` event per piece, then the ``stop: true`` event."""
        pieces, crlf = reply.pieces(), reply.crlf
        frames = [
            Frame(
                sse(
                    {
                        "index": 0,
                        "content": p,
                        "tokens": [],
                        "stop": False,
                        "id_slot": 0,
                        "tokens_predicted": i + 1,
                    },
                    crlf,
                ),
                text=True,
            )
            for i, p in enumerate(pieces)
        ]
        if reply.send_done:
            frames.append(Frame(sse(self._final(reply, "", len(pieces)), crlf)))
        return frames

    def error_frame(self, error: Mapping[str, Any], crlf: bool) -> bytes:
        """``data: {"error": {"code", "message", "type"}}``."""
        if "error" in error:
            return sse(dict(error), crlf)
        return sse({"error": {"code": 500, "type": "server_error", **dict(error)}}, crlf)

    def body(self, reply: Reply) -> dict[str, Any]:
        """The non-streamed answer."""
        return self._final(reply, reply.text, 1)


#: (path ending, format), first match wins: "/fim/completions" before "/completions".
FORMATS: list[tuple[str, Format]] = [
    ("/chat/completions", CHAT),
    ("/fim/completions", MISTRAL_FIM),
    ("/completions", COMPLETIONS),
    ("/messages", AnthropicFormat()),
    ("/api/generate", OllamaFormat()),
    ("/infill", LlamaCppFormat()),
    ("/completion", LlamaCppFormat()),
]


def format_for(path: str) -> Format | None:
    """The wire format served at ``path`` (query string ignored), or None."""
    bare = path.split("?", 1)[0].rstrip("/")
    return next((fmt for suffix, fmt in FORMATS if bare.endswith(suffix)), None)
