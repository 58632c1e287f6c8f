"""``ollama`` (native ``/api/generate``, NDJSON) over real HTTP against the fake."""

from __future__ import annotations

import pytest

from lsp_complete.core.types import ChatMessage, ModelRequest, StreamEnd, Usage
from lsp_complete.errors import (
    ProviderError,
    ProviderRequestError,
    ProviderResponseError,
    ProviderServerError,
)
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import FIM, KEY, TEXT, MakeProvider, collect, failure, text_of

OPTIONS = {"num_predict": 32, "temperature": 0.0}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            FIM,
            {
                "model": "coder",
                "prompt": FIM.prompt,
                "suffix": FIM.suffix,
                "stream": True,
                "options": OPTIONS,
            },
        ),
        (
            ModelRequest(
                model="coder",
                prompt="<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>",
                max_tokens=32,
                stop=("<|endoftext|>",),
            ),
            {
                "model": "coder",
                "prompt": "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>",
                "raw": True,
                "stream": True,
                "options": {**OPTIONS, "stop": ["<|endoftext|>"]},
            },
        ),
        (
            ModelRequest(
                model="coder",
                messages=(ChatMessage("system", "sys"), ChatMessage("user", "hi")),
                max_tokens=32,
            ),
            {"model": "coder", "prompt": "hi", "system": "sys", "stream": True, "options": OPTIONS},
        ),
    ],
    ids=["fim-suffix", "raw-template", "chat-messages"],
)
async def test_request_body(
    fake: FakeProvider, make: MakeProvider, request_: ModelRequest, expected: dict[str, object]
) -> None:
    await collect(make("ollama", key=None, prefix=""), request_)
    sent = fake.requests[0]
    assert (sent.method, sent.path) == ("POST", "/api/generate")
    assert sent.headers["accept"] == "application/x-ndjson"
    assert "authorization" not in sent.headers
    assert sent.json == expected


async def test_key_if_configured_is_a_bearer_token(fake: FakeProvider, make: MakeProvider) -> None:
    await collect(make("ollama", prefix=""), FIM)  # e.g. behind an authenticating proxy
    assert fake.requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("reply", "end"),
    [
        (
            Reply(text=TEXT, chunks=5, usage={"prompt_tokens": 17, "completion_tokens": 63}),
            StreamEnd(Usage(17, 0, 63), "stop"),
        ),
        (Reply(text=TEXT, chunks=5, usage_mode="none"), StreamEnd(None, "stop")),
        (
            Reply(text=TEXT, chunks=5, write_size=1, finish_reason="length"),
            StreamEnd(Usage(10, 0, 5), "length"),
        ),
    ],
    ids=["usage", "no-counts", "1-byte-writes"],
)
async def test_ndjson_stream(fake: FakeProvider, make: MakeProvider, reply: Reply, end: StreamEnd) -> None:
    fake.respond_with(reply)
    events = await collect(make("ollama", key=None, prefix=""), FIM)
    assert text_of(events) == TEXT
    assert events[-1] == end


@pytest.mark.parametrize("after", [0, 2])
async def test_error_line_inside_200_stream(fake: FakeProvider, make: MakeProvider, after: int) -> None:
    error = {"error": "an error was encountered while running the model: unexpected EOF"}
    fake.respond_with(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=after))
    exc = await failure(make("ollama", key=None, prefix=""), FIM)
    assert type(exc) is ProviderResponseError
    assert "unexpected EOF" in str(exc)
    assert exc.partial_text == "abcd"[:after]


@pytest.mark.parametrize(
    ("reply", "cls", "needle"),
    [
        (
            Reply(status=400, error_body={"error": "qwen2.5-coder:1.5b does not support insert"}),
            ProviderRequestError,
            "does not support insert",
        ),
        (
            Reply(status=404, error_body={"error": 'model "nope" not found, try pulling it first'}),
            ProviderRequestError,
            "not found",
        ),
        (
            Reply(status=500, error_body={"error": "llama runner process has terminated"}),
            ProviderServerError,
            "runner",
        ),
        (Reply(status=200, error_body={"error": "model is loading"}), ProviderResponseError, "loading"),
        (Reply(status=200, error_body="<html>proxy</html>"), ProviderResponseError, "unparsable"),
    ],
    ids=["400-no-insert", "404-not-pulled", "500", "200-json-error", "200-html"],
)
async def test_errors(
    fake: FakeProvider, make: MakeProvider, reply: Reply, cls: type[ProviderError], needle: str
) -> None:
    fake.respond_with(reply)
    exc = await failure(make("ollama", key=None, prefix=""), FIM)
    assert type(exc) is cls
    assert needle in str(exc)
