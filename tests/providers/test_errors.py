"""The one mapping from HTTP statuses, exceptions and in-stream payloads to the error tree."""

from __future__ import annotations

import json

import httpx
import pytest

from lsp_complete.errors import (
    ProviderAuthError,
    ProviderBillingError,
    ProviderError,
    ProviderNetworkError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderResponseError,
    ProviderServerError,
    ProviderTimeout,
)
from lsp_complete.providers.http import (
    MAX_MESSAGE_CHARS,
    error_from_exception,
    error_from_response,
    error_from_stream_payload,
    parse_retry_after,
    scrub,
    secrets_of,
)

KEY = "sk-live-SECRET0123456789"
OPENAI = json.dumps(
    {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": None}}
)
QUOTA = json.dumps({"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}})


@pytest.mark.parametrize(
    ("status", "headers", "body", "cls", "retry_after", "needle"),
    [
        (
            401,
            {},
            '{"error":{"message":"Incorrect API key provided"}}',
            ProviderAuthError,
            None,
            "Incorrect API",
        ),
        (403, {}, '{"error":{"message":"unsupported_country"}}', ProviderAuthError, None, "unsupported"),
        (
            402,
            {},
            '{"error":{"message":"Insufficient Balance","type":"unknown_error"}}',
            ProviderBillingError,
            None,
            "Insufficient Balance",
        ),
        (429, {}, QUOTA, ProviderBillingError, None, "exceeded your current quota"),
        (429, {"Retry-After": "2"}, OPENAI, ProviderRateLimited, 2.0, "Rate limit reached"),
        (429, {"retry-after": "1.5"}, OPENAI, ProviderRateLimited, 1.5, "Rate limit"),
        (429, {"retry-after-ms": "250", "retry-after": "9"}, OPENAI, ProviderRateLimited, 0.25, "Rate limit"),
        (
            429,
            {"retry-after": "soon"},
            '{"message":"Requests rate limit exceeded"}',
            ProviderRateLimited,
            None,
            "Requests rate limit exceeded",
        ),
        (429, {}, "", ProviderRateLimited, None, "HTTP 429"),
        (
            529,
            {},
            '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            ProviderOverloaded,
            None,
            "Overloaded",
        ),
        (
            503,
            {},
            '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}',
            ProviderOverloaded,
            None,
            "Loading model",
        ),
        (500, {}, '{"error":{"message":"The server had an error"}}', ProviderServerError, None, "server had"),
        (
            502,
            {},
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ProviderServerError,
            None,
            "Bad Gateway",
        ),
        (408, {}, '{"error":{"code":408,"message":"timeout"}}', ProviderServerError, None, "timeout"),
        (
            400,
            {},
            '{"error":{"message":"max_tokens is too large"}}',
            ProviderRequestError,
            None,
            "max_tokens",
        ),
        (
            404,
            {},
            '{"error":"model \\"x\\" not found, try pulling it first"}',
            ProviderRequestError,
            None,
            "not found",
        ),
        (
            422,
            {},
            '{"detail":[{"loc":["body","model"],"msg":"field required","type":"missing"}]}',
            ProviderRequestError,
            None,
            "field required",
        ),
        (
            400,
            {},
            '[{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT"}}]',
            ProviderRequestError,
            None,
            "API key not valid",
        ),
        (302, {}, "", ProviderResponseError, None, "HTTP 302"),
    ],
)
def test_error_from_response(
    status: int,
    headers: dict[str, str],
    body: str,
    cls: type[ProviderError],
    retry_after: float | None,
    needle: str,
) -> None:
    error = error_from_response("p", status, headers, body, secrets=(KEY,))
    assert type(error) is cls
    assert needle in str(error)
    assert str(error).startswith("p: ")
    if isinstance(error, ProviderRateLimited):
        assert error.retry_after == retry_after
    if status < 600 and cls is not ProviderResponseError:
        assert getattr(error, "status_code", None) == status


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"error": {"message": f"Incorrect API key provided: {KEY}."}}),
        json.dumps({"error": {"message": f"bad header Authorization: Bearer {KEY}"}}),
        json.dumps({"message": f"echo {{'api_key': '{KEY}'}}"}),
        f"plain text with the key {KEY} in it",
        json.dumps({"detail": [{"msg": f"key={KEY}"}]}),
    ],
)
@pytest.mark.parametrize("pass_secret", [True, False])
def test_key_never_in_message(body: str, pass_secret: bool) -> None:
    error = error_from_response("p", 401, {}, body, secrets=(KEY,) if pass_secret else ())
    assert KEY not in str(error)
    assert "SECRET0123456789" not in str(error)
    assert "[redacted]" in str(error)


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        ("token abcdXYZ1 leaked", ("abcdXYZ1",), "token [redacted] leaked"),
        ("Authorization: Bearer x.y.z", (), "Authorization: [redacted] [redacted]"),
        ("nothing secret here", (), "nothing secret here"),
        ("a\n\n  b", (), "a b"),
        ("x" * 1000, (), "x" * (MAX_MESSAGE_CHARS - 1) + "…"),
    ],
)
def test_scrub(text: str, secrets: tuple[str, ...], expected: str) -> None:
    assert scrub(text, secrets) == expected


def test_message_is_truncated() -> None:
    error = error_from_response("p", 500, {}, json.dumps({"error": {"message": "m" * 5000}}))
    assert len(str(error)) <= MAX_MESSAGE_CHARS + len("p: ")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": f"Bearer {KEY}"}, (KEY,)),
        ({"x-api-key": KEY, "user-agent": "x"}, (KEY,)),
        ({"user-agent": "lsp-complete"}, ()),
    ],
)
def test_secrets_of(headers: dict[str, str], expected: tuple[str, ...]) -> None:
    assert secrets_of(headers) == expected


NOW = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"}, 30.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:27:00 GMT"}, 0.0),
        ({"retry-after": "not a date"}, None),
        ({"x-ratelimit-reset-requests": "1h2m3.5s"}, 3723.5),
        ({"x-ratelimit-reset-tokens": "250ms"}, 0.25),
        ({"x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-reset-requests": "2s"}, 2.0),
        (
            {
                "x-ratelimit-reset-tokens": "6m0s",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-requests": "2s",
            },
            360.0,
        ),
        ({"x-ratelimit-reset-tokens": "6 minutes"}, None),
        ({"anthropic-ratelimit-requests-reset": "2015-10-21T07:28:45Z"}, 45.0),
        ({"anthropic-ratelimit-requests-reset": "2015-10-21T07:28:45"}, None),  # no zone: unusable
        ({"retry-after": "bogus", "x-ratelimit-reset-requests": "3s"}, 3.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


REQ = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions?key=sk-query-SECRET999")


@pytest.mark.parametrize(
    ("exc", "in_body", "cls"),
    [
        (httpx.ConnectTimeout("timed out", request=REQ), False, ProviderTimeout),
        (httpx.ReadTimeout("", request=REQ), True, ProviderTimeout),
        (httpx.PoolTimeout("", request=REQ), False, ProviderTimeout),
        (TimeoutError(), False, ProviderTimeout),
        (httpx.ConnectError("[Errno 111] Connection refused", request=REQ), False, ProviderNetworkError),
        (httpx.RemoteProtocolError("Server disconnected", request=REQ), False, ProviderNetworkError),
        (httpx.RemoteProtocolError("incomplete chunked read", request=REQ), True, ProviderResponseError),
        (httpx.ReadError("reset", request=REQ), True, ProviderResponseError),
        (httpx.ReadError("reset", request=REQ), False, ProviderNetworkError),
        (ConnectionResetError("reset"), False, ProviderNetworkError),
        (httpx.DecodingError("bad gzip", request=REQ), True, ProviderResponseError),
        (
            httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'", request=REQ),
            False,
            ProviderNetworkError,
        ),
    ],
)
def test_error_from_exception(exc: BaseException, in_body: bool, cls: type[ProviderError]) -> None:
    error = error_from_exception("p", exc, "partial", in_body=in_body)
    assert type(error) is cls
    assert error.partial_text == "partial"
    assert error.provider == "p"


def test_exception_message_is_scrubbed() -> None:
    exc = httpx.ConnectError(f"failed for {REQ.url}", request=REQ)
    assert "SECRET999" not in str(error_from_exception("p", exc))


@pytest.mark.parametrize(
    ("obj", "needle"),
    [
        ({"error": {"message": "Internal error", "type": "server_error", "code": "x"}}, "Internal error"),
        (
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            "overloaded_error",
        ),
        (
            {
                "id": "c",
                "error": {"code": "server_error", "message": "Provider disconnected unexpectedly"},
                "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
            },
            "Provider disconnected",
        ),
        ({"error": "model crashed"}, "model crashed"),
        ({"error": {"message": f"bad key {KEY}"}}, "[redacted]"),
    ],
)
def test_error_from_stream_payload(obj: object, needle: str) -> None:
    error = error_from_stream_payload("p", obj, secrets=(KEY,), partial_text="so far")
    assert isinstance(error, ProviderResponseError)
    assert needle in str(error)
    assert KEY not in str(error)
    assert error.partial_text == "so far"


@pytest.mark.parametrize(
    "obj", [{"choices": []}, {"error": None}, {"error": {}}, "text", [1, 2], None, {"usage": {"x": 1}}]
)
def test_stream_payload_without_error(obj: object) -> None:
    assert error_from_stream_payload("p", obj) is None
