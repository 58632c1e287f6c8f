"""The HTTP client every provider uses, and the one place where failures become ``lsp_complete.errors``.

* ``make_client`` builds the one long-lived ``httpx.AsyncClient`` of a provider (HTTP/1.1, connection pool).
  It keeps httpx's ``trust_env=True``: users behind a proxy set ``HTTPS_PROXY``/``NO_PROXY`` and expect
  them honoured (a local endpoint such as Ollama may need ``NO_PROXY=localhost``).
* ``error_from_response`` maps a non-2xx answer, ``error_from_exception`` an httpx/timeout exception and
  ``error_from_stream_payload`` an ``{"error": ...}`` object inside a 200 stream, and
  ``error_from_anthropic_event`` Anthropic's typed in-stream ``error`` event (``overloaded_error`` etc.).
* Error bodies may be one object or Gemini's one-element JSON list; Gemini's ``RetryInfo.retryDelay`` in
  the body stands in for a missing ``retry-after`` header.

Messages never contain an API key: every message passes through ``scrub``, which removes the secrets the
caller names (the values of its auth headers) and anything shaped like a bearer token or ``sk-`` key.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from lsp_complete.errors import (
    ProviderAuthError,
    ProviderBillingError,
    ProviderError,
    ProviderHTTPError,
    ProviderNetworkError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderResponseError,
    ProviderServerError,
    ProviderTimeout,
)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "Timeouts",
    "error_from_anthropic_event",
    "error_from_exception",
    "error_from_response",
    "error_from_stream_payload",
    "make_client",
    "parse_retry_after",
    "retry_delay_from_body",
    "scrub",
    "secrets_of",
]

MAX_MESSAGE_CHARS = 300
REDACTED = "[redacted]"
_SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
_SECRET_PATTERNS = (
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1" + REDACTED),
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*.]{3,}"), REDACTED),
    (
        re.compile(r"(?i)((?:api[_-]?key|x-api-key|authorization|access_token|\bkey)[\"']?\s*[:=]\s*[\"']?)"
                   r"[^\s\"'&,;}]+"),
        r"\1" + REDACTED,
    ),
)
# Error codes that mean "the account cannot pay", even when they arrive with a 429.
_BILLING_CODES = frozenset(
    {"insufficient_quota", "enforced_spend_limit_reached", "billing_hard_limit_reached"}
)
# Anthropic error types (errors.md) and the HTTP status each stands for when it arrives inside a stream.
_ANTHROPIC_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Deadlines of one request, in seconds: TCP/TLS connect, first streamed token, whole answer."""

    connect_s: float = 2.0
    first_token_s: float = 1.5
    total_s: float = 3.0


def make_client(base_url: str, headers: Mapping[str, str], connect_timeout: float) -> httpx.AsyncClient:
    """The long-lived client of one provider; read deadlines are enforced per stream, not by httpx."""
    timeout = httpx.Timeout(None, connect=connect_timeout, pool=connect_timeout)
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers=dict(headers),
        timeout=timeout,
        follow_redirects=False,
    )


def secrets_of(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The secret values among auth headers (``Bearer `` stripped) for ``scrub``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    found: list[str] = []
    for name in _SECRET_HEADERS:
        value = lowered.get(name, "").strip()
        if value.lower().startswith("bearer "):
            value = value[7:].strip()
        if len(value) >= 4:
            found.append(value)
    return tuple(found)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the named secrets and key-shaped tokens replaced, cut to ``MAX_MESSAGE_CHARS``."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from the first header form present; None if none is.

    ``retry-after-ms``; ``retry-after`` (seconds or HTTP-date); OpenAI-style ``x-ratelimit-reset-requests``
    / ``-tokens`` durations (``6m0s``, ``20ms``); Anthropic's ``anthropic-ratelimit-*-reset`` RFC 3339
    times. Of several reset headers, those whose ``remaining`` is 0 decide (else the soonest).
    """
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    now = time.time() if now is None else now
    millis = lowered.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(when.timestamp() - now, 0.0)
    return _reset_headers(lowered, now)


def _reset_headers(lowered: Mapping[str, str], now: float) -> float | None:
    waits: list[tuple[bool, float]] = []  # (this limit is exhausted, seconds)
    for name, raw in lowered.items():
        seconds: float | None = None
        if name.startswith("x-ratelimit-reset-"):
            seconds = _duration_s(raw)
            remaining = lowered.get(name.replace("-reset-", "-remaining-", 1))
        elif name.startswith("anthropic-ratelimit-") and name.endswith("-reset"):
            seconds = _rfc3339_wait(raw, now)
            remaining = lowered.get(name[: -len("reset")] + "remaining")
        else:
            continue
        if seconds is not None:
            waits.append((remaining == "0", seconds))
    if not waits:
        return None
    exhausted = [s for hit, s in waits if hit]
    return max(exhausted) if exhausted else min(s for _, s in waits)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def _duration_s(text: str) -> float | None:
    """``6m0s``, ``1h2m3.5s``, ``20ms``, ``2`` (seconds) as seconds; None if not a duration."""
    text = text.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)


def _rfc3339_wait(text: str, now: float) -> float | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now, 0.0)


def _message_and_codes(body_text: str) -> tuple[str, set[str]]:
    """The provider's own message and its error type/code strings, from any known error body shape."""
    text = body_text.strip()
    try:
        obj = json.loads(text)
    except ValueError:
        if text.startswith("<"):  # an HTML error page from a proxy or load balancer
            text = re.sub(r"<[^>]*>", " ", text)
        return text, set()
    obj = _unwrap(obj)  # Gemini wraps errors in an array
    if not isinstance(obj, dict):
        return text, set()
    codes = {str(obj[k]) for k in ("type", "code") if obj.get(k) is not None}
    err = obj.get("error")
    message: object = None
    if isinstance(err, dict):
        message = err.get("message")
        codes |= {str(err[k]) for k in ("type", "code", "status") if err.get(k) is not None}
        details = err.get("details")
        if isinstance(details, dict) and details.get("error_code"):  # Anthropic spend limit
            codes.add(str(details["error_code"]))
    elif isinstance(err, str):
        message = err
    if not message:
        message = obj.get("message") or obj.get("detail")
    if isinstance(message, list):  # FastAPI/Mistral 422: [{"loc": [...], "msg": "..."}]
        message = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in message)
    if not message:
        return text, codes
    return str(message), codes


def _unwrap(obj: object) -> object:
    """The error object itself: Gemini wraps it in a one-element list."""
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        return obj[0]
    return obj


def retry_delay_from_body(body_text: str) -> float | None:
    """Seconds from a Gemini ``RetryInfo`` detail (``"retryDelay": "46s"``) in an error body, else None."""
    try:
        obj = _unwrap(json.loads(body_text))
    except ValueError:
        return None
    err = obj.get("error") if isinstance(obj, dict) else None
    details = err.get("details") if isinstance(err, dict) else None
    for detail in details if isinstance(details, list) else ():
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        match = _DURATION.match(delay) if isinstance(delay, str) else None
        if match:
            return float(match.group(1))
    return None


def error_from_response(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    body_text: str,
    *,
    secrets: Iterable[str] = (),
    partial_text: str = "",
) -> ProviderError:
    """The error for a non-2xx answer; ``secrets`` are removed from the message."""
    own, codes = _message_and_codes(body_text)
    own = scrub(own, secrets)
    message = f"HTTP {status}: {own}" if own else f"HTTP {status}"
    message = scrub(message)
    if status == 429 and not codes & _BILLING_CODES:
        return ProviderRateLimited(
            message,
            provider=provider,
            status_code=status,
            retry_after=_first_not_none(parse_retry_after(headers), retry_delay_from_body(body_text)),
            partial_text=partial_text,
        )
    if not 400 <= status < 600:
        return ProviderResponseError(f"unexpected {message}", provider=provider, partial_text=partial_text)
    cls = _http_error_class(status)
    return cls(message, provider=provider, status_code=status, partial_text=partial_text)


def _first_not_none(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _http_error_class(status: int) -> type[ProviderHTTPError]:
    if status in (401, 403):
        return ProviderAuthError
    if status in (402, 429):  # a 429 reaching here carried a billing code such as insufficient_quota
        return ProviderBillingError
    if status in (503, 529):
        return ProviderOverloaded
    if status == 501:  # llama.cpp "Infill is not supported by this model": retrying cannot help
        return ProviderRequestError
    if status >= 500 or status == 408:  # 408: the provider timed out on its side; retry like a 5xx
        return ProviderServerError
    return ProviderRequestError


def error_from_exception(
    provider: str,
    exc: BaseException,
    partial_text: str = "",
    *,
    in_body: bool = False,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """The error for an httpx or timeout exception; ``in_body``: it broke a 2xx body already streaming."""
    detail = scrub(f"{type(exc).__name__}: {exc}".rstrip(": "), secrets)
    kw = {"provider": provider, "partial_text": partial_text}
    if isinstance(exc, httpx.ConnectTimeout):
        return ProviderTimeout(f"connect timeout ({detail})", **kw)
    if isinstance(exc, httpx.PoolTimeout):
        return ProviderTimeout(f"no free connection in time ({detail})", **kw)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return ProviderTimeout(f"timed out ({detail})", **kw)
    if isinstance(exc, httpx.DecodingError):
        return ProviderResponseError(f"undecodable body ({detail})", **kw)
    if in_body and isinstance(exc, httpx.TransportError | OSError):
        return ProviderResponseError(f"stream cut ({detail})", **kw)
    if isinstance(exc, httpx.ConnectError):
        return ProviderNetworkError(f"cannot connect ({detail})", **kw)
    if isinstance(exc, httpx.RemoteProtocolError):
        return ProviderNetworkError(f"protocol error ({detail})", **kw)
    return ProviderNetworkError(f"network error ({detail})", **kw)


def error_from_stream_payload(
    provider: str, obj: object, *, secrets: Iterable[str] = (), partial_text: str = ""
) -> ProviderError | None:
    """A ``ProviderResponseError`` when a decoded 2xx stream object carries an ``error``; else None."""
    obj = _unwrap(obj)
    if not isinstance(obj, dict) or not obj.get("error"):
        return None
    own, codes = _message_and_codes(json.dumps(obj))
    kind = f" [{', '.join(sorted(codes))}]" if codes else ""
    message = scrub(f"error in stream{kind}: {scrub(own, secrets)}")
    return ProviderResponseError(message, provider=provider, partial_text=partial_text)


def error_from_anthropic_event(
    provider: str, obj: object, *, secrets: Iterable[str] = (), partial_text: str = ""
) -> ProviderError | None:
    """The error an Anthropic in-stream ``{"type": "error", "error": {"type": ...}}`` event stands for.

    A known error type maps like the HTTP status it is documented with (``overloaded_error`` →
    ``ProviderOverloaded`` as for 529, ``rate_limit_error`` → ``ProviderRateLimited``, ...); an unknown one
    is a ``ProviderResponseError``. None when ``obj`` carries no error.
    """
    generic = error_from_stream_payload(provider, obj, secrets=secrets, partial_text=partial_text)
    if generic is None or not isinstance(obj, dict) or not isinstance(obj.get("error"), dict):
        return generic
    status = _ANTHROPIC_STATUS.get(str(obj["error"].get("type")))
    if status is None:
        return generic
    message = str(generic).removeprefix(f"{provider}: ")
    if status == 429:
        return ProviderRateLimited(message, provider=provider, status_code=status, partial_text=partial_text)
    cls = _http_error_class(status)
    return cls(message, provider=provider, status_code=status, partial_text=partial_text)
