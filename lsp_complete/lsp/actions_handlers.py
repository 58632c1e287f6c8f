"""Code actions and our commands over LSP: codeAction (instant, no model call), resolve, executeCommand.

The menu's entries carry ``data``; ``codeAction/resolve`` turns one into a ``lspComplete.<action>``
command, which does the work (a client that cannot resolve ``command`` gets it in the list directly).
Commands take ONE argument object ``{"uri", "range"?, "diagnostics"?}`` (INTERFACES.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from lsp_complete.actions import offers as menu
from lsp_complete.actions.plan import Range
from lsp_complete.actions.service import ActionResult, ActionService
from lsp_complete.core.action_prompt import ACTIONS, Problem
from lsp_complete.lsp.actions_ui import LspActionUI
from lsp_complete.lsp.protocol import REQUEST_ID
from lsp_complete.lsp.server import CompleteServer

logger = logging.getLogger(__name__)

KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, types.CodeActionKind.Source]


def register(server: CompleteServer) -> None:
    """Register the code-action features and the commands of INTERFACES.md."""
    service = ActionService(server.session)
    options = types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.Empty, *KINDS], resolve_provider=True
    )

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(ls: CompleteServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return _list(ls, service, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def resolve(ls: CompleteServer, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        if data.get("action") in ACTIONS:
            action.command = _command(str(data["action"]), action.title, data.get("args") or {})
        return action

    for name in ACTIONS:
        server.command(f"lspComplete.{name}")(_runner(service, name))

    @server.command("lspComplete.toggle")
    def toggle(ls: CompleteServer, *args: Any) -> dict[str, bool]:
        enabled = ls.session.toggle_completions()
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"lsp-complete: completions {'resumed' if enabled else 'paused'}",
            )
        )
        return {"enabled": enabled}

    @server.command("lspComplete.usage")
    def usage(ls: CompleteServer, *args: Any) -> str:
        summary = ls.session.engine.router.spend_summary()
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=summary))
        return summary


def _list(
    ls: CompleteServer, service: ActionService, params: types.CodeActionParams
) -> list[types.CodeAction]:
    r = params.range
    selection: Range = ((r.start.line, r.start.character), (r.end.line, r.end.character))
    touching = [
        d
        for d in params.context.diagnostics
        if d.range.start.line <= r.end.line and d.range.end.line >= r.start.line
    ]
    problems = [_problem(d) for d in touching]
    only = list(params.context.only) if params.context.only is not None else None
    offers = service.offers(params.text_document.uri, selection, problems, only)
    caps = ls.client_capabilities.text_document if ls.client_capabilities else None
    resolve = caps.code_action.resolve_support if caps and caps.code_action else None
    lazy = resolve is not None and "command" in resolve.properties
    out = []
    for offer in offers:
        args = {
            "uri": params.text_document.uri,
            "range": ls.protocol._converter.unstructure(r),
            "diagnostics": [ls.protocol._converter.unstructure(d) for d in touching]
            if offer.action == "fix"
            else [],
        }
        action = types.CodeAction(
            title=offer.title,
            kind=offer.kind,
            diagnostics=touching if offer.action == "fix" else None,
            is_preferred=offer.action == "fix" or None,
            data={"action": offer.action, "args": args},
            command=None if lazy else _command(offer.action, offer.title, args),
        )
        out.append(action)
    return out


def _command(action: str, title: str, args: dict[str, Any]) -> types.Command:
    return types.Command(title=title, command=f"lspComplete.{action}", arguments=[args])


def _problem(d: types.Diagnostic) -> Problem:
    severity = d.severity.name.lower() if d.severity is not None else ""
    return Problem(d.range.start.line, d.message, d.source or "", severity)


def _runner(service: ActionService, action: str) -> Any:
    async def run(ls: CompleteServer, *args: Any) -> dict[str, Any]:
        parsed = _arguments(ls, args)
        if isinstance(parsed, str):
            logger.warning("lspComplete.%s: %s", action, parsed)
            return ActionResult(False, parsed).as_json()
        uri, selection, problems = parsed
        return (await _run_with_progress(ls, service, action, uri, selection, problems)).as_json()

    run.__name__ = f"lsp_complete_{action}"
    return run


async def _run_with_progress(
    ls: CompleteServer,
    service: ActionService,
    action: str,
    uri: str,
    selection: Range | None,
    problems: list[Problem],
) -> ActionResult:
    ui = LspActionUI(ls, f"lsp-complete: {menu.VERB[action]}")
    loop = asyncio.get_running_loop()
    cancelled = asyncio.Event()
    await ui.begin(lambda: _soon(loop, cancelled.set))  # progress first: no report is lost
    work = asyncio.ensure_future(service.run(action, uri, selection, problems, ui))
    cancelled_wait = asyncio.ensure_future(cancelled.wait())
    cancelled_wait.add_done_callback(lambda f: None if f.cancelled() else work.cancel())
    work.add_done_callback(lambda _: cancelled_wait.cancel())
    msg_id = REQUEST_ID.get()
    request = ls.protocol._request_futures.get(msg_id) if msg_id is not None else None
    if request is not None:  # $/cancelRequest cancels pygls's future of this request: stop the work too
        request.add_done_callback(lambda f: _soon(loop, work.cancel) if f.cancelled() else None)
    try:
        result = await work
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():  # the request itself was cancelled ($/cancelRequest)
            work.cancel()
            ui.end("cancelled")
            raise
        ui.end("cancelled")
        ui.message(f"{menu.VERB[action]} cancelled")
        return ActionResult(False, "cancelled")
    except Exception:
        ui.end("failed")
        raise
    ui.end(result.message)
    return result


def _arguments(ls: CompleteServer, args: tuple[Any, ...]) -> tuple[str, Range | None, list[Problem]] | str:
    """``(uri, selection, problems)`` from the one argument object, or why it is unusable."""
    raw = args[0] if args else None
    if not isinstance(raw, dict) or not isinstance(raw.get("uri"), str):
        return 'expected one argument {"uri": ..., "range"?: ...}'
    selection: Range | None = None
    if raw.get("range") is not None:
        try:
            r = ls.protocol._converter.structure(raw["range"], types.Range)
        except Exception:
            return "the range is not an LSP range"
        if min(r.start.line, r.start.character, r.end.line, r.end.character) < 0:
            return "the range has negative positions"
        selection = ((r.start.line, r.start.character), (r.end.line, r.end.character))
    problems: list[Problem] = []
    for item in raw.get("diagnostics") or []:
        try:
            problems.append(_problem(ls.protocol._converter.structure(item, types.Diagnostic)))
        except Exception:
            logger.info("ignored a malformed diagnostic in the command's arguments")
    return raw["uri"], selection, problems


def _soon(loop: asyncio.AbstractEventLoop, callback: Any) -> None:
    """Run ``callback`` on the loop (progress cancel may arrive from any thread)."""
    loop.call_soon_threadsafe(callback)
