"""Wire formats. The only package that imports httpx; every httpx error is mapped in ``http``.

``build_provider`` turns one configured endpoint into a ``Provider``; ``SUPPORTED_APIS`` lists the wire
formats it knows. The API key is sent as ``Authorization: Bearer <key>`` and kept only in the HTTP client's
headers, so no provider ``repr`` or error message can show it.
"""

from __future__ import annotations

from collections.abc import Mapping

from lsp_complete.errors import ConfigError
from lsp_complete.providers.base import Provider
from lsp_complete.providers.http import Timeouts, make_client
from lsp_complete.providers.openai_base import OpenAIStyleProvider
from lsp_complete.providers.openai_chat import OpenAIChatProvider
from lsp_complete.providers.openai_completions import OpenAICompletionsProvider

__all__ = ["SUPPORTED_APIS", "Provider", "Timeouts", "build_provider"]

_CLASSES: dict[str, type[OpenAIStyleProvider]] = {
    cls.api: cls for cls in (OpenAIChatProvider, OpenAICompletionsProvider)
}
SUPPORTED_APIS: tuple[str, ...] = tuple(_CLASSES)
USER_AGENT = "lsp-complete"


def build_provider(
    name: str,
    api: str,
    base_url: str,
    api_key: str | None,
    headers: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
) -> Provider:
    """A provider speaking ``api`` at ``base_url``; raises ``ConfigError`` for an unknown ``api``.

    ``headers`` are extra request headers (e.g. OpenRouter attribution); the key, when not None, is added
    as a bearer ``Authorization`` header and overrides one given there.
    """
    cls = _CLASSES.get(api)
    if cls is None:
        known = ", ".join(SUPPORTED_APIS)
        raise ConfigError(f"provider {name!r}: unknown api {api!r} (known: {known})")
    timeouts = timeouts or Timeouts()
    all_headers = {"user-agent": USER_AGENT}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    if api_key is not None:
        all_headers["authorization"] = f"Bearer {api_key}"
    client = make_client(base_url, all_headers, timeouts.connect_s)
    return cls(name, client, timeouts)
