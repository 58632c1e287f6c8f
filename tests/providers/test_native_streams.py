"""What the four newer wire formats share, table-driven over real HTTP against the fake: text assembled from
chunks, finish reasons, connection reuse, truncation, HTTP status mapping, deadlines and cancellation."""

from __future__ import annotations

import asyncio

import pytest

from lsp_complete.core.types import StreamEnd, TextDelta
from lsp_complete.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderServerError,
    ProviderTimeout,
)
from lsp_complete.providers import Timeouts
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import (
    KEY,
    NATIVE,
    NATIVE_APIS,
    TEXT,
    MakeProvider,
    collect_native,
    make_native,
    text_of,
)

FINISH = {"mistral-fim": "stop", "anthropic": "end_turn", "ollama": "stop", "llamacpp-infill": "eos"}


@pytest.mark.parametrize("api", NATIVE_APIS)
@pytest.mark.parametrize(
    "wire",
    [
        {},
        {"framing": "close"},
        {"crlf": True, "comments": ("keep-alive",)},
        {"write_size": 1},
        {"delay_between_s": 0.01},
    ],
    ids=["chunked", "close-delimited", "crlf-comments", "1-byte-writes", "trickle"],
)
async def test_streamed_text_is_assembled(
    fake: FakeProvider, make: MakeProvider, api: str, wire: dict[str, object]
) -> None:
    fake.respond_with(Reply(text=TEXT, chunks=7, **wire))  # type: ignore[arg-type]
    events = await collect_native(make_native(make, api))
    assert text_of(events) == TEXT
    assert len([e for e in events if isinstance(e, TextDelta)]) == 7
    assert [e for e in events if isinstance(e, StreamEnd)] == events[-1:]
    assert isinstance(events[-1], StreamEnd)
    assert events[-1].finish_reason == FINISH[api]


@pytest.mark.parametrize("api", NATIVE_APIS)
async def test_finish_reason_length(fake: FakeProvider, make: MakeProvider, api: str) -> None:
    fake.respond_with(Reply(text="abc", finish_reason="length"))
    events = await collect_native(make_native(make, api))
    expected = {"anthropic": "max_tokens", "llamacpp-infill": "limit"}.get(api, "length")
    assert isinstance(events[-1], StreamEnd)
    assert events[-1].finish_reason == expected


@pytest.mark.parametrize("api", NATIVE_APIS)
async def test_connection_is_reused(fake: FakeProvider, make: MakeProvider, api: str) -> None:
    provider = make_native(make, api)
    for _ in range(3):
        assert text_of(await collect_native(provider)) == "ok"
    assert len({r.connection for r in fake.requests}) == 1
    assert fake.disconnects == 0


@pytest.mark.parametrize("api", NATIVE_APIS)
@pytest.mark.parametrize(
    ("cut", "partial"),
    [
        ({"send_done": False}, "abcd"),
        ({"drop_after_chunks": 2}, "ab"),
        ({"drop_after_chunks": 2, "framing": "close"}, "ab"),
        ({"drop_after_chunks": 0}, ""),
    ],
    ids=["no-terminator", "dropped-chunked", "dropped-close-delimited", "dropped-before-text"],
)
async def test_truncated_stream(
    fake: FakeProvider, make: MakeProvider, api: str, cut: dict[str, object], partial: str
) -> None:
    fake.respond_with(Reply(text="abcd", chunks=4, **cut))  # type: ignore[arg-type]
    with pytest.raises(ProviderResponseError) as info:
        await collect_native(make_native(make, api))
    assert type(info.value) is ProviderResponseError
    assert info.value.partial_text == partial


@pytest.mark.parametrize("api", NATIVE_APIS)
@pytest.mark.parametrize(
    ("reply", "cls", "retry_after"),
    [
        (Reply(status=401, error_body={"error": {"message": f"invalid key {KEY}"}}), ProviderAuthError, None),
        (Reply(status=429, headers={"retry-after": "2"}), ProviderRateLimited, 2.0),
        (Reply(status=500, error_body="upstream exploded"), ProviderServerError, None),
        (Reply(status=502, error_body="<html><h1>502 Bad Gateway</h1></html>"), ProviderServerError, None),
    ],
    ids=["401", "429", "500", "502-html"],
)
async def test_http_errors(
    fake: FakeProvider,
    make: MakeProvider,
    api: str,
    reply: Reply,
    cls: type[ProviderError],
    retry_after: float | None,
) -> None:
    fake.respond_with(reply)
    provider = make_native(make, api)
    with pytest.raises(ProviderError) as info:
        await collect_native(provider)
    assert type(info.value) is cls
    assert getattr(info.value, "status_code", None) == reply.status
    assert getattr(info.value, "retry_after", None) == retry_after
    assert KEY not in str(info.value)
    fake.respond_with(Reply(text="fine"))  # the connection is still usable afterwards
    assert text_of(await collect_native(provider)) == "fine"


@pytest.mark.parametrize("api", NATIVE_APIS)
@pytest.mark.parametrize(
    ("reply", "partial", "needle"),
    [
        (Reply(text="abc", chunks=3, stall_after_chunks=0), "", "first token"),
        (Reply(text="abc", chunks=3, stall_after_chunks=1), "a", "complete answer"),
    ],
    ids=["stall-before-text", "stall-mid-stream"],
)
async def test_deadlines(
    fake: FakeProvider, make: MakeProvider, api: str, reply: Reply, partial: str, needle: str
) -> None:
    fake.respond_with(reply)
    provider = make_native(make, api, timeouts=Timeouts(connect_s=2.0, first_token_s=0.2, total_s=0.4))
    with pytest.raises(ProviderTimeout, match=needle) as info:
        await collect_native(provider)
    assert info.value.partial_text == partial
    assert await asyncio.to_thread(fake.wait_for_disconnect, 5)


@pytest.mark.parametrize("api", NATIVE_APIS)
@pytest.mark.parametrize("how", ["cancel-task", "aclose-generator"])
async def test_stopping_the_consumer_closes_the_connection(
    fake: FakeProvider, make: MakeProvider, api: str, how: str
) -> None:
    fake.respond_with(Reply(text="abcdef", chunks=3, stall_after_chunks=1))
    stream = make_native(make, api).stream(NATIVE[api][1])
    if how == "aclose-generator":
        assert await anext(stream) == TextDelta("ab")
        await stream.aclose()
    else:
        first = asyncio.Event()

        async def consume() -> None:
            async for _ in stream:
                first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await asyncio.to_thread(fake.wait_for_disconnect, 5)
