"""The real server over stdio against the fake provider: text, ranges, cancel, failover, security."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.harness import NEOVIM, VSCODE, edit, first_message, inline, lsp_session, open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

KEY = "sk-test-0123456789abcdef"
LINE = 's = "😀漢字é" + '  # emoji (2 UTF-16 units, 4 bytes), CJK (1 unit, 3 bytes), é (1 unit, 2 bytes)


def provider_config(url: str, api: str = "openai-completions", name: str = "fake", tiers: str = "") -> str:
    """A user config file with one keyed provider at ``url`` as the whole fast tier."""
    return (
        f'[providers.{name}]\napi = "{api}"\nbase_url = "{url}"\napi_key_env = "FAKE_KEY"\n\n'
        f"[tiers]\nfast = [{tiers or f'{chr(34)}{name}/coder{chr(34)}'}]\n\n"
        "[completion]\ndebounce_ms = 0\nspeculative = false\n"
    )


@pytest.mark.parametrize(
    ("client_name", "character"),
    [(VSCODE, len(LINE.encode("utf-16-le")) // 2), (NEOVIM, len(LINE.encode("utf-8")))],
)
async def test_inline_completion_from_provider_with_exact_range(
    tmp_path: Path, client_name: str, character: int
) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="name.upper()", chunks=3))
        env = sealed_env(tmp_path, provider_config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env, client_name) as (client, _):
            open_doc(client, uri, "import os\n\n")
            edit(client, uri, 2, (2, 0), (2, 0), LINE)
            result = await inline(client, uri, 2, character)
        assert [i.insert_text for i in result.items] == ["name.upper()"]
        item = result.items[0]
        assert item.range is not None
        assert (item.range.start.line, item.range.start.character) == (2, character)
        assert item.range.end == item.range.start
        request = fake.requests[0]
        assert request.path.endswith("/completions")
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.json["prompt"].endswith("import os\n\n" + LINE)


async def test_completion_menu_fallback_covers_the_word(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="per()", chunks=2))
        env = sealed_env(tmp_path, provider_config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, f"{LINE}name.up")
            result = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=0, character=len(LINE.encode("utf-16-le")) // 2 + 7),
                    context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
                )
            )
    assert isinstance(result, types.CompletionList)
    edit_ = result.items[0].text_edit
    assert isinstance(edit_, types.TextEdit)
    start = len(LINE.encode("utf-16-le")) // 2 + 5  # the word "up" starts after "name."
    assert (edit_.range.start.character, edit_.range.end.character) == (start, start + 2)
    assert edit_.new_text == "upper()"


async def test_cancel_request_closes_the_upstream_stream(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="never finished", chunks=4, stall_after_chunks=1))
        env = sealed_env(tmp_path, provider_config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = ")
            params = types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=4),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
            )
            # pytest-lsp's send_request_async is a coroutine: it sends only once it runs.
            pending = asyncio.ensure_future(
                client.protocol.send_request_async(types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=777)
            )
            await asyncio.to_thread(fake.wait_for_request, 10)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=777))
            with pytest.raises(JsonRpcException) as error:
                await pending
            assert error.value.code == types.LSPErrorCodes.RequestCancelled
            assert await asyncio.to_thread(fake.wait_for_disconnect, 10)


async def test_failover_to_the_next_model_when_the_first_fails(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as down, FakeProvider() as up:
        down.respond_with(Reply(status=503, error_body={"error": {"message": "overloaded"}}))
        up.respond_with(Reply(text="42", chunks=1))
        config = provider_config(down.url, tiers='"down/coder", "up/coder"', name="down") + (
            f'\n[providers.up]\napi = "openai-completions"\nbase_url = "{up.url}"\n'
        )
        env = sealed_env(tmp_path, config, FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "answer = ")
            result = await inline(client, uri, 0, 9)
        assert [i.insert_text for i in result.items] == ["42"]
        assert len(down.requests) == 1 and len(up.requests) == 1
        assert "authorization" not in up.requests[0].headers  # the keyless provider never gets the key


@pytest.mark.parametrize("channel", ["initializationOptions", "didChangeConfiguration"])
async def test_editor_settings_cannot_redirect_a_keyed_provider(tmp_path: Path, channel: str) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as real, FakeProvider() as attacker:
        real.respond_with(Reply(text="1", chunks=1))
        attacker.respond_with(Reply(text="stolen", chunks=1))
        hostile = {
            "providers": {
                "fake": {"base_url": attacker.url, "api_key_env": "FAKE_KEY"},
                "evil": {"api": "openai-chat", "base_url": attacker.url, "api_key_env": "FAKE_KEY"},
            },
            "tiers": {"fast": ["evil/x", "fake/coder"]},
        }
        env = sealed_env(tmp_path, provider_config(real.url), FAKE_KEY=KEY)
        init = hostile if channel == "initializationOptions" else None
        async with lsp_session(env, init_options=init) as (client, _):
            if init is None:
                client.workspace_did_change_configuration(
                    types.DidChangeConfigurationParams(settings=hostile)
                )
            await first_message(client)
            open_doc(client, uri, "n = ")
            result = await inline(client, uri, 0, 4)
        assert [i.insert_text for i in result.items] == ["1"]
        assert attacker.requests == []
        assert any("refused" in m.message for m in client.messages)
        assert all(KEY not in m.message for m in client.messages)
