"""Starting the real server process over stdio with a pytest-lsp client, in a sealed environment."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "lsp_complete", "--log-level", "info"]
VSCODE = "visual-studio-code"
NEOVIM = "neovim"
EXIT_GRACE_S = 5.0


def sealed_env(home: Path, config_toml: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without any provider key or our own variables, HOME/XDG in ``home``.

    A config file is written when ``config_toml`` is given; ``extra`` adds variables (e.g. a fake key).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_API_KEY", "_KEY", "_TOKEN")) and not k.startswith(("LSP_COMPLETE", "XDG_"))
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    env.update(XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "data"))
    if config_toml is not None:
        path = home / "config.toml"
        path.write_text(config_toml, encoding="utf-8")
        env["LSP_COMPLETE_CONFIG"] = str(path)
    env.update(extra)
    return env


@asynccontextmanager
async def lsp_session(
    env: Mapping[str, str],
    client_name: str = VSCODE,
    init_options: dict[str, Any] | None = None,
    root: Path | None = None,
) -> AsyncIterator[tuple[LanguageClient, types.InitializeResult]]:
    """A started and initialized client/server pair; shut down and stopped on exit."""
    client = await ClientServerConfig(server_command=SERVER, server_env=dict(env)).start()
    assert isinstance(client, LanguageClient)
    try:
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(client_name),
                initialization_options=init_options,
                root_uri=root.as_uri() if root else None,
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="w")] if root else None,
            )
        )
        yield client, result
        await client.shutdown_session()
    finally:
        await _stop(client)


async def _stop(client: LanguageClient) -> None:
    """Stop the client; a server still running (the test failed before ``exit``) gets EOF, then a kill.

    pygls's ``stop`` only waits for the process, which hangs forever when no ``exit`` was sent.
    """
    server = client._server
    if server is not None and server.returncode is None:
        if server.stdin is not None:
            server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), EXIT_GRACE_S)
        except TimeoutError:
            server.kill()
    await client.stop()


async def first_message(client: LanguageClient) -> types.ShowMessageParams:
    """The first ``window/showMessage``, whether it already arrived (e.g. during initialize) or not."""
    if not client.messages:
        await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
    return client.messages[0]


def open_doc(client: LanguageClient, uri: str, text: str, language_id: str = "python") -> None:
    """didOpen at version 1."""
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
        )
    )


def edit(
    client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
) -> None:
    """One incremental didChange."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=start[0], character=start[1]),
                        end=types.Position(line=end[0], character=end[1]),
                    ),
                    text=text,
                )
            ],
        )
    )


async def raw_request(client: LanguageClient, method: str, params: dict[str, Any]) -> Any:
    """Send a request whose params need not be valid (the typed client refuses to serialize those)."""
    msg_id = str(uuid.uuid4())
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    protocol = client.protocol
    protocol._request_futures[msg_id] = future
    protocol._result_types[msg_id] = protocol.get_result_type(method)
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wrap_future(future)


async def inline(
    client: LanguageClient, uri: str, line: int, character: int, invoked: bool = True
) -> types.InlineCompletionList:
    """An inlineCompletion request; a list result is normalised to an InlineCompletionList."""
    kind = (
        types.InlineCompletionTriggerKind.Invoked if invoked else types.InlineCompletionTriggerKind.Automatic
    )
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(trigger_kind=kind),
        )
    )
    if result is None:
        return types.InlineCompletionList(items=[])
    items = result if isinstance(result, list) else result.items
    return types.InlineCompletionList(items=list(items))  # lsprotocol gives a tuple; tests compare lists
