"""``anthropic`` over real HTTP against the fake: body, x-api-key auth, usage with cache reads and writes,
typed in-stream errors and Anthropic's HTTP error bodies."""

from __future__ import annotations

import pytest

from lsp_complete.core.types import ChatMessage, ModelRequest, StreamEnd, Usage
from lsp_complete.errors import (
    ProviderAuthError,
    ProviderBillingError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderResponseError,
    ProviderServerError,
)
from lsp_complete.providers.http import error_from_anthropic_event
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import CHAT, FIM, KEY, MakeProvider, collect, failure, text_of

U = {"prompt_tokens": 100, "completion_tokens": 7}


async def test_request_body_and_headers(fake: FakeProvider, make: MakeProvider) -> None:
    request = ModelRequest(
        model="claude-sonnet-4-6",
        messages=(
            ChatMessage("system", "complete code"),
            ChatMessage("system", "be brief"),
            ChatMessage("user", "def add(a, b):"),
            ChatMessage("assistant", "return"),
        ),
        max_tokens=64,
        temperature=0.2,
        stop=("\n\n", " ", "\n\ndef ", ""),
    )
    await collect(make("anthropic", headers={"anthropic-beta": "x"}), request)
    sent = fake.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["anthropic-beta"] == "x"
    assert sent.headers["accept"] == "text/event-stream"
    assert "authorization" not in sent.headers
    assert sent.json == {
        "model": "claude-sonnet-4-6",
        "max_tokens": 64,
        "system": "complete code\n\nbe brief",
        "messages": [
            {"role": "user", "content": "def add(a, b):"},
            {"role": "assistant", "content": "return"},
        ],
        "stream": True,
        "temperature": 0.2,
        "stop_sequences": ["\n\ndef "],  # Anthropic answers 400 to whitespace-only stop sequences
    }


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            FIM,
            {
                "messages": [
                    {"role": "user", "content": f"<prefix>{FIM.prompt}</prefix><suffix>{FIM.suffix}</suffix>"}
                ],
                "temperature": 0.0,
            },
        ),
        (
            ModelRequest(model="claude-sonnet-5", prompt="raw"),
            {"messages": [{"role": "user", "content": "raw"}]},
        ),
    ],
    ids=["fim-as-one-user-message", "sonnet-5-no-temperature"],
)
async def test_prompt_requests(
    fake: FakeProvider, make: MakeProvider, request_: ModelRequest, expected: dict[str, object]
) -> None:
    await collect(make("anthropic"), request_)
    body = fake.requests[0].json
    assert {k: body[k] for k in ("messages", "temperature") if k in body} == expected
    assert "system" not in body
    assert "stop_sequences" not in body


async def test_no_key_sends_no_auth(fake: FakeProvider, make: MakeProvider) -> None:
    provider = make("anthropic", key=None)
    await collect(provider, CHAT)
    assert not {"x-api-key", "authorization"} & set(fake.requests[0].headers)


async def test_key_never_in_repr(make: MakeProvider) -> None:
    provider = make("anthropic")
    assert KEY not in repr(provider)
    assert "anthropic" in repr(provider)


@pytest.mark.parametrize(
    ("reply", "usage"),
    [
        (Reply(text="ab", usage=U), Usage(100, 0, 7)),
        (Reply(text="ab", usage=U, cached=80), Usage(100, 80, 7)),
        (Reply(text="ab", usage=U, cached=60, cache_write=30), Usage(100, 60, 7)),
        (Reply(text="ab", usage=U, cache_write=90), Usage(100, 0, 7)),
        (Reply(text="ab", usage_mode="none"), None),
    ],
    ids=["plain", "cache-read", "cache-read-and-write", "cache-write", "no-usage"],
)
async def test_usage_includes_cached_input(
    fake: FakeProvider, make: MakeProvider, reply: Reply, usage: Usage | None
) -> None:
    fake.respond_with(reply)
    events = await collect(make("anthropic"), CHAT)
    assert text_of(events) == "ab"
    assert events[-1] == StreamEnd(usage=usage, finish_reason="end_turn")


@pytest.mark.parametrize(
    ("error", "cls", "status"),
    [
        ({"type": "overloaded_error", "message": "Overloaded"}, ProviderOverloaded, 529),
        ({"type": "rate_limit_error", "message": "slow down"}, ProviderRateLimited, 429),
        ({"type": "api_error", "message": "Internal server error"}, ProviderServerError, 500),
        ({"type": "invalid_request_error", "message": "prompt too long"}, ProviderRequestError, 400),
        ({"type": "brand_new_error", "message": "what is this"}, ProviderResponseError, None),
        ({"type": "api_error", "message": f"echo {KEY}"}, ProviderServerError, 500),
    ],
    ids=["overloaded", "rate-limit", "api-error", "invalid-request", "unknown-type", "echoed-key"],
)
@pytest.mark.parametrize("after", [0, 2])
async def test_error_event_inside_200_stream(
    fake: FakeProvider,
    make: MakeProvider,
    error: dict[str, object],
    cls: type[ProviderError],
    status: int | None,
    after: int,
) -> None:
    fake.respond_with(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=after))
    exc = await failure(make("anthropic"), CHAT)
    assert type(exc) is cls
    assert getattr(exc, "status_code", None) == status
    assert exc.partial_text == "abcd"[:after]
    assert "in stream" in str(exc)
    assert str(error["type"]) in str(exc)
    assert KEY not in str(exc)


def _body(kind: str, message: str, **details: object) -> dict[str, object]:
    error: dict[str, object] = {"type": kind, "message": message, **({"details": details} if details else {})}
    return {"type": "error", "error": error, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (Reply(status=529, error_body=_body("overloaded_error", "Overloaded")), ProviderOverloaded),
        (
            Reply(
                status=429, error_body=_body("rate_limit_error", "Rate limited"), headers={"retry-after": "3"}
            ),
            ProviderRateLimited,
        ),
        (
            Reply(
                status=429,
                error_body=_body("rate_limit_error", "spend cap", error_code="enforced_spend_limit_reached"),
            ),
            ProviderBillingError,
        ),
        (Reply(status=401, error_body=_body("authentication_error", "invalid x-api-key")), ProviderAuthError),
        (
            Reply(status=402, error_body=_body("billing_error", "credit balance too low")),
            ProviderBillingError,
        ),
        (
            Reply(status=400, error_body=_body("invalid_request_error", "max_tokens: required")),
            ProviderRequestError,
        ),
        (Reply(status=504, error_body=_body("timeout_error", "Request timeout")), ProviderServerError),
    ],
    ids=["529", "429", "429-spend-limit", "401", "402", "400", "504"],
)
async def test_http_error_bodies(
    fake: FakeProvider, make: MakeProvider, reply: Reply, cls: type[ProviderError]
) -> None:
    fake.respond_with(reply)
    exc = await failure(make("anthropic"), CHAT)
    assert type(exc) is cls
    assert getattr(exc, "status_code", None) == reply.status
    assert isinstance(reply.error_body, dict)
    assert reply.error_body["error"]["message"] in str(exc)
    if cls is ProviderRateLimited:
        assert getattr(exc, "retry_after", None) == 3.0


@pytest.mark.parametrize("obj", [{"type": "ping"}, {"type": "message_stop"}, {"error": None}, "text", None])
def test_events_without_error(obj: object) -> None:
    assert error_from_anthropic_event("p", obj) is None


def test_error_event_keeps_partial_text() -> None:
    error = error_from_anthropic_event(
        "p",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        partial_text="x",
    )
    assert isinstance(error, ProviderOverloaded)
    assert error.partial_text == "x"
    assert str(error).startswith("p: error in stream")
