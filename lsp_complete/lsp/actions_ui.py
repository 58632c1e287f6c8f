"""The LSP side of a code action's run: progress, messages, showDocument, applyEdit, our notification.

``LspActionUI`` implements ``actions.service.ActionUI`` for one run: ``$/progress`` under a token the
server created with ``window/workDoneProgress/create`` (when the client supports it), cancellable, and
``workspace/applyEdit`` with the document version in a ``VersionedTextDocumentIdentifier``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence

from lsprotocol import types

from lsp_complete.actions.service import FileChange
from lsp_complete.core.document import Document, PositionEncoding
from lsp_complete.lsp import convert
from lsp_complete.lsp.server import CompleteServer

logger = logging.getLogger(__name__)

EXPLANATION_NOTIFICATION = "$/lspComplete/explanation"
REPORT_INTERVAL_S = 0.05
_LEVELS = {
    "info": types.MessageType.Info,
    "warning": types.MessageType.Warning,
    "error": types.MessageType.Error,
}


class LspActionUI:
    """One action's window on the editor."""

    def __init__(self, ls: CompleteServer, title: str) -> None:
        self._ls = ls
        self._title = title
        self.token: str | None = None
        self._last_report = 0.0
        caps = ls.client_capabilities
        window = caps.window if caps else None
        edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        self._progress = bool(window and window.work_done_progress)
        self._show = bool(window and window.show_document and window.show_document.support)
        ops = (edit.resource_operations or []) if edit else []
        self.supports_create = types.ResourceOperationKind.Create in ops
        self._document_changes = bool(edit and edit.document_changes) or self.supports_create

    # Progress ------------------------------------------------------------------------------------
    async def begin(self, on_cancel: Callable[[], None]) -> None:
        """Create the progress token and send ``begin`` (nothing when the client has no progress)."""
        if not self._progress:
            return
        token = f"lspComplete/{uuid.uuid4().hex[:12]}"
        try:
            await self._ls.work_done_progress.create_async(token)
        except Exception as exc:  # the client refused: run without progress
            logger.info("window/workDoneProgress/create failed: %s", exc)
            return
        self.token = token
        future = self._ls.work_done_progress.tokens.get(token)
        if future is not None:
            future.add_done_callback(lambda f: on_cancel() if f.cancelled() else None)
        begin = types.WorkDoneProgressBegin(title=self._title, cancellable=True, message="asking the model")
        self._ls.work_done_progress.begin(token, begin)

    def progress(self, text: str) -> None:
        """``report``, at most every 50 ms."""
        now = time.monotonic()
        if self.token is None or now - self._last_report < REPORT_INTERVAL_S:
            return
        self._last_report = now
        self._ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=text))

    def end(self, text: str) -> None:
        """``end`` and forget the token."""
        if self.token is None:
            return
        self._ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=text))
        self._ls.work_done_progress.tokens.pop(self.token, None)
        self.token = None

    # Messages and documents ------------------------------------------------------------------------
    def message(self, text: str, level: str = "info") -> None:
        """``window/showMessage``."""
        kind = _LEVELS.get(level, types.MessageType.Info)
        self._ls.window_show_message(types.ShowMessageParams(type=kind, message=f"lsp-complete: {text}"))

    def explanation(self, uri: str, text: str, done: bool) -> None:
        """Our notification for editor plugins that render the explanation themselves."""
        self._ls.protocol.notify(EXPLANATION_NOTIFICATION, {"uri": uri, "text": text, "done": done})

    async def show_document(self, uri: str) -> bool:
        """``window/showDocument``; False when the client cannot or did not."""
        if not self._show:
            self.message(f"the answer is in {uri}")
            return False
        params = types.ShowDocumentParams(uri=uri, take_focus=True)
        try:
            result = await self._ls.window_show_document_async(params)
        except Exception as exc:  # an error answer: say where the file is instead
            logger.info("window/showDocument failed: %s", exc)
            self.message(f"the answer is in {uri}")
            return False
        return bool(result and result.success)

    async def apply(self, changes: Sequence[FileChange], label: str) -> bool:
        """``workspace/applyEdit``; True when the client applied it."""
        edit = self.workspace_edit(changes)
        try:
            result = await self._ls.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=label)
            )
        except Exception as exc:  # an error answer (e.g. a client without applyEdit): not applied
            logger.info("workspace/applyEdit failed: %s", exc)
            return False
        if result is None or not result.applied:  # a null answer counts as "not applied", not a crash
            logger.info("the client did not apply the edit: %s", getattr(result, "failure_reason", None))
            return False
        return True

    def workspace_edit(self, changes: Sequence[FileChange]) -> types.WorkspaceEdit:
        """Versioned ``documentChanges`` when the client takes them, else plain ``changes``."""
        encoding = self._ls.encoding
        if not self._document_changes:
            return types.WorkspaceEdit(changes={c.uri: _text_edits(c, encoding) for c in changes})
        out: list[types.TextDocumentEdit | types.CreateFile] = []
        for c in changes:
            if c.create:
                out.append(
                    types.CreateFile(uri=c.uri, options=types.CreateFileOptions(ignore_if_exists=True))
                )
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=c.uri, version=c.version)
            out.append(types.TextDocumentEdit(text_document=identifier, edits=list(_text_edits(c, encoding))))
        return types.WorkspaceEdit(document_changes=out)


def _text_edits(change: FileChange, encoding: PositionEncoding) -> list[types.TextEdit]:
    doc = Document(change.uri, change.text)
    return [
        types.TextEdit(range=convert.range_of(doc, start, end, encoding), new_text=text)
        for start, end, text in change.changes
    ]
