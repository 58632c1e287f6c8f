"""One short handler per LSP method: convert the params, call the session, convert the answer."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from lsp_complete.engine import CompletionQuery
from lsp_complete.lsp import convert
from lsp_complete.lsp.server import CompleteServer

logger = logging.getLogger(__name__)

STATUS_NOTIFICATION = "$/lspComplete/status"


def register(server: CompleteServer) -> None:
    """Register every feature on ``server`` (the only place features are declared)."""
    server.feature(types.INITIALIZE)(_initialize)
    server.feature(types.INITIALIZED)(_initialized)
    server.feature(types.SHUTDOWN)(_shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_did_change_configuration)
    # pygls advertises inline completion only when it is registered with explicit options.
    server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())(_inline_completion)
    server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", "(", " "])
    )(_completion)
    server.command("lspComplete.accepted")(_accepted)


def _initialize(ls: CompleteServer, params: types.InitializeParams) -> None:
    roots = [f.uri for f in params.workspace_folders or []] or ([params.root_uri] if params.root_uri else [])
    ls.session.set_roots(roots)
    ls.session.set_status_listener(lambda status: ls.protocol.notify(STATUS_NOTIFICATION, status))
    ls.session.engine.router.set_notice_listener(ls.show_once)
    _report(ls, ls.session.configure(init_options=_as_mapping(params.initialization_options)))


def _initialized(ls: CompleteServer, params: types.InitializedParams) -> None:
    ls.session.start_background_work()


async def _shutdown(ls: CompleteServer, params: None) -> None:
    await ls.session.aclose()


def _did_change_configuration(ls: CompleteServer, params: types.DidChangeConfigurationParams) -> None:
    settings = _as_mapping(params.settings)
    # Clients send either our section or the whole settings tree.
    section = settings.get("lspComplete", settings.get("lsp_complete", settings))
    _report(ls, ls.session.configure(workspace=_as_mapping(section)))


async def _inline_completion(
    ls: CompleteServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList:
    query = _query(
        ls,
        params.text_document.uri,
        params.position,
        "inline",
        params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked,
    )
    if query is None:
        return types.InlineCompletionList(items=[])
    completions = await ls.session.complete(query)
    doc = ls.session.document(query.uri)
    if doc is None or doc.version != query.version:
        return types.InlineCompletionList(items=[])
    return convert.inline_list(doc, completions, ls.encoding)


async def _completion(ls: CompleteServer, params: types.CompletionParams) -> types.CompletionList:
    invoked = (
        params.context is not None and params.context.trigger_kind == types.CompletionTriggerKind.Invoked
    )
    query = _query(ls, params.text_document.uri, params.position, "menu", invoked)
    if query is None:
        return types.CompletionList(is_incomplete=True, items=[])
    completions = await ls.session.complete(query)
    doc = ls.session.document(query.uri)
    if doc is None or doc.version != query.version:
        return types.CompletionList(is_incomplete=True, items=[])
    return convert.completion_list(doc, completions, ls.encoding)


def _accepted(ls: CompleteServer, *args: Any) -> None:
    ls.session.engine.record_accepted(str(args[0]) if args else "")


def _query(
    ls: CompleteServer, uri: str, position: types.Position, kind: str, invoked: bool
) -> CompletionQuery | None:
    doc = ls.session.document(uri)
    if doc is None:
        logger.info("completion for a document that is not open: %s", uri)
        return None
    offset = convert.offset_of(doc, position, ls.encoding)
    if offset is None:
        logger.info("completion at a position past the end of %s: %s", uri, position)
        return None
    return CompletionQuery(uri=uri, offset=offset, version=doc.version, kind=kind, invoked=invoked)


def _report(ls: CompleteServer, problems: list[str]) -> None:
    if problems:
        ls.show_once("configuration problems: " + "; ".join(problems), types.MessageType.Error)


def _as_mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
