"""One editor session: settings, the documents the editor has open, and the engine.

Everything here is editor-neutral (no LSP types); the LSP layer converts and calls in. Documents are our
own exact copies; a copy that an edit could not be applied to is marked out of sync and gets no
completions until the editor sends the whole text again (reopen or full change).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from lsp_complete import config, ledger, providers, telemetry, tokens, workspace
from lsp_complete.core.document import Document, DocumentEditError, PositionEncoding
from lsp_complete.core.secrets import ExclusionRules, path_from_uri
from lsp_complete.engine import Completion, CompletionQuery, Engine, Snapshot, StatusListener

logger = logging.getLogger(__name__)

Change = tuple[str, tuple[int, int, int, int] | None]
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024


class Session:
    """Settings + documents + engine for one client."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self._init_options: dict[str, Any] | None = None
        self._workspace: dict[str, Any] | None = None
        result = config.load(self.env)
        self.settings = result.settings
        self.startup_problems = tuple(result.problems)
        self.documents: dict[str, Document] = {}
        self.desynced: set[str] = set()
        self.telemetry = telemetry.Telemetry(  # acceptance events, local only
            ledger.default_path(self.env), retention_days=self.settings.budget.retention_days
        )
        self.roots: list[str] = []
        self.rules = ExclusionRules(self.settings.exclude, {})
        self.engine = Engine(self.settings, self.env, _count)
        self.engine.set_exclusion(lambda path: self.rules.is_excluded(path))
        self._indexer: threading.Thread | None = None
        self._enabled_override: bool | None = None  # lspComplete.toggle

    @classmethod
    def from_environment(cls) -> Session:
        """A session configured from this process's environment and the user's config file."""
        return cls(os.environ)

    # Configuration -------------------------------------------------------------------------------
    def configure(
        self, init_options: Mapping[str, Any] | None = None, workspace: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Apply a new editor-supplied layer; returns the problems to show the user."""
        if init_options is not None:
            self._init_options = dict(init_options)
        if workspace is not None:
            self._workspace = dict(workspace)
        result = config.load(self.env, init_options=self._init_options, workspace=self._workspace)
        self.settings = self._with_toggle(result.settings)
        self.rules = ExclusionRules(self.settings.exclude, workspace_ignore(self.roots))
        self.engine.reconfigure(self.settings)
        return list(result.problems)

    def toggle_completions(self) -> bool:
        """Pause or resume completions (until toggled again); returns whether they are now enabled."""
        self._enabled_override = not self.settings.completion.enabled
        self.settings = self._with_toggle(self.settings)
        self.engine.reconfigure(self.settings)
        return self.settings.completion.enabled

    def _with_toggle(self, settings: config.Settings) -> config.Settings:
        if self._enabled_override is None:
            return settings
        completion = dataclasses.replace(settings.completion, enabled=self._enabled_override)
        return dataclasses.replace(settings, completion=completion)

    def set_roots(self, uris: Sequence[str]) -> None:
        """The workspace folders (as URIs) the editor opened."""
        self.roots = [path_from_uri(u) for u in uris if u.startswith("file:")]
        self.rules = ExclusionRules(self.settings.exclude, workspace_ignore(self.roots))
        self.engine.set_roots(self.roots)

    def set_status_listener(self, listener: StatusListener | None) -> None:
        """Who hears the status after each completion."""
        self.engine.set_status_listener(listener)

    # Documents -----------------------------------------------------------------------------------
    def is_excluded(self, uri: str) -> bool:
        """True for documents whose content must never leave the machine or be used as context."""
        return self.rules.is_excluded(path_from_uri(uri))

    def document(self, uri: str) -> Document | None:
        """Our copy of an open document."""
        return self.documents.get(uri)

    def open_document(self, uri: str, text: str, version: int, language_id: str) -> None:
        """The editor opened ``uri`` with ``text``."""
        doc = self.documents[uri] = Document(uri, text, version, language_id)
        self.desynced.discard(uri)
        self._index(uri)
        self.engine.observe_open(uri, path_from_uri(uri), lambda: doc.text, self._private(uri))

    def change_document(
        self, uri: str, changes: Sequence[Change], encoding: PositionEncoding, version: int
    ) -> None:
        """Apply the editor's edits; an edit that cannot apply leaves the copy untouched and out of sync."""
        doc = self.documents.get(uri)
        if doc is None:
            logger.warning("didChange for a document that is not open: %s", uri)
            return
        try:
            doc.apply_changes(changes, encoding, version)
        except DocumentEditError as exc:
            if uri not in self.desynced:
                logger.error(
                    "could not apply an edit to %s (%s); no completions there until it is reopened", uri, exc
                )
            self.desynced.add(uri)
            doc.version = version
            return
        if uri in self.desynced and any(r is None for _, r in changes):
            self.desynced.discard(uri)  # a full replacement brings us back in sync
        self.engine.observe_change(uri, path_from_uri(uri), lambda: doc.text, self._private(uri))

    def close_document(self, uri: str) -> None:
        """The editor closed ``uri``; its text stays in the offline index as workspace context."""
        self.documents.pop(uri, None)
        self.desynced.discard(uri)
        self.engine.observe_close(uri)
        with self.engine.local_lock:
            if path_from_uri(uri) in self.engine.local:
                self.engine.local.set_open(path_from_uri(uri), False)

    def _private(self, uri: str) -> bool:
        """True when the document must not be used as context (excluded, too large, out of sync)."""
        doc = self.documents.get(uri)
        if doc is None or uri in self.desynced or self.is_excluded(uri):
            return True
        return doc.length > MAX_DOCUMENT_CHARS

    def _index(self, uri: str) -> None:
        doc = self.documents[uri]
        if self.is_excluded(uri) or len(doc.text) > MAX_DOCUMENT_CHARS:
            return
        with self.engine.local_lock:
            self.engine.local.update(path_from_uri(uri), doc.text, is_open=True)

    # Completions ---------------------------------------------------------------------------------
    def snapshot(self, query_uri: str) -> Snapshot | None:
        """The document as it is now, or None when it must not or cannot be completed."""
        doc = self.documents.get(query_uri)
        if doc is None or query_uri in self.desynced or self.is_excluded(query_uri):
            return None
        c = self.settings.completion
        if (
            not c.enabled
            or doc.language_id in c.disabled_languages
            or (c.enabled_languages and doc.language_id not in c.enabled_languages)
        ):
            return None
        return Snapshot(query_uri, path_from_uri(query_uri), doc.text, doc.language_id)

    async def complete(self, query: CompletionQuery) -> list[Completion]:
        """Suggestions for ``query`` (empty when the document may not be completed)."""
        snap = self.snapshot(query.uri)
        if snap is None:
            return []
        return await self.engine.complete(query, snap)

    # Lifecycle -----------------------------------------------------------------------------------
    def start_background_work(self) -> None:
        """Load the tokenizer and index the workspace folders without blocking requests."""
        if self._indexer is not None:
            return
        self._indexer = threading.Thread(target=self._background, name="lsp-complete-index", daemon=True)
        self._indexer.start()

    def _background(self) -> None:
        providers.warm_up()  # TLS trust store and lazy imports of the first request (~190 ms)
        tokens.warm_up()
        for path, text in workspace.scan(self.roots, self.rules):
            with self.engine.local_lock:
                self.engine.local.update(path, text)
        logger.info("workspace indexed: %d bytes", self.engine.local.size_bytes)

    async def aclose(self) -> None:
        """Close HTTP clients (shutdown)."""
        await self.engine.aclose()


def workspace_ignore(roots: Sequence[str]) -> dict[str, str]:
    """The ignore files of the workspace roots."""
    return workspace.read_ignore_files(roots)


def _count(text: str) -> int:
    """Exact tokens once the tokenizer is loaded; an estimate before (never blocks a request)."""
    if tokens.is_loaded():
        return tokens.get_counter().count(text)
    return max(1, -(-len(text) * 2 // 7))


async def run_once(session: Session, query: CompletionQuery) -> list[Completion]:
    """One completion outside an LSP session (the ``complete`` command)."""
    try:
        return await session.complete(query)
    finally:
        await session.aclose()
