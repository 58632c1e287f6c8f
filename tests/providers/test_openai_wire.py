"""Both OpenAI-shaped wire formats over real HTTP against the fake provider on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from lsp_complete.core.types import ChatMessage, ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage
from lsp_complete.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderNetworkError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderServerError,
    ProviderTimeout,
)
from lsp_complete.providers import SUPPORTED_APIS, Provider, Timeouts, build_provider
from tests.fake_provider import FakeProvider, Reply

KEY = "sk-test-KEY0123456789abcdef"
APIS = ["openai-chat", "openai-completions"]
CHAT = ModelRequest(
    model="coder",
    messages=(ChatMessage("system", "complete code"), ChatMessage("user", "def add(a, b):")),
    max_tokens=32,
    temperature=0.2,
    stop=("\n\n",),
)
FIM = ModelRequest(model="coder", prompt="def add(a, b):\n    ", suffix="\n\nprint(add(1, 2))", max_tokens=32)
REQUESTS = {"openai-chat": CHAT, "openai-completions": FIM}
GENEROUS = Timeouts(connect_s=2.0, first_token_s=10.0, total_s=20.0)
TEXT = "return a + b  # é 😀 漢字"

MakeProvider = Callable[..., Provider]


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as server:
        yield server


@pytest.fixture
async def make(fake: FakeProvider) -> AsyncIterator[MakeProvider]:
    made: list[Provider] = []

    def _make(api: str, key: str | None = KEY, timeouts: Timeouts = GENEROUS, **kw: object) -> Provider:
        provider = build_provider("fake", api, fake.url, key, timeouts=timeouts, **kw)  # type: ignore[arg-type]
        made.append(provider)
        return provider

    yield _make
    for provider in made:
        await provider.aclose()


async def collect(provider: Provider, request: ModelRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def failure(provider: Provider, request: ModelRequest) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        await collect(provider, request)
    return info.value


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    "wire",
    [
        {},
        {"framing": "close"},
        {"crlf": True, "comments": ("keep-alive", "OPENROUTER PROCESSING")},
        {"write_size": 3},
        {"write_size": 1, "crlf": True},
        {"delay_between_s": 0.01},
    ],
    ids=["chunked", "close-delimited", "crlf-comments", "3-byte-writes", "1-byte-writes", "trickle"],
)
async def test_streamed_text_is_assembled(
    fake: FakeProvider, make: MakeProvider, api: str, wire: dict[str, object]
) -> None:
    fake.respond_with(Reply(text=TEXT, chunks=7, **wire))  # type: ignore[arg-type]
    events = await collect(make(api), REQUESTS[api])
    assert text_of(events) == TEXT
    assert len([e for e in events if isinstance(e, TextDelta)]) == 7
    assert isinstance(events[-1], StreamEnd)
    assert events[-1].finish_reason == "stop"
    assert [e for e in events if isinstance(e, StreamEnd)] == events[-1:]


async def test_chat_request_body(fake: FakeProvider, make: MakeProvider) -> None:
    await collect(make("openai-chat"), CHAT)
    request = fake.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["accept"] == "text/event-stream"
    assert request.json == {
        "model": "coder",
        "messages": [
            {"role": "system", "content": "complete code"},
            {"role": "user", "content": "def add(a, b):"},
        ],
        "max_tokens": 32,
        "temperature": 0.2,
        "stream": True,
        "stream_options": {"include_usage": True},
        "stop": ["\n\n"],
    }


@pytest.mark.parametrize(
    ("request_", "extra"),
    [
        (FIM, {"suffix": "\n\nprint(add(1, 2))"}),
        (ModelRequest(model="coder", prompt="<PRE>x<SUF>y<MID>", stop=("<EOT>",)), {"stop": ["<EOT>"]}),
    ],
    ids=["with-suffix", "raw-template-no-suffix"],
)
async def test_completions_request_body(
    fake: FakeProvider, make: MakeProvider, request_: ModelRequest, extra: dict[str, object]
) -> None:
    await collect(make("openai-completions"), request_)
    request = fake.requests[0]
    assert request.path == "/v1/completions"
    assert request.json == {
        "model": "coder",
        "prompt": request_.prompt,
        "max_tokens": request_.max_tokens,
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
        **extra,
    }


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("reply", "usage"),
    [
        (Reply(text="ab", usage={"prompt_tokens": 31, "completion_tokens": 5}), Usage(31, 0, 5)),
        (Reply(text="ab", usage={"prompt_tokens": 31, "completion_tokens": 5}, cached=24), Usage(31, 24, 5)),
        (
            Reply(
                text="ab",
                usage={"prompt_tokens": 31, "completion_tokens": 5},
                cached=16,
                cached_style="deepseek",
            ),
            Usage(31, 16, 5),
        ),
        (
            Reply(
                text="ab",
                usage={"prompt_tokens": 9, "completion_tokens": 2},
                cached=8,
                usage_mode="last-chunk",
                cached_style="both",
            ),
            Usage(9, 8, 2),
        ),
        (Reply(text="ab", usage_mode="none"), None),
    ],
    ids=["openai", "openai-cached", "deepseek-cached", "deepseek-last-chunk", "no-usage"],
)
async def test_usage_and_cached_tokens(
    fake: FakeProvider, make: MakeProvider, api: str, reply: Reply, usage: Usage | None
) -> None:
    fake.respond_with(reply)
    events = await collect(make(api), REQUESTS[api])
    assert events[-1] == StreamEnd(usage=usage, finish_reason="stop")


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
        await stream.aclose()  # type: ignore[attr-defined]
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


@pytest.mark.parametrize("api", APIS)
async def test_connection_is_reused(fake: FakeProvider, make: MakeProvider, api: str) -> None:
    provider = make(api)
    for _ in range(3):
        assert text_of(await collect(provider, REQUESTS[api])) == "ok"
    assert len({r.connection for r in fake.requests}) == 1
    assert fake.disconnects == 0


async def test_key_in_authorization_only(fake: FakeProvider, make: MakeProvider) -> None:
    provider = make("openai-chat", headers={"X-Title": "lsp-complete", "Authorization": "Bearer other"})
    await collect(provider, CHAT)
    headers = fake.requests[0].headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["x-title"] == "lsp-complete"
    assert KEY not in repr(provider)
    assert KEY not in str(provider)
    assert "fake" in repr(provider)
    assert "openai-chat" in repr(provider)
    assert not any(KEY in str(v) for v in vars(provider).values() if isinstance(v, str))


async def test_no_key_no_authorization(fake: FakeProvider, make: MakeProvider) -> None:
    await collect(make("openai-completions", key=None), FIM)
    assert "authorization" not in fake.requests[0].headers


async def test_connect_refused() -> None:
    with FakeProvider() as gone:
        url = gone.url
    provider = build_provider("down", "openai-chat", url, KEY, timeouts=GENEROUS)
    try:
        exc = await failure(provider, CHAT)
    finally:
        await provider.aclose()
    assert type(exc) is ProviderNetworkError
    assert KEY not in str(exc)


def test_unknown_api_is_a_config_error() -> None:
    assert set(SUPPORTED_APIS) == set(APIS)
    with pytest.raises(ConfigError, match="anthropic-nope"):
        build_provider("x", "anthropic-nope", "http://127.0.0.1:9/v1", KEY)
