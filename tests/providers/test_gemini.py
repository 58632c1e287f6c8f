"""Gemini is ``openai-chat`` at its OpenAI-compatible endpoint; what differs is its error shape: a JSON
list ``[{"error": {...}}]`` on some errors, and ``RetryInfo.retryDelay`` in the body instead of a header."""

from __future__ import annotations

import json

import pytest

from lsp_complete.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderResponseError,
    ProviderServerError,
)
from lsp_complete.providers.http import error_from_stream_payload, retry_delay_from_body
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import CHAT, MakeProvider, failure

RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "46s"}


def _error(code: int, status: str, message: str, *details: object, wrap: bool = True) -> object:
    error: dict[str, object] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    return [{"error": error}] if wrap else {"error": error}


@pytest.mark.parametrize(
    ("reply", "cls", "retry_after", "needle"),
    [
        (
            Reply(
                status=429,
                error_body=_error(
                    429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."
                ),
            ),
            ProviderRateLimited,
            None,
            "Resource has been exhausted",
        ),
        (
            Reply(status=429, error_body=_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", RETRY_INFO)),
            ProviderRateLimited,
            46.0,
            "Quota exceeded",
        ),
        (
            Reply(
                status=429,
                error_body=_error(429, "RESOURCE_EXHAUSTED", "Quota", RETRY_INFO, wrap=False),
                headers={"retry-after": "5"},
            ),
            ProviderRateLimited,
            5.0,
            "Quota",
        ),
        (
            Reply(status=400, error_body=_error(400, "INVALID_ARGUMENT", "API key not valid")),
            ProviderRequestError,
            None,
            "API key not valid",
        ),
        (
            Reply(status=403, error_body=_error(403, "PERMISSION_DENIED", "denied")),
            ProviderAuthError,
            None,
            "denied",
        ),
        (
            Reply(status=503, error_body=_error(503, "UNAVAILABLE", "The model is overloaded")),
            ProviderOverloaded,
            None,
            "overloaded",
        ),
        (
            Reply(status=504, error_body=_error(504, "DEADLINE_EXCEEDED", "Deadline")),
            ProviderServerError,
            None,
            "Deadline",
        ),
    ],
    ids=["429-list", "429-retry-info", "429-header-wins", "400-list", "403", "503", "504"],
)
async def test_http_errors_over_the_wire(
    fake: FakeProvider,
    make: MakeProvider,
    reply: Reply,
    cls: type[ProviderError],
    retry_after: float | None,
    needle: str,
) -> None:
    fake.respond_with(reply)
    exc = await failure(make("openai-chat"), CHAT)
    assert type(exc) is cls
    assert needle in str(exc)
    assert getattr(exc, "status_code", None) == reply.status
    assert getattr(exc, "retry_after", None) == retry_after


async def test_list_error_as_a_200_body(fake: FakeProvider, make: MakeProvider) -> None:
    fake.respond_with(Reply(status=200, error_body=_error(500, "INTERNAL", "An internal error has occurred")))
    exc = await failure(make("openai-chat"), CHAT)
    assert type(exc) is ProviderResponseError
    assert "internal error has occurred" in str(exc)
    assert "INTERNAL" in str(exc)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (json.dumps(_error(429, "RESOURCE_EXHAUSTED", "q", RETRY_INFO)), 46.0),
        (json.dumps(_error(429, "RESOURCE_EXHAUSTED", "q", {"retryDelay": "0.5s"}, wrap=False)), 0.5),
        (json.dumps(_error(429, "RESOURCE_EXHAUSTED", "q", {"retryDelay": "10h17m"})), None),
        (json.dumps(_error(429, "RESOURCE_EXHAUSTED", "q")), None),
        ("not json", None),
        ("[]", None),
    ],
    ids=["list", "object-fraction", "not-seconds", "no-details", "text", "empty-list"],
)
def test_retry_delay_from_body(body: str, expected: float | None) -> None:
    assert retry_delay_from_body(body) == expected


def test_list_wrapped_stream_payload() -> None:
    error = error_from_stream_payload("p", _error(500, "INTERNAL", "boom"))
    assert isinstance(error, ProviderResponseError)
    assert "boom" in str(error)
