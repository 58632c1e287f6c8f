"""Our JSON-RPC protocol: pygls's, with every request answered and documents kept by us.

* A request whose params fail validation is answered with InvalidParams (pygls would drop it silently).
* didOpen/didChange/didClose go to our own document store (pygls's splits lines on U+2028 and friends,
  which LSP does not), so pygls's workspace never holds a copy of the text.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method

if TYPE_CHECKING:
    from lsp_complete.lsp.server import CompleteServer

logger = logging.getLogger(__name__)

#: The id of the request being dispatched; tasks started by its handler inherit it (pygls runs command
#: handlers behind a generator, so ``$/cancelRequest`` cancels pygls's future, not the command's task).
REQUEST_ID: contextvars.ContextVar[int | str | None] = contextvars.ContextVar("request_id", default=None)


@dataclass(frozen=True)
class MalformedRequest:
    """A request whose params could not be read; it still gets an answer."""

    id: int | str
    method: str
    error: JsonRpcException


class CompleteProtocol(LanguageServerProtocol):
    """LanguageServerProtocol with the fixes described in the module docstring."""

    _server: CompleteServer

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Structure a message; a malformed request becomes a MalformedRequest instead of vanishing."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "method" in data and isinstance(data.get("id"), int | str):
                return MalformedRequest(id=data["id"], method=str(data["method"]), error=exc)
            raise

    def handle_message(self, message: Any) -> None:
        """Answer malformed requests with InvalidParams; hand everything else to pygls."""
        if isinstance(message, MalformedRequest):
            logger.warning(
                "invalid params for %s (id %s): answered InvalidParams", message.method, message.id
            )
            error = JsonRpcInvalidParams(f"invalid params for {message.method}")
            self._send_response(message.id, error=error.to_response_error())
            return
        token = REQUEST_ID.set(getattr(message, "id", None))
        try:
            super().handle_message(message)
        finally:
            REQUEST_ID.reset(token)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        """Store the opened document in our own store."""
        self._server.on_did_open(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        """Apply the edits to our own copy."""
        self._server.on_did_change(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        """Forget the closed document."""
        self._server.on_did_close(params)
