"""One streamed POST under first-token and total deadlines, shared by every wire format.

The deadlines are ``asyncio.timeout_at`` scopes around each await on the network (sending the request,
each body read), never around a ``yield``: a timeout scope that stays open across a yield would fire in
the consumer's code, cancelling whatever it is doing instead of this stream. Closing or cancelling the
consumer closes the response (and so the connection) at once, so the provider sees the disconnect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing

import httpx

from lsp_complete.errors import ProviderError, ProviderTimeout
from lsp_complete.providers.http import (
    Timeouts,
    error_from_exception,
    error_from_response,
    error_from_stream_payload,
    secrets_of,
)
from lsp_complete.providers.sse import SSEDecoder, SSEEvent

__all__ = ["DONE_GRACE_S", "Deadline", "stream_body", "stream_sse"]

# After the terminator, how long the rest of the body (normally just the chunked-encoding end) may take to
# arrive; reading it lets the connection go back to the pool instead of being closed.
DONE_GRACE_S = 0.25
_SNIFF_BYTES = 8192
MAX_ERROR_BODY = 64 * 1024


class Deadline:
    """First-token and total deadlines of one request, on the running loop's clock."""

    def __init__(self, timeouts: Timeouts) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._timeouts = timeouts
        start = loop.time()
        self._total_at = start + timeouts.total_s
        self._first_at = min(start + timeouts.first_token_s, self._total_at)
        self.first_token_seen = False

    def mark_first_token(self) -> None:
        """Text arrived: from now on only the total deadline applies."""
        self.first_token_seen = True

    def mark_done(self) -> None:
        """The terminator arrived: allow only a short grace for the rest of the body."""
        self._total_at = min(self._total_at, self._loop.time() + DONE_GRACE_S)
        self.first_token_seen = True

    def when(self) -> float:
        """The loop time at which the current deadline passes."""
        return self._total_at if self.first_token_seen else self._first_at

    def error(self, provider: str) -> ProviderTimeout:
        """The timeout error for whichever deadline passed."""
        t = self._timeouts
        if self.first_token_seen:
            return ProviderTimeout(f"no complete answer within {t.total_s:g}s", provider=provider)
        return ProviderTimeout(f"no first token within {t.first_token_s:g}s", provider=provider)


async def stream_body(
    client: httpx.AsyncClient,
    provider: str,
    path: str,
    payload: Mapping[str, object],
    deadline: Deadline,
    *,
    accept: str = "text/event-stream",
) -> AsyncGenerator[bytes, None]:
    """POST ``payload`` as JSON and yield the 2xx body's raw chunks; raise a ``ProviderError`` on failure."""
    secrets = secrets_of(client.headers)
    request = client.build_request("POST", path, json=payload, headers={"accept": accept})
    try:
        async with asyncio.timeout_at(deadline.when()):
            response = await client.send(request, stream=True)
    except TimeoutError:
        raise deadline.error(provider) from None
    except (httpx.HTTPError, OSError) as exc:
        raise error_from_exception(provider, exc, secrets=secrets) from exc
    try:
        if not response.is_success:
            body = await _read_error_body(response, provider, deadline, secrets)
            raise error_from_response(provider, response.status_code, response.headers, body, secrets=secrets)
        chunks = response.aiter_bytes().__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(deadline.when()):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise deadline.error(provider) from None
            except (httpx.HTTPError, OSError) as exc:
                raise error_from_exception(provider, exc, in_body=True, secrets=secrets) from exc
            yield chunk
    finally:
        await response.aclose()


async def _read_error_body(
    response: httpx.Response, provider: str, deadline: Deadline, secrets: tuple[str, ...]
) -> str:
    """The start of an error body: at most ``MAX_ERROR_BODY`` bytes (a proxy may send megabytes of HTML)."""
    raw = bytearray()
    try:
        async with asyncio.timeout_at(deadline.when()):
            async for chunk in response.aiter_bytes():
                raw += chunk
                if len(raw) >= MAX_ERROR_BODY:
                    break
    except TimeoutError:
        raise deadline.error(provider) from None
    except (httpx.HTTPError, OSError):
        pass
    return bytes(raw[:MAX_ERROR_BODY]).decode("utf-8", errors="replace")


async def stream_sse(
    client: httpx.AsyncClient,
    provider: str,
    path: str,
    payload: Mapping[str, object],
    deadline: Deadline,
) -> AsyncGenerator[SSEEvent, None]:
    """``stream_body`` decoded as server-sent events.

    A 2xx body that holds no event at all but is a JSON error object (a proxy or a provider that ignored
    ``stream``) raises that error instead of looking like an empty stream.
    """
    decoder = SSEDecoder()
    sniffed = bytearray()
    seen_event = False
    async with aclosing(stream_body(client, provider, path, payload, deadline)) as chunks:
        async for chunk in chunks:
            if not seen_event and len(sniffed) < _SNIFF_BYTES:
                sniffed += chunk[: _SNIFF_BYTES - len(sniffed)]
            for event in decoder.feed(chunk):
                seen_event = True
                yield event
    for event in decoder.flush():
        seen_event = True
        yield event
    if not seen_event:
        _raise_json_error(provider, bytes(sniffed), secrets_of(client.headers))


def _raise_json_error(provider: str, raw: bytes, secrets: tuple[str, ...]) -> None:
    try:
        obj = json.loads(raw.decode("utf-8", errors="replace").strip() or "null")
    except ValueError:
        return
    error: ProviderError | None = error_from_stream_payload(provider, obj, secrets=secrets)
    if error is not None:
        raise error
