"""Failures of both OpenAI-shaped wire formats over real HTTP: errors, truncation, deadlines, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from lsp_complete.core.types import TextDelta
from lsp_complete.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderServerError,
    ProviderTimeout,
)
from lsp_complete.providers import Timeouts
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import (
    APIS,
    KEY,
    REQUESTS,
    MakeProvider,
    collect,
    failure,
    text_of,
)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("error", "after", "needle"),
    [
        ({"message": "Internal error while generating", "type": "server_error"}, 2, "Internal error"),
        (
            {
                "error": {"code": "server_error", "message": "Provider disconnected"},
                "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
            },
            2,
            "Provider disconnected",
        ),
        ({"message": f"echoing {KEY}"}, 0, "[redacted]"),
    ],
    ids=["openai", "openrouter", "echoed-key"],
)
async def test_error_inside_200_stream(
    fake: FakeProvider, make: MakeProvider, api: str, error: dict[str, object], after: int, needle: str
) -> None:
    fake.respond_with(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=after))
    exc = await failure(make(api), REQUESTS[api])
    assert type(exc) is ProviderResponseError
    assert needle in str(exc)
    assert KEY not in str(exc)
    assert exc.partial_text == "abcd"[:after]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"error": {"message": "Insufficient Balance", "type": "unknown_error"}}, "Insufficient Balance"),
        ({"id": "x", "choices": []}, "without [DONE]"),
        ("<html>hello</html>", "without [DONE]"),
    ],
    ids=["json-error", "json-not-a-stream", "html"],
)
async def test_200_that_is_not_a_stream(
    fake: FakeProvider, make: MakeProvider, api: str, body: object, needle: str
) -> None:
    fake.respond_with(Reply(status=200, error_body=body))
    exc = await failure(make(api), REQUESTS[api])
    assert type(exc) is ProviderResponseError
    assert needle in str(exc)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    "cut",
    [
        {"send_done": False},
        {"drop_after_chunks": 2},
        {"drop_after_chunks": 2, "framing": "close"},
    ],
    ids=["no-done", "dropped-chunked", "dropped-close-delimited"],
)
async def test_stream_cut_without_done(
    fake: FakeProvider, make: MakeProvider, api: str, cut: dict[str, object]
) -> None:
    fake.respond_with(Reply(text="abcd", chunks=4, **cut))  # type: ignore[arg-type]
    exc = await failure(make(api), REQUESTS[api])
    assert type(exc) is ProviderResponseError
    assert exc.partial_text == ("abcd" if "send_done" in cut else "ab")


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("reply", "cls", "retry_after"),
    [
        (
            Reply(status=401, error_body={"error": {"message": f"Incorrect API key provided: {KEY}"}}),
            ProviderAuthError,
            None,
        ),
        (Reply(status=429, headers={"retry-after": "2"}), ProviderRateLimited, 2.0),
        (Reply(status=429, headers={"retry-after-ms": "1500"}), ProviderRateLimited, 1.5),
        (Reply(status=500, error_body="upstream exploded"), ProviderServerError, None),
        (
            Reply(status=529, error_body={"type": "error", "error": {"type": "overloaded_error"}}),
            ProviderOverloaded,
            None,
        ),
    ],
    ids=["401", "429-seconds", "429-ms", "500", "529"],
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
    provider = make(api)
    exc = await failure(provider, REQUESTS[api])
    assert type(exc) is cls
    assert getattr(exc, "status_code", None) == reply.status
    assert getattr(exc, "retry_after", None) == retry_after
    assert KEY not in str(exc)
    fake.respond_with(Reply(text="fine"))  # the connection is still usable afterwards
    assert text_of(await collect(provider, REQUESTS[api])) == "fine"


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("reply", "partial", "needle"),
    [
        (Reply(text="abc", chunks=3, stall_after_chunks=0), "", "first token"),
        (Reply(text="abc", chunks=3, delay_before_s=30), "", "first token"),
        (Reply(text="abc", chunks=3, comments=("keep-alive",), stall_after_chunks=0), "", "first token"),
        (Reply(text="abc", chunks=3, stall_after_chunks=1), "a", "complete answer"),
    ],
    ids=["stall-before-text", "slow-headers", "keep-alive-is-not-a-token", "stall-mid-stream"],
)
async def test_deadlines(
    fake: FakeProvider, make: MakeProvider, api: str, reply: Reply, partial: str, needle: str
) -> None:
    fake.respond_with(reply)
    exc = await failure(
        make(api, timeouts=Timeouts(connect_s=2.0, first_token_s=0.2, total_s=0.4)), REQUESTS[api]
    )
    assert type(exc) is ProviderTimeout
    assert needle in str(exc)
    assert exc.partial_text == partial
    assert await asyncio.to_thread(fake.wait_for_disconnect, 5)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("how", ["cancel-task", "aclose-generator"])
async def test_stopping_the_consumer_closes_the_connection(
    fake: FakeProvider, make: MakeProvider, api: str, how: str
) -> None:
    fake.respond_with(Reply(text="abcdef", chunks=3, stall_after_chunks=1))
    provider = make(api)
    stream = provider.stream(REQUESTS[api])
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
