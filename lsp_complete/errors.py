"""Errors raised by lsp_complete; a leaf module that imports nothing of ours.

* LspCompleteError
  * ConfigError                   a configuration value was invalid; defaults were used
  * BudgetExceeded                a call would spend past a cap; nothing was sent
  * ProviderError                 a provider could not produce an answer (``.provider``)
    * ProviderTransportError      nothing usable came back over the wire
      * ProviderTimeout           connect, first-token or total deadline passed
      * ProviderNetworkError      DNS, connect, TLS, reset
    * ProviderHTTPError           non-2xx answer (``.status_code``)
      * ProviderAuthError         401/403: the key was refused; fix the config
      * ProviderBillingError      402, insufficient quota, spend limit: fix the account
      * ProviderRateLimited       429 (``.retry_after`` seconds or None)
      * ProviderOverloaded        503/529: the provider is busy, not your quota
      * ProviderServerError       other 5xx
      * ProviderRequestError      other 4xx: the request was refused as malformed
    * ProviderResponseError       2xx but the body is not the provider's format,
                                  an in-stream error, or a stream cut without its terminator
    * ProviderUnavailable         the provider's circuit is open; nothing was sent

``retryable`` says whether another attempt (on this or another provider) can help;
``trips_breaker`` whether the failure counts against the provider's health.
Messages never contain API keys: they name the provider, the status and the provider's own message.
"""

from __future__ import annotations

from typing import ClassVar


class LspCompleteError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(LspCompleteError):
    """A configuration file or value could not be used."""


class BudgetExceeded(LspCompleteError):
    """A request would spend past a budget cap; nothing was sent upstream."""

    def __init__(self, message: str, *, spent_usd: float, cap_usd: float, period: str) -> None:
        super().__init__(message)
        self.spent_usd = spent_usd
        self.cap_usd = cap_usd
        self.period = period


class ProviderError(LspCompleteError):
    """A provider could not produce an answer."""

    retryable: ClassVar[bool] = True
    trips_breaker: ClassVar[bool] = True

    def __init__(self, message: str, *, provider: str = "", partial_text: str = "") -> None:
        super().__init__(message)
        self.provider = provider
        # Text the provider had already streamed before the failure (billed, maybe usable).
        self.partial_text = partial_text

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.provider}: {base}" if self.provider else base


class ProviderTransportError(ProviderError):
    """Nothing usable came back over the wire."""


class ProviderTimeout(ProviderTransportError):
    """A connect, first-token or total deadline passed."""


class ProviderNetworkError(ProviderTransportError):
    """DNS, connect, TLS or a reset connection."""


class ProviderHTTPError(ProviderError):
    """The provider answered with a non-2xx status."""

    def __init__(
        self, message: str, *, provider: str = "", status_code: int = 0, partial_text: str = ""
    ) -> None:
        super().__init__(message, provider=provider, partial_text=partial_text)
        self.status_code = status_code


class ProviderAuthError(ProviderHTTPError):
    """401/403: the key is missing, wrong or not allowed here."""

    retryable = False


class ProviderBillingError(ProviderHTTPError):
    """402, insufficient quota or a provider-side spend limit."""

    retryable = False


class ProviderRateLimited(ProviderHTTPError):
    """429: too many requests; ``retry_after`` is in seconds when the provider said."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status_code: int = 429,
        retry_after: float | None = None,
        partial_text: str = "",
    ) -> None:
        super().__init__(message, provider=provider, status_code=status_code, partial_text=partial_text)
        self.retry_after = retry_after


class ProviderOverloaded(ProviderHTTPError):
    """503/529: the provider is overloaded."""


class ProviderServerError(ProviderHTTPError):
    """Another 5xx."""


class ProviderRequestError(ProviderHTTPError):
    """Another 4xx: the request itself was refused (bad model name, bad parameters)."""

    retryable = False
    trips_breaker = False


class ProviderResponseError(ProviderError):
    """2xx, but the body is unusable: wrong format, in-stream error, or truncated."""


class ProviderUnavailable(ProviderError):
    """The provider's circuit breaker is open after recent failures; nothing was sent.

    ``retry_in_s`` says how long until a probe may go through (None when unknown).
    """

    retryable = False
    trips_breaker = False

    def __init__(self, message: str, *, provider: str = "", retry_in_s: float | None = None) -> None:
        super().__init__(message, provider=provider)
        self.retry_in_s = retry_in_s
