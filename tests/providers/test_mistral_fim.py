"""``mistral-fim`` (Codestral ``/fim/completions``) over real HTTP against the fake."""

from __future__ import annotations

import pytest

from lsp_complete.core.types import ModelRequest, StreamEnd, Usage
from lsp_complete.errors import (
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderResponseError,
)
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import FIM, KEY, TEXT, MakeProvider, collect, failure, text_of


@pytest.mark.parametrize(
    ("request_", "extra"),
    [
        (FIM, {"suffix": FIM.suffix}),
        (ModelRequest(model="coder", prompt="<s>[SUFFIX]y[PREFIX]x", stop=("</s>",)), {"stop": ["</s>"]}),
    ],
    ids=["with-suffix", "no-suffix"],
)
async def test_request_body_and_auth(
    fake: FakeProvider, make: MakeProvider, request_: ModelRequest, extra: dict[str, object]
) -> None:
    await collect(make("mistral-fim"), request_)
    sent = fake.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/fim/completions")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.json == {  # no stream_options: Mistral rejects it
        "model": "coder",
        "prompt": request_.prompt,
        "max_tokens": request_.max_tokens,
        "temperature": 0.0,
        "stream": True,
        **extra,
    }


@pytest.mark.parametrize(
    ("reply", "usage"),
    [
        (Reply(text=TEXT, chunks=3, usage={"prompt_tokens": 17, "completion_tokens": 28}), Usage(17, 0, 28)),
        (
            Reply(text=TEXT, chunks=3, usage={"prompt_tokens": 17, "completion_tokens": 28}, cached=16),
            Usage(17, 16, 28),
        ),
        (Reply(text=TEXT, chunks=3, usage_mode="none"), None),
    ],
    ids=["last-chunk-usage", "cached", "no-usage"],
)
async def test_chat_shaped_stream_and_usage(
    fake: FakeProvider, make: MakeProvider, reply: Reply, usage: Usage | None
) -> None:
    fake.respond_with(reply)
    events = await collect(make("mistral-fim"), FIM)
    assert text_of(events) == TEXT
    assert events[-1] == StreamEnd(usage=usage, finish_reason="stop")


@pytest.mark.parametrize("after", [0, 2])
async def test_error_inside_200_stream(fake: FakeProvider, make: MakeProvider, after: int) -> None:
    error = {"object": "error", "message": "Service unavailable", "type": "internal_error"}
    fake.respond_with(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=after))
    exc = await failure(make("mistral-fim"), FIM)
    assert type(exc) is ProviderResponseError
    assert "Service unavailable" in str(exc)
    assert exc.partial_text == "abcd"[:after]


@pytest.mark.parametrize(
    ("reply", "cls", "needle"),
    [
        (
            Reply(
                status=422,
                error_body={
                    "detail": [{"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]
                },
            ),
            ProviderRequestError,
            "Field required",
        ),
        (
            Reply(status=429, error_body={"message": "Requests rate limit exceeded"}),
            ProviderRateLimited,
            "rate limit",
        ),
        (
            Reply(
                status=429,
                error_body={
                    "object": "error",
                    "message": "Rate limit exceeded",
                    "type": "rate_limited",
                    "param": None,
                    "code": "1300",
                },
            ),
            ProviderRateLimited,
            "Rate limit",
        ),
        (Reply(status=503, error_body={"message": "Service unavailable"}), ProviderOverloaded, "unavailable"),
    ],
    ids=["422-detail", "429-2025", "429-2026", "503"],
)
async def test_http_error_bodies(
    fake: FakeProvider, make: MakeProvider, reply: Reply, cls: type[ProviderError], needle: str
) -> None:
    fake.respond_with(reply)
    exc = await failure(make("mistral-fim"), FIM)
    assert type(exc) is cls
    assert needle in str(exc)
