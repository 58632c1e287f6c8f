"""What the fake provider is told (``Reply``), what it saw (``Request``), and the wire formats it speaks.

The OpenAI-shaped dialects live here (``WireFormat``); the others (Anthropic events, Ollama NDJSON,
llama.cpp ``/infill``) and the path table ``FORMATS`` live in ``formats``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

USAGE_MODES = ("separate", "last-chunk", "none")


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

        ``text`` is streamed in ``chunks`` pieces (split by characters). ``usage`` overrides the default
        ``{"prompt_tokens": 10, "completion_tokens": <pieces>}``; ``cached`` adds cached prompt tokens as
        ``prompt_tokens_details.cached_tokens`` (``cached_style="openai"``), DeepSeek's
        ``prompt_cache_hit_tokens`` (``"deepseek"``) or both. ``usage_mode``: ``"separate"`` (OpenAI: an
        extra ``choices: []`` chunk, only when the request asked ``include_usage``), ``"last-chunk"``
        (DeepSeek 2026, Mistral: on the finish chunk), ``"none"``; None picks the format's own.
        ``cache_write`` is Anthropic's ``cache_creation_input_tokens`` (Anthropic reports ``input_tokens``
        without cache reads and writes).

        ``hold``: wait before the headers until the test calls ``FakeProvider.release(hold)`` (or the client
        leaves), to keep a request in flight for exactly as long as a test needs.

        Faults: ``delay_before_s`` before the headers, ``delay_between_s`` between pieces,
        ``stall_after_chunks`` (stop sending until the client leaves or the server stops), ``error_body`` with
    ``status=200`` (a whole JSON or text body where a stream was asked for, as some proxies answer),
        ``drop_after_chunks`` (close the socket without a terminator), ``mid_stream_error`` (an error object,
        sent after ``error_after_chunks`` pieces or after all of them, then the stream ends without a
        terminator), ``status``/``error_body``/``headers`` for a non-200 answer, ``send_done=False``.
        Wire details: ``framing`` ``"chunked"`` or ``"close"`` (body ends at connection close), ``comments``
        sent before the first chunk (``": keep-alive"``), ``crlf`` line endings, ``write_size`` to cut every
        write into pieces of that many bytes.
    """

    text: str = "ok"
    chunks: int = 1
    usage: Mapping[str, int] | None = None
    cached: int | None = None
    cached_style: str = "openai"
    cache_write: int | None = None
    usage_mode: str | None = None
    finish_reason: str = "stop"
    delay_before_s: float = 0.0
    delay_between_s: float = 0.0
    stall_after_chunks: int | None = None
    status: int = 200
    error_body: object | None = None
    headers: Mapping[str, str] | None = None
    mid_stream_error: Mapping[str, Any] | None = None
    error_after_chunks: int | None = None
    drop_after_chunks: int | None = None
    send_done: bool = True
    framing: str = "chunked"
    comments: tuple[str, ...] = ()
    crlf: bool = False
    write_size: int | None = None
    hold: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Reply:
        """A reply from a JSON object of field values (for ``--script``)."""
        values = dict(obj)
        if "comments" in values:
            values["comments"] = tuple(values["comments"])
        return cls(**values)

    def pieces(self) -> list[str]:
        """``text`` cut into at most ``chunks`` non-empty pieces of near-equal length."""
        n = max(1, min(self.chunks, len(self.text)))
        size, extra = divmod(len(self.text), n)
        out, start = [], 0
        for i in range(n):
            end = start + size + (1 if i < extra else 0)
            out.append(self.text[start:end])
            start = end
        return [p for p in out if p]

    def usage_object(self, pieces: int) -> dict[str, Any]:
        """The ``usage`` object this reply reports."""
        usage: dict[str, Any] = dict(self.usage or {"prompt_tokens": 10, "completion_tokens": pieces})
        usage.setdefault("total_tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        if self.cached is not None:
            if self.cached_style in ("openai", "both"):
                usage["prompt_tokens_details"] = {"cached_tokens": self.cached}
            if self.cached_style in ("deepseek", "both"):
                usage["prompt_cache_hit_tokens"] = self.cached
                usage["prompt_cache_miss_tokens"] = usage.get("prompt_tokens", 0) - self.cached
        return usage


@dataclass(frozen=True)
class Request:
    """One request as the fake saw it; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    connection: int = 0

    def as_json(self) -> dict[str, Any]:
        """A JSON-able record (for ``--requests-log``)."""
        return {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "json": self.json,
            "connection": self.connection,
        }


@dataclass(frozen=True)
class Frame:
    """Bytes of one streamed event; ``text`` is True when it carries a piece of the answer.

    ``lead`` frames (Anthropic's ``message_start``, ``ping``) go out before the first piece; the other
    frames that carry no text go out after the last piece (finish, usage, terminator).
    """

    data: bytes
    text: bool = False
    lead: bool = False


def sse(obj: object, crlf: bool = False) -> bytes:
    """One ``data:`` event."""
    payload = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    eol = "\r\n" if crlf else "\n"
    return f"data: {payload}{eol}{eol}".encode()


@dataclass(frozen=True)
class WireFormat:
    """An OpenAI-shaped dialect: how a piece, the finish and the whole answer look."""

    name: str
    chunk_object: str
    piece: Callable[[str], dict[str, Any]]
    finish: Callable[[str], dict[str, Any]]
    whole: Callable[[str, str], dict[str, Any]]
    default_usage_mode: str = "separate"
    content_type: str = "text/event-stream"

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": "fake-1",
            "object": self.chunk_object,
            "created": 1730000000,
            "model": "fake",
            "choices": choices,
            **extra,
        }

    def stream(self, reply: Reply, request_json: Any) -> list[Frame]:
        """Every frame of a streamed answer, terminator included (the server cuts it for faults)."""
        pieces = reply.pieces()
        mode = reply.usage_mode or self.default_usage_mode
        wants_usage = isinstance(request_json, dict) and bool(
            (request_json.get("stream_options") or {}).get("include_usage")
        )
        usage = reply.usage_object(len(pieces))
        frames = [Frame(sse(self._chunk([self.piece(p)]), reply.crlf), text=True) for p in pieces]
        last: dict[str, Any] = {"usage": usage} if mode == "last-chunk" else {}
        frames.append(Frame(sse(self._chunk([self.finish(reply.finish_reason)], **last), reply.crlf)))
        if mode == "separate" and wants_usage:
            frames.append(Frame(sse(self._chunk([], usage=usage), reply.crlf)))
        if reply.send_done:
            frames.append(Frame(sse("[DONE]", reply.crlf)))
        return frames

    def error_frame(self, error: Mapping[str, Any], crlf: bool) -> bytes:
        """An error arriving inside a 200 stream."""
        return sse(dict(error) if "error" in error else {"error": dict(error)}, crlf)

    def body(self, reply: Reply) -> dict[str, Any]:
        """The non-streamed answer."""
        return {
            "id": "fake-1",
            "created": 1730000000,
            "model": "fake",
            **self.whole(reply.text, reply.finish_reason),
            "usage": reply.usage_object(1),
        }


def _chat_whole(text: str, reason: str) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": reason}
    return {"object": "chat.completion", "choices": [choice]}


CHAT = WireFormat(
    name="openai-chat",
    chunk_object="chat.completion.chunk",
    piece=lambda p: {"index": 0, "delta": {"content": p}, "finish_reason": None},
    finish=lambda r: {"index": 0, "delta": {}, "finish_reason": r},
    whole=_chat_whole,
)
COMPLETIONS = WireFormat(
    name="openai-completions",
    chunk_object="text_completion",
    piece=lambda p: {"text": p, "index": 0, "logprobs": None, "finish_reason": None},
    finish=lambda r: {"text": "", "index": 0, "logprobs": None, "finish_reason": r},
    whole=lambda t, r: {
        "object": "text_completion",
        "choices": [{"text": t, "index": 0, "logprobs": None, "finish_reason": r}],
    },
)
# Codestral FIM: a completions-style request answered in chat shape, usage always on the final chunk.
MISTRAL_FIM = WireFormat(
    name="mistral-fim",
    chunk_object="chat.completion.chunk",
    piece=CHAT.piece,
    finish=lambda r: {"index": 0, "delta": {"content": ""}, "finish_reason": r},
    whole=_chat_whole,
    default_usage_mode="last-chunk",
)
