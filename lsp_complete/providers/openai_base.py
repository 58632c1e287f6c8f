"""What the OpenAI-shaped wire formats share: ``data: {json}`` chunks, ``data: [DONE]``, usage anywhere.

A subclass names its ``api`` and ``path`` and says how to build the body and where a chunk keeps its text;
the stream loop, usage (OpenAI ``prompt_tokens_details.cached_tokens`` or DeepSeek
``prompt_cache_hit_tokens``, taken from whichever chunk carries a non-null ``usage``), in-stream errors and
truncation are handled here once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from lsp_complete.core.types import ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage
from lsp_complete.errors import ProviderError, ProviderResponseError
from lsp_complete.providers.http import Timeouts, error_from_stream_payload, scrub, secrets_of
from lsp_complete.providers.streaming import Deadline, stream_sse

__all__ = ["OpenAIStyleProvider", "finish_reason_of", "first_choice", "usage_of"]

DONE = "[DONE]"


def first_choice(chunk: Mapping[str, Any]) -> Mapping[str, Any]:
    """``choices[0]`` of a chunk, or an empty mapping (usage-only chunks have ``choices: []``)."""
    choices = chunk.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return {}


def finish_reason_of(chunk: Mapping[str, Any]) -> str | None:
    """``choices[0].finish_reason`` when it is set."""
    reason = first_choice(chunk).get("finish_reason")
    return reason if isinstance(reason, str) and reason else None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def usage_of(chunk: Mapping[str, Any]) -> Usage | None:
    """The chunk's ``usage`` as ``Usage``, or None when it carries none."""
    raw = chunk.get("usage")
    if not isinstance(raw, dict):
        return None
    details = raw.get("prompt_tokens_details")
    cached = _count(details.get("cached_tokens")) if isinstance(details, dict) else 0
    cached = cached or _count(raw.get("prompt_cache_hit_tokens"))
    prompt = _count(raw.get("prompt_tokens"))
    return Usage(
        input_tokens=prompt,
        cached_input_tokens=min(cached, prompt) if prompt else cached,
        output_tokens=_count(raw.get("completion_tokens")),
    )


def _redacted_url(url: str) -> str:
    """``url`` without credentials or query string, for repr and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class HTTPProvider:
    """What every wire format's provider shares: its name, one long-lived client, its timeouts, a repr
    without secrets (the key lives only in the client's headers) and closing the client."""

    api: str  # set by each subclass; a plain attribute so the class satisfies the Provider protocol
    path: ClassVar[str]

    def __init__(self, name: str, client: httpx.AsyncClient, timeouts: Timeouts) -> None:
        self.name = name
        self._client = client
        self._timeouts = timeouts

    def __repr__(self) -> str:
        url = _redacted_url(str(self._client.base_url))
        return f"{type(self).__name__}(name={self.name!r}, api={self.api!r}, base_url={url!r})"

    def build_payload(self, request: ModelRequest) -> dict[str, object]:
        """The JSON body for ``request``."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the long-lived HTTP client."""
        await self._client.aclose()


class OpenAIStyleProvider(HTTPProvider):
    """Base of the providers whose stream is OpenAI-shaped SSE ending in ``data: [DONE]``.

    The API key lives only in the client's headers; ``repr`` shows the name, api and base URL.
    """

    def text_of(self, chunk: Mapping[str, Any]) -> str:
        """The answer text one chunk adds ("" when none)."""
        raise NotImplementedError

    async def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        """Yield ``TextDelta`` pieces and one final ``StreamEnd``; raise a ``ProviderError`` on failure."""
        deadline = Deadline(self._timeouts)
        parts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        try:
            async with aclosing(
                stream_sse(self._client, self.name, self.path, self.build_payload(request), deadline)
            ) as events:
                async for event in events:
                    if event.data.strip() == DONE:
                        break
                    chunk = self._decode(event.data)
                    usage = usage_of(chunk) or usage
                    finish = finish_reason_of(chunk) or finish
                    text = self.text_of(chunk)
                    if text:
                        deadline.mark_first_token()
                        parts.append(text)
                        yield TextDelta(text)
                else:
                    raise ProviderResponseError(f"stream ended without {DONE}", provider=self.name)
                yield StreamEnd(usage=usage, finish_reason=finish)
                # Read the body's end (normally just the last chunk) so the connection goes back to the
                # pool; the answer is complete, so a failure here no longer matters.
                deadline.mark_done()
                with contextlib.suppress(ProviderError):
                    async for _ in events:
                        pass
        except ProviderError as exc:
            exc.partial_text = exc.partial_text or "".join(parts)
            raise

    def _decode(self, data: str) -> Mapping[str, Any]:
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ProviderResponseError(
                f"unparsable stream chunk: {scrub(data[:200], secrets_of(self._client.headers))}",
                provider=self.name,
            ) from None
        error = error_from_stream_payload(self.name, chunk, secrets=secrets_of(self._client.headers))
        if error is not None:
            raise error
        if not isinstance(chunk, dict):
            raise ProviderResponseError("stream chunk is not a JSON object", provider=self.name)
        return chunk
