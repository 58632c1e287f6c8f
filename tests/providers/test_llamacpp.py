"""``llamacpp-infill`` (llama-server ``/infill``) over real HTTP against the fake."""

from __future__ import annotations

import pytest

from lsp_complete.core.types import ModelRequest, StreamEnd, Usage
from lsp_complete.errors import (
    ProviderError,
    ProviderOverloaded,
    ProviderRequestError,
    ProviderResponseError,
)
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import FIM, KEY, TEXT, MakeProvider, collect, failure, text_of

BASE = {"model": "coder", "n_predict": 32, "temperature": 0.0, "stream": True, "cache_prompt": True}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (FIM, {**BASE, "input_prefix": FIM.prompt, "input_suffix": FIM.suffix}),
        (
            ModelRequest(model="coder", prompt="x = ", max_tokens=32, stop=("\n",)),
            {**BASE, "input_prefix": "x = ", "input_suffix": "", "stop": ["\n"]},
        ),
    ],
    ids=["prefix-suffix", "no-suffix"],
)
async def test_request_body(
    fake: FakeProvider, make: MakeProvider, request_: ModelRequest, expected: dict[str, object]
) -> None:
    await collect(make("llamacpp-infill", key=None, prefix=""), request_)
    sent = fake.requests[0]
    assert (sent.method, sent.path) == ("POST", "/infill")
    assert "authorization" not in sent.headers
    assert sent.json == expected


async def test_optional_key_as_bearer(fake: FakeProvider, make: MakeProvider) -> None:
    provider = make("llamacpp-infill", prefix="")
    await collect(provider, FIM)
    assert fake.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(provider)


@pytest.mark.parametrize(
    ("reply", "end"),
    [
        (
            Reply(text=TEXT, chunks=4, usage={"prompt_tokens": 300, "completion_tokens": 12}),
            StreamEnd(Usage(300, 0, 12), "eos"),
        ),
        (
            Reply(text=TEXT, chunks=4, usage={"prompt_tokens": 300, "completion_tokens": 12}, cached=256),
            StreamEnd(Usage(300, 256, 12), "eos"),
        ),
        (Reply(text=TEXT, chunks=4, usage_mode="none", finish_reason="length"), StreamEnd(None, "limit")),
    ],
    ids=["usage", "cache-reuse", "no-stats"],
)
async def test_stream_and_usage(fake: FakeProvider, make: MakeProvider, reply: Reply, end: StreamEnd) -> None:
    fake.respond_with(reply)
    events = await collect(make("llamacpp-infill", key=None, prefix=""), FIM)
    assert text_of(events) == TEXT
    assert events[-1] == end


@pytest.mark.parametrize("after", [0, 3])
async def test_error_inside_200_stream(fake: FakeProvider, make: MakeProvider, after: int) -> None:
    error = {"code": 500, "message": "failed to decode the batch", "type": "server_error"}
    fake.respond_with(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=after))
    exc = await failure(make("llamacpp-infill", key=None, prefix=""), FIM)
    assert type(exc) is ProviderResponseError
    assert "failed to decode" in str(exc)
    assert exc.partial_text == "abcd"[:after]


def _err(code: int, message: str, kind: str) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "type": kind}}


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (Reply(status=503, error_body=_err(503, "Loading model", "unavailable_error")), ProviderOverloaded),
        (
            Reply(
                status=501,
                error_body=_err(
                    501,
                    "Infill is not supported by this model: prefix token is missing. ",
                    "not_supported_error",
                ),
            ),
            ProviderRequestError,
        ),
        (
            Reply(
                status=400,
                error_body=_err(
                    400, "the request exceeds the available context size", "exceed_context_size_error"
                ),
            ),
            ProviderRequestError,
        ),
    ],
    ids=["503-loading", "501-no-fim-tokens", "400-context"],
)
async def test_http_errors(
    fake: FakeProvider, make: MakeProvider, reply: Reply, cls: type[ProviderError]
) -> None:
    fake.respond_with(reply)
    exc = await failure(make("llamacpp-infill", key=None, prefix=""), FIM)
    assert type(exc) is cls
    assert getattr(exc, "status_code", None) == reply.status
    assert not exc.retryable or cls is ProviderOverloaded
