"""provider-apis.md §10 scenarios over real HTTP not covered per format elsewhere: every Retry-After form
on a 429, 402, 529, an HTML error page, a huge error body, a slow trickle past the total deadline."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC, datetime, timedelta

import pytest

from lsp_complete.errors import (
    ProviderBillingError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderServerError,
    ProviderTimeout,
)
from lsp_complete.providers import Timeouts
from lsp_complete.providers.http import MAX_MESSAGE_CHARS
from tests.fake_provider import FakeProvider, Reply
from tests.providers.wire import REQUESTS, MakeProvider, failure

API = "openai-chat"
LIMITED = {"error": {"message": "Rate limit reached", "type": "requests"}}


def _http_date(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def _rfc3339(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        (lambda: {"retry-after": "7"}, 7, 7),
        (lambda: {"retry-after": "1.5"}, 1.5, 1.5),
        (lambda: {"retry-after-ms": "2500"}, 2.5, 2.5),
        (lambda: {"retry-after": _http_date(30)}, 25, 31),
        (
            lambda: {
                "x-ratelimit-reset-tokens": "6m0s",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-requests": "120ms",
                "x-ratelimit-remaining-requests": "59",
            },
            360,
            360,
        ),
        (lambda: {"x-ratelimit-reset-requests": "1m30s", "x-ratelimit-reset-tokens": "20ms"}, 0.02, 0.02),
        (
            lambda: {
                "anthropic-ratelimit-tokens-reset": _rfc3339(40),
                "anthropic-ratelimit-tokens-remaining": "0",
            },
            35,
            41,
        ),
    ],
    ids=[
        "seconds",
        "fraction",
        "ms",
        "http-date",
        "openai-reset-exhausted",
        "openai-reset-soonest",
        "anthropic-rfc3339",
    ],
)
async def test_429_retry_after_forms(
    fake: FakeProvider, make: MakeProvider, headers: object, low: float, high: float
) -> None:
    fake.respond_with(Reply(status=429, headers=headers(), error_body=LIMITED))  # type: ignore[operator]
    exc = await failure(make(API), REQUESTS[API])
    assert isinstance(exc, ProviderRateLimited) and exc.retry_after is not None
    assert low <= exc.retry_after <= high


async def test_429_without_any_hint_has_no_retry_after(fake: FakeProvider, make: MakeProvider) -> None:
    fake.respond_with(Reply(status=429, headers={"x-ratelimit-reset-tokens": "soon"}, error_body=LIMITED))
    exc = await failure(make(API), REQUESTS[API])
    assert isinstance(exc, ProviderRateLimited) and exc.retry_after is None


@pytest.mark.parametrize(
    ("reply", "cls", "needle"),
    [
        (
            Reply(status=402, error_body={"error": {"message": "Insufficient Balance"}}),
            ProviderBillingError,
            "Insufficient Balance",
        ),
        (
            Reply(
                status=529,
                error_body={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            ),
            ProviderOverloaded,
            "Overloaded",
        ),
        (
            Reply(
                status=502,
                error_body="<html><head><title>502</title></head><body><h1>Bad Gateway</h1></body></html>",
            ),
            ProviderServerError,
            "Bad Gateway",
        ),
    ],
    ids=["402", "529", "html-502"],
)
async def test_error_statuses(
    fake: FakeProvider, make: MakeProvider, reply: Reply, cls: type[Exception], needle: str
) -> None:
    fake.respond_with(reply)
    exc = await failure(make(API), REQUESTS[API])
    assert type(exc) is cls and needle in str(exc) and "<" not in str(exc)
    assert exc.retryable is (cls is not ProviderBillingError)


async def test_huge_error_body_is_cut_not_swallowed(fake: FakeProvider, make: MakeProvider) -> None:
    page = "<html><body>" + "<p>upstream exploded</p>" * 400_000 + "</body></html>"  # ~10 MB
    fake.respond_with(Reply(status=503, error_body=page))
    exc = await failure(make(API), REQUESTS[API])
    assert isinstance(exc, ProviderOverloaded) and "upstream exploded" in str(exc)
    assert len(str(exc)) <= MAX_MESSAGE_CHARS + len("fake: ")


async def test_slow_trickle_hits_the_total_deadline_with_its_partial_text(
    fake: FakeProvider, make: MakeProvider
) -> None:
    fake.respond_with(Reply(text="abcdefghij", chunks=10, delay_between_s=0.2))
    exc = await failure(make(API, timeouts=Timeouts(2.0, 1.0, 0.9)), REQUESTS[API])
    assert isinstance(exc, ProviderTimeout) and "no complete answer within 0.9s" in str(exc)
    assert 1 <= len(exc.partial_text) < 10 and "abcdefghij".startswith(exc.partial_text)
