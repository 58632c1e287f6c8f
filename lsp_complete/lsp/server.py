"""The language server object and its factory; handlers live in ``handlers``."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer

from lsp_complete import __version__
from lsp_complete.core.document import PositionEncoding
from lsp_complete.lsp import convert
from lsp_complete.lsp.protocol import CompleteProtocol
from lsp_complete.lsp.transport import read_messages
from lsp_complete.session import Session

logger = logging.getLogger(__name__)

ERROR_POPUP_INTERVAL_S = 60.0


class CompleteServer(LanguageServer):
    """pygls LanguageServer holding one Session; every LSP detail stays in this package."""

    protocol: CompleteProtocol

    def __init__(self, session: Session) -> None:
        super().__init__(
            "lsp-complete",
            __version__,
            protocol_cls=CompleteProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.session = session
        self._last_error_popup = -ERROR_POPUP_INTERVAL_S
        self._shown_messages: set[str] = set()

    @property
    def encoding(self) -> PositionEncoding:
        """The position encoding negotiated at initialize (UTF-16 before that)."""
        negotiated = self.protocol.server_capabilities.position_encoding if self._initialized() else None
        return convert.encoding_of(negotiated)

    def _initialized(self) -> bool:
        return getattr(self.protocol, "server_capabilities", None) is not None

    # Document sync, called by CompleteProtocol instead of pygls's workspace.
    def on_did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        """Store a newly opened document."""
        doc = params.text_document
        self.session.open_document(doc.uri, doc.text, doc.version, doc.language_id)

    def on_did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        """Apply incremental or full edits to our copy."""
        changes = [convert.content_change(change) for change in params.content_changes]
        self.session.change_document(
            params.text_document.uri, changes, self.encoding, params.text_document.version
        )

    def on_did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        """Forget a closed document."""
        self.session.close_document(params.text_document.uri)

    def show_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """``window/showMessage`` a message the first time it occurs, and log it every time."""
        logger.warning("%s", message)
        if message in self._shown_messages:
            return
        self._shown_messages.add(message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"lsp-complete: {message}"))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log every unexpected error; show at most one popup a minute (never one per keystroke)."""
        logger.error("internal error (%s): %s", getattr(source, "__name__", source), error)
        now = time.monotonic()
        if now - self._last_error_popup < ERROR_POPUP_INTERVAL_S:
            return
        self._last_error_popup = now
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error, message="lsp-complete: internal error; see the server log"
            )
        )

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio with our own framing reader (see ``transport``)."""
        self._stop_event = stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(read_messages(stop_event, reader, self.protocol))
        except BrokenPipeError:
            logger.error("the client closed the connection")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client at a time over TCP (debugging)."""
        self._stop_event = stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(_TcpWriter(writer))
            await read_messages(stop_event, reader, self.protocol)

        async def serve() -> None:
            server = await asyncio.start_server(connection, host, port)
            logger.info("listening on %s:%s", host, port)
            async with server:
                await server.serve_forever()

        try:
            asyncio.run(serve())
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]


class _TcpWriter:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def close(self) -> None:
        self._writer.close()


def create_server(session: Session | None = None) -> CompleteServer:
    """Build a server around a session, with every handler registered."""
    from lsp_complete.lsp import handlers

    server = CompleteServer(session or Session.from_environment())
    handlers.register(server)
    return server
