"""A pytest-lsp client for code actions: it applies edits, shows documents and records our notification.

Client handlers (``workspace/applyEdit``, ``window/showDocument``, ``$/lspComplete/explanation``) are
registered on the LanguageClient before ``initialize``, as pytest-lsp 1.0 requires.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.e2e.harness import NEOVIM, SERVER, _stop

EXPLANATION = "$/lspComplete/explanation"
TIMEOUT_S = 20.0


@dataclass
class Recorder:
    """What the server asked of the client."""

    edits: list[types.ApplyWorkspaceEditParams] = field(default_factory=list)
    explanations: list[dict[str, Any]] = field(default_factory=list)
    apply_result: bool = True
    on_explanation: Callable[[dict[str, Any]], None] | None = None
    first_text: asyncio.Event = field(default_factory=asyncio.Event)
    initialized: types.InitializeResult | None = None


def config(anthropic_url: str, openai_url: str | None = None, extra: str = "") -> str:
    """A user config: premium = anthropic (the fake), then openai; fast = openai's mini model."""
    text = f'[providers.anthropic]\nbase_url = "{anthropic_url}"\n'
    premium = '"anthropic/claude-sonnet-4-6"'
    if openai_url is not None:
        text += f'[providers.openai]\nbase_url = "{openai_url}"\n'
        premium += ', "openai/gpt-4o"'
    fast = '"openai/gpt-4o-mini"' if openai_url is not None else '"anthropic/claude-sonnet-4-6"'
    return text + f"[tiers]\npremium = [{premium}]\nfast = [{fast}]\n" + extra


def keys() -> dict[str, str]:
    """Fake keys for the two keyed presets."""
    return {"ANTHROPIC_API_KEY": "sk-ant-test-123456", "OPENAI_API_KEY": "sk-test-abcdef"}


@asynccontextmanager
async def action_session(
    env: Mapping[str, str], root: Path, client_name: str = NEOVIM
) -> AsyncIterator[tuple[LanguageClient, Recorder]]:
    """A started, initialized client with the action handlers; shut down on exit."""
    client = await ClientServerConfig(server_command=SERVER, server_env=dict(env)).start()
    assert isinstance(client, LanguageClient)
    recorder = Recorder()

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        recorder.edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=recorder.apply_result)

    @client.feature(EXPLANATION)
    def explanation(params: Any) -> None:
        value = {"uri": params.uri, "text": params.text, "done": params.done}
        recorder.explanations.append(value)
        if value["text"]:
            recorder.first_text.set()
        if recorder.on_explanation is not None:
            recorder.on_explanation(value)

    try:
        recorder.initialized = await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(client_name),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="w")],
            )
        )
        yield client, recorder
        await client.shutdown_session()
    finally:
        await _stop(client)


def rng(start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    """A range as JSON."""
    return {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}


async def command(client: LanguageClient, name: str, *args: Any) -> Any:
    """``workspace/executeCommand`` with a timeout."""
    params = types.ExecuteCommandParams(command=name, arguments=list(args))
    return await asyncio.wait_for(client.workspace_execute_command_async(params), TIMEOUT_S)


async def actions(
    client: LanguageClient,
    uri: str,
    start: tuple[int, int],
    end: tuple[int, int],
    diagnostics: list[types.Diagnostic] | None = None,
    only: list[str] | None = None,
) -> list[types.CodeAction | types.Command]:
    """``textDocument/codeAction``."""
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        ),
        context=types.CodeActionContext(diagnostics=diagnostics or [], only=only),
    )
    return list(await client.text_document_code_action_async(params) or [])


def diagnostic(line: int, message: str) -> types.Diagnostic:
    """An error on a whole line."""
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=line, character=0), end=types.Position(line=line, character=80)
        ),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source="pyright",
    )


def text_edits(params: types.ApplyWorkspaceEditParams) -> list[tuple[str, int | None, list[types.TextEdit]]]:
    """``(uri, version, edits)`` of each TextDocumentEdit."""
    out = []
    for change in params.edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
            out.append((change.text_document.uri, change.text_document.version, edits))
    return out
