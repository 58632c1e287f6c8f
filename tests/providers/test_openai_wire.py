"""Both OpenAI-shaped wire formats over real HTTP against the fake provider: text, bodies, usage, keys."""

from __future__ import annotations

import pytest

from lsp_complete.core.types import ModelRequest, StreamEnd, TextDelta, Usage
from lsp_complete.errors import (
    ConfigError,
    ProviderNetworkError,
)
from lsp_complete.providers import SUPPORTED_APIS, build_provider
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import (
    APIS,
    CHAT,
    FIM,
    GENEROUS,
    KEY,
    REQUESTS,
    TEXT,
    MakeProvider,
    collect,
    failure,
    text_of,
)


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
    assert set(SUPPORTED_APIS) == {*APIS, "mistral-fim", "anthropic", "ollama", "llamacpp-infill"}
    with pytest.raises(ConfigError, match="anthropic-nope"):
        build_provider("x", "anthropic-nope", "http://127.0.0.1:9/v1", KEY)
