"""The real server over stdio, no provider configured: capabilities, sync, offline completer, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.harness import (
    NEOVIM,
    VSCODE,
    edit,
    first_message,
    inline,
    lsp_session,
    open_doc,
    raw_request,
    sealed_env,
)

pytestmark = pytest.mark.e2e

SOURCE = "def handle_request(self, request):\n    self.request_id = request.id\n    return None\n\n"


@pytest.mark.parametrize(
    ("client_name", "encoding"),
    [(VSCODE, types.PositionEncodingKind.Utf16), (NEOVIM, types.PositionEncodingKind.Utf8)],
)
async def test_initialize_negotiates_encoding_and_advertises_features(
    tmp_path: Path, client_name: str, encoding: types.PositionEncodingKind
) -> None:
    async with lsp_session(sealed_env(tmp_path), client_name) as (_, result):
        caps = result.capabilities
        assert caps.position_encoding == encoding
        assert caps.inline_completion_provider is not None
        assert caps.completion_provider is not None
        sync = caps.text_document_sync
        assert isinstance(sync, types.TextDocumentSyncOptions)
        assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
        assert caps.hover_provider is None and caps.definition_provider is None  # only what we implement
        assert result.server_info is not None and result.server_info.name == "lsp-complete"


async def test_offline_completer_answers_with_no_provider(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with lsp_session(sealed_env(tmp_path)) as (client, _):
        open_doc(client, uri, SOURCE)
        edit(client, uri, 2, (4, 0), (4, 0), "    self.reque")
        result = await inline(client, uri, 4, 14)
        assert [item.insert_text for item in result.items] == ["st_id = request.id"]
        item = result.items[0]
        assert item.range is not None
        assert (item.range.start.line, item.range.start.character) == (4, 14)
        assert item.range.end == item.range.start


async def test_invalid_config_shows_one_message_and_keeps_serving(tmp_path: Path) -> None:
    env = sealed_env(tmp_path, config_toml="[completion\ndebounce_ms = 'x'\n")
    uri = (tmp_path / "app.py").as_uri()
    async with lsp_session(env) as (client, _):
        await first_message(client)
        open_doc(client, uri, SOURCE + "    self.reque")
        result = await inline(client, uri, 4, 14)
        assert [i.insert_text for i in result.items] == ["st_id = request.id"]
        errors = [m for m in client.messages if m.type == types.MessageType.Error]
        assert len(errors) == 1 and str(env["LSP_COMPLETE_CONFIG"]) in errors[0].message
        assert "not valid TOML" in errors[0].message


async def test_bad_input_gets_answers_and_documents_stay_intact(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    async with lsp_session(sealed_env(tmp_path)) as (client, _):
        open_doc(client, uri, SOURCE)
        # didChange for a document that was never opened, and an edit far past the end of the file.
        edit(client, (tmp_path / "ghost.py").as_uri(), 2, (0, 0), (0, 0), "x")
        edit(client, uri, 2, (400, 3), (400, 9), "")
        # A request for an unknown URI and one past the end of a line: empty answers.
        assert (await inline(client, (tmp_path / "nope.py").as_uri(), 0, 0)).items == []
        # A request whose params do not validate is answered with InvalidParams, not dropped.
        with pytest.raises(JsonRpcException) as error:
            await raw_request(
                client,
                types.TEXT_DOCUMENT_INLINE_COMPLETION,
                {
                    "textDocument": {"uri": uri},
                    "position": {"line": -1, "character": 0},
                    "context": {"triggerKind": 1},
                },
            )
        assert error.value.code == -32602
        # Lone surrogates and a 10 MB document do not break anything.
        big = (tmp_path / "big.py").as_uri()
        open_doc(client, big, "x = 1\n" * (10 * 1024 * 1024 // 6))
        open_doc(client, (tmp_path / "odd.py").as_uri(), "s = '\ud800'\nself.reque")
        assert isinstance(
            await inline(client, (tmp_path / "odd.py").as_uri(), 1, 10), types.InlineCompletionList
        )
        # The real document still completes from its intact text.
        edit(client, uri, 3, (4, 0), (4, 0), "    self.reque")
        result = await inline(client, uri, 4, 14)
        assert [i.insert_text for i in result.items] == ["st_id = request.id"]


async def test_secret_file_gets_no_completion(tmp_path: Path) -> None:
    uri = (tmp_path / ".env").as_uri()
    async with lsp_session(sealed_env(tmp_path)) as (client, _):
        open_doc(client, uri, "API_TOKEN=abc\nAPI_", language_id="dotenv")
        assert (await inline(client, uri, 1, 4)).items == []
