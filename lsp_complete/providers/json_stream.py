"""The stream loop of the wire formats that are not OpenAI-shaped: Anthropic events, Ollama NDJSON,
llama.cpp ``/infill``.

A subclass names its ``api``, ``path`` and ``terminator``, builds the body and turns each decoded JSON object
into text (``handle``), recording usage, the finish reason and whether the terminator arrived in a
``StreamState``. The loop, deadlines, in-stream errors, truncation (no terminator → ``ProviderResponseError``
with ``partial_text``) and draining the body after the terminator are handled here once.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from lsp_complete.core.types import ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage
from lsp_complete.errors import ProviderError, ProviderResponseError
from lsp_complete.providers.http import error_from_stream_payload, scrub, secrets_of
from lsp_complete.providers.openai_base import HTTPProvider
from lsp_complete.providers.streaming import Deadline, stream_body, stream_sse

__all__ = ["JsonStreamProvider", "StreamState", "count", "stream_ndjson"]

NDJSON = "application/x-ndjson"


def count(value: object) -> int:
    """A token count from a JSON value: a positive int, else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(slots=True)
class StreamState:
    """What ``handle`` has learnt so far; ``done`` is set when the terminator arrives."""

    usage: Usage | None = None
    finish_reason: str | None = None
    done: bool = False
    counts: dict[str, int] = field(default_factory=dict)


async def stream_ndjson(
    client: httpx.AsyncClient, provider: str, path: str, payload: Mapping[str, object], deadline: Deadline
) -> AsyncGenerator[str, None]:
    """``stream_body`` cut into non-blank lines (``\\n`` or ``\\r\\n``), UTF-8 decoded across chunk splits."""
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buf = ""
    async with aclosing(stream_body(client, provider, path, payload, deadline, accept=NDJSON)) as chunks:
        async for chunk in chunks:
            buf += utf8.decode(chunk)
            *lines, buf = buf.split("\n")
            for line in lines:
                if line.strip():
                    yield line.strip()
    buf += utf8.decode(b"", final=True)
    if buf.strip():
        yield buf.strip()


class JsonStreamProvider(HTTPProvider):
    """Base of the providers whose stream is a sequence of JSON objects (SSE ``data:`` or NDJSON lines).

    The API key lives only in the client's headers; ``repr`` shows the name, api and base URL.
    """

    terminator: ClassVar[str]  # named in the error of a stream that ended without it
    ndjson: ClassVar[bool] = False

    def handle(self, kind: str, obj: Mapping[str, Any], state: StreamState) -> str:
        """The text one object adds ("" when none); ``kind`` is the SSE event name ("" for NDJSON)."""
        raise NotImplementedError

    def error_of(self, kind: str, obj: object) -> ProviderError | None:
        """The error an object carries, if any (default: an ``{"error": ...}`` object)."""
        return error_from_stream_payload(self.name, obj, secrets=secrets_of(self._client.headers))

    async def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        """Yield ``TextDelta`` pieces and one final ``StreamEnd``; raise a ``ProviderError`` on failure."""
        deadline = Deadline(self._timeouts)
        parts: list[str] = []
        state = StreamState()
        try:
            async with aclosing(self._objects(self.build_payload(request), deadline)) as objects:
                async for kind, obj in objects:
                    text = self.handle(kind, obj, state)
                    if text:
                        deadline.mark_first_token()
                        parts.append(text)
                        yield TextDelta(text)
                    if state.done:
                        break
                else:
                    raise ProviderResponseError(f"stream ended without {self.terminator}", provider=self.name)
                yield StreamEnd(usage=state.usage, finish_reason=state.finish_reason)
                # Read the rest of the body so the connection goes back to the pool; the answer is complete.
                deadline.mark_done()
                with contextlib.suppress(ProviderError):
                    async for _ in objects:
                        pass
        except ProviderError as exc:
            exc.partial_text = exc.partial_text or "".join(parts)
            raise

    async def _objects(
        self, payload: Mapping[str, object], deadline: Deadline
    ) -> AsyncGenerator[tuple[str, Mapping[str, Any]], None]:
        client, name, path = self._client, self.name, self.path
        if self.ndjson:
            async with aclosing(stream_ndjson(client, name, path, payload, deadline)) as lines:
                async for line in lines:
                    yield "", self._decode("", line)
        else:
            async with aclosing(stream_sse(client, name, path, payload, deadline)) as events:
                async for event in events:
                    yield event.event, self._decode(event.event, event.data)

    def _decode(self, kind: str, data: str) -> Mapping[str, Any]:
        try:
            obj = json.loads(data)
        except ValueError:
            raise ProviderResponseError(
                f"unparsable stream object: {scrub(data[:200], secrets_of(self._client.headers))}",
                provider=self.name,
            ) from None
        error = self.error_of(kind, obj)
        if error is not None:
            raise error
        if not isinstance(obj, dict):
            raise ProviderResponseError("stream object is not a JSON object", provider=self.name)
        return obj
