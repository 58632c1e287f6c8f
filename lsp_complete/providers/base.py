"""The Provider protocol that the engine talks to."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from lsp_complete.core.types import ModelRequest, StreamEvent


class Provider(Protocol):
    """One configured endpoint speaking one wire format.

    ``stream`` yields ``TextDelta`` events and exactly one final ``StreamEnd``; it raises a
    ``ProviderError`` subclass on failure (``partial_text`` carries what had streamed). Cancelling the
    consuming task closes the HTTP response. ``aclose`` closes the long-lived client.
    """

    name: str
    api: str

    def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]: ...

    async def aclose(self) -> None: ...
