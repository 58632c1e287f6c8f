"""Code actions end to end: the real server over stdio, fake providers on 127.0.0.1, real files and SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.actions_client import (
    action_session,
    actions,
    command,
    config,
    diagnostic,
    keys,
    rng,
    text_edits,
)
from tests.e2e.harness import VSCODE, open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

CODE = """import os


def total(items):
    result = 0
    for item in items:
        result += item.price
    return reslt


def other():
    return 1
"""
FIXED = (
    "```python\ndef total(items):\n    result = 0\n    for item in items:\n"
    "        result += item.price\n    return result\n```"
)
EXPLAINED = "## Summary\n\n`total` adds up the `price` of each item.\n\n## Risk\n\n`reslt` is a typo.\n"


def ledger_rows(home: Path) -> list[tuple[str, str, str]]:
    path = home / "state" / "lsp-complete" / "ledger.sqlite3"  # sealed_env: XDG_STATE_HOME=home/state
    with sqlite3.connect(path) as db:
        return [tuple(r) for r in db.execute("SELECT task, provider, outcome FROM requests ORDER BY id")]


async def test_listing_is_instant_and_costs_no_upstream_call(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        env = sealed_env(tmp_path, config(fake.url, fake.url), **keys())
        async with action_session(env, tmp_path) as (client, _):
            open_doc(client, uri, CODE)
            with_problem = await actions(client, uri, (7, 4), (7, 4), [diagnostic(7, "reslt is not defined")])
            without = await actions(client, uri, (6, 4), (6, 4))
            quickfix_only = await actions(
                client, uri, (7, 4), (7, 4), [diagnostic(7, "x")], only=["quickfix"]
            )
            elsewhere = await actions(client, uri, (5, 4), (5, 4), [diagnostic(7, "x")])
            secret_uri = (tmp_path / ".env").as_uri()
            open_doc(client, secret_uri, "TOKEN=abc\n", "dotenv")
            secret = await actions(client, secret_uri, (0, 0), (0, 0))
        assert fake.requests == []
    titles = [a.title for a in with_problem]
    assert titles[0].startswith("Explain with premium model (~$0.0")
    assert titles[1].startswith("Fix with premium model (~$0.0")
    assert titles[2].startswith("Add docstring with fast model (~$0.000")
    assert titles[3].startswith("Write tests with fast model (~$0.0")
    assert [a.title.split(" with")[0] for a in without] == ["Explain", "Add docstring", "Write tests"]
    assert [a.title.split(" with")[0] for a in quickfix_only] == ["Fix"]
    assert "Fix" not in [a.title.split(" with")[0] for a in elsewhere]  # the problem is not in the range
    fix = with_problem[1]
    assert (
        isinstance(fix, types.CodeAction)
        and fix.kind == types.CodeActionKind.QuickFix
        and fix.command is None
    )
    assert secret == []


async def test_explain_streams_into_a_shown_markdown_file_with_progress(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=EXPLAINED, chunks=6))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            listed = await actions(client, uri, (5, 0), (5, 0))
            explain = listed[0]
            assert isinstance(explain, types.CodeAction) and explain.command is None  # neovim resolves
            resolved = await client.code_action_resolve_async(explain)
            assert resolved.command is not None and resolved.command.command == "lspComplete.explain"
            result = await command(client, resolved.command.command, *(resolved.command.arguments or []))
        request = fake.requests[0]
    assert result["ok"] is True and result["source"] == "anthropic/claude-sonnet-4-6"
    shown = [d.uri for d in client.shown_documents]
    assert shown == [result["uri"]]
    path = Path(result["uri"].removeprefix("file://"))
    assert path.is_relative_to(tmp_path / "cache" / "lsp-complete" / "explanations")
    assert path.read_text(encoding="utf-8") == EXPLAINED
    assert recorder.explanations[-1] == {"uri": result["uri"], "text": EXPLAINED, "done": True}
    assert len([e for e in recorder.explanations if not e["done"]]) == 6  # one per streamed piece
    (reports,) = client.progress_reports.values()
    kinds = [r.kind for r in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    assert reports[0].cancellable is True
    assert "def total(items):" in request.json["messages"][0]["content"]
    assert request.json["system"].startswith("You are a senior python engineer explaining")
    assert ledger_rows(tmp_path) == [("explain", "anthropic", "ok")]


async def test_identical_request_is_served_from_the_cache(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=EXPLAINED, chunks=2))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, _):
            open_doc(client, uri, CODE)
            first = await command(client, "lspComplete.explain", {"uri": uri, "range": rng((4, 0), (4, 0))})
            second = await command(client, "lspComplete.explain", {"uri": uri, "range": rng((5, 0), (5, 0))})
        assert len(fake.requests) == 1
    assert first["cached"] is False and second["cached"] is True
    assert ledger_rows(tmp_path) == [("explain", "anthropic", "ok"), ("explain", "anthropic", "cache")]
    assert Path(second["uri"].removeprefix("file://")).read_text(encoding="utf-8") == EXPLAINED


async def test_fix_applies_a_minimal_versioned_edit(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="Here is the fix:\n\n" + FIXED + "\n\nThe typo is fixed.", chunks=4))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            problem = diagnostic(7, '"reslt" is not defined')
            (fix,) = [
                a for a in await actions(client, uri, (7, 4), (7, 4), [problem]) if a.title.startswith("Fix")
            ]
            assert isinstance(fix, types.CodeAction)
            resolved = await client.code_action_resolve_async(fix)
            assert resolved.command is not None
            result = await command(client, resolved.command.command, *(resolved.command.arguments or []))
        prompt = fake.requests[0].json["messages"][0]["content"]
    assert result["ok"] is True and result["applied"] is True
    ((edit_uri, version, edits),) = text_edits(recorder.edits[0])
    assert (edit_uri, version) == (uri, 1)
    assert [
        (e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character) for e in edits
    ] == [(7, 0, 8, 0)]
    assert edits[0].new_text == "    return result\n"
    assert '- line 8: "reslt" is not defined [pyright]' in prompt


@pytest.mark.parametrize(
    ("change", "applied_line"),
    [((0, 0, "import sys\n"), 8), ((3, 0, "def total(items, tax=0):\n"), None)],
    ids=["edited-above-rebased", "region-edited-refused"],
)
async def test_document_edited_during_a_fix(
    tmp_path: Path, change: tuple[int, int, str], applied_line: int | None
) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=FIXED, chunks=2, delay_before_s=1.0))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            args = {"uri": uri, "range": rng((7, 4), (7, 4)), "diagnostics": []}
            pending = asyncio.ensure_future(command(client, "lspComplete.fix", args))
            await asyncio.to_thread(fake.wait_for_request, 10)
            line, _, text = change
            end = (line, 0) if text.startswith("import") else (line + 1, 0)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                start=types.Position(line=line, character=0),
                                end=types.Position(line=end[0], character=end[1]),
                            ),
                            text=text,
                        )
                    ],
                )
            )
            result = await pending
    if applied_line is None:
        assert result["ok"] is False and "changed while" in result["message"] and recorder.edits == []
        assert any("changed while" in m.message for m in client.messages)
    else:
        ((_, version, edits),) = text_edits(recorder.edits[0])
        assert version == 2 and [(e.range.start.line, e.new_text) for e in edits] == [
            (applied_line, "    return result\n")
        ]


async def test_cancel_mid_stream_closes_the_stream_and_records_the_call(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=EXPLAINED, chunks=6, stall_after_chunks=2))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            pending = asyncio.ensure_future(command(client, "lspComplete.explain", {"uri": uri}))
            await asyncio.wait_for(recorder.first_text.wait(), 10)
            shown = Path(recorder.explanations[0]["uri"].removeprefix("file://"))
            assert "still streaming" in shown.read_text(encoding="utf-8")  # stock Neovim shows it
            (token,) = client.progress_reports
            client.protocol.notify(
                types.WINDOW_WORK_DONE_PROGRESS_CANCEL, types.WorkDoneProgressCancelParams(token)
            )
            result = await pending
            assert await asyncio.to_thread(fake.wait_for_disconnect, 10)
    assert result["ok"] is False and result["message"] == "cancelled"
    assert client.progress_reports[token][-1].kind == "end"
    streamed = recorder.explanations[-1]["text"]
    assert streamed and shown.read_text(encoding="utf-8") == streamed  # what had streamed, no footer
    assert ledger_rows(tmp_path) == [("explain", "anthropic", "cancelled")]


async def test_a_stream_that_dies_midway_fails_over_and_restarts(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as first, FakeProvider() as second:
        first.respond_with(Reply(text="## Partial answer that never", chunks=4, drop_after_chunks=2))
        second.respond_with(Reply(text=EXPLAINED, chunks=3))
        env = sealed_env(tmp_path, config(first.url, second.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.explain", {"uri": uri, "range": rng((4, 0), (4, 0))})
        assert len(first.requests) == 1 and len(second.requests) == 1
    assert result["ok"] is True and result["source"] == "openai/gpt-4o"
    assert Path(result["uri"].removeprefix("file://")).read_text(encoding="utf-8") == EXPLAINED
    assert any("starting over" in m.message and "anthropic" in m.message for m in client.messages)
    assert {"uri": result["uri"], "text": "", "done": False} in recorder.explanations  # the restart
    assert [r[1:] for r in ledger_rows(tmp_path)] == [("anthropic", "error"), ("openai", "ok")]


async def test_over_budget_is_refused_before_any_call(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        env = sealed_env(tmp_path, config(fake.url, extra="[budget]\ndaily_usd = 0.0001\n"), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.fix", {"uri": uri, "range": rng((7, 0), (7, 0))})
        assert fake.requests == []
    assert result["ok"] is False and recorder.edits == []
    assert "budget reached" in result["message"] and "$0.0001" in result["message"]
    assert any("budget reached" in m.message for m in client.messages)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("", "empty"), ("I looked at it and the function seems fine to me overall.", "prose")],
)
async def test_unusable_answer_is_shown_not_applied(tmp_path: Path, answer: str, reason: str) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=answer or " ", chunks=1))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.fix", {"uri": uri, "range": rng((7, 0), (7, 0))})
    assert result["ok"] is False and reason in result["message"] and recorder.edits == []
    assert any(reason in m.message for m in client.messages)


async def test_bad_input_gets_a_clear_message_and_no_call(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    secret = (tmp_path / "secrets.json").as_uri()
    with FakeProvider() as fake:
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            open_doc(client, secret, '{"key": "x"}\n', "json")
            unopened = await command(client, "lspComplete.explain", {"uri": (tmp_path / "no.py").as_uri()})
            hidden = await command(client, "lspComplete.explain", {"uri": secret})
            at_eof = await command(client, "lspComplete.fix", {"uri": uri, "range": rng((12, 0), (12, 0))})
            no_args = await command(client, "lspComplete.docstring")
            bad_range = await command(client, "lspComplete.fix", {"uri": uri, "range": {"start": 3}})
        assert fake.requests == []
    assert "not open" in unopened["message"]
    assert "secret" in hidden["message"]
    assert "nothing to fix at line 13" in at_eof["message"]
    assert "expected one argument" in no_args["message"]
    assert "not an LSP range" in bad_range["message"]
    assert recorder.edits == [] and not any(r["ok"] for r in (unopened, hidden, at_eof, no_args, bad_range))


async def test_a_50000_line_selection_is_trimmed_and_the_user_told(tmp_path: Path) -> None:
    uri = (tmp_path / "big.py").as_uri()
    big = "".join(f"value_{i} = compute({i})\n" for i in range(50_000))
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=EXPLAINED, chunks=1))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, _):
            open_doc(client, uri, big)
            result = await command(
                client, "lspComplete.explain", {"uri": uri, "range": rng((0, 0), (50_000, 0))}
            )
        prompt = fake.requests[0].json["messages"][0]["content"]
    assert result["ok"] is True
    assert any("50000 lines" in m.message and "fit the prompt budget" in m.message for m in client.messages)
    assert "value_0 = compute(0)" in prompt and "value_49999 " not in prompt
    assert len(prompt) < 60_000


async def test_tests_action_creates_a_test_file_next_to_the_source(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    reply = "```python\nfrom shop import total\n\n\ndef test_empty():\n    assert total([]) == 0\n```"
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=reply, chunks=2))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.tests", {"uri": uri, "range": rng((4, 0), (4, 0))})
        assert f"for {tmp_path / 'test_shop.py'}:" in fake.requests[0].json["system"]
    assert result["ok"] is True
    create, edit = recorder.edits[0].edit.document_changes or []
    assert isinstance(create, types.CreateFile) and create.uri == (tmp_path / "test_shop.py").as_uri()
    assert isinstance(edit, types.TextDocumentEdit) and edit.edits[0].new_text.startswith(
        "from shop import total"
    )


async def test_tests_action_appends_to_an_existing_test_file(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    existing = tmp_path / "tests" / "test_shop.py"
    existing.write_text("import shop\n", encoding="utf-8")
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(
            Reply(text="```python\ndef test_one():\n    assert shop.total([]) == 0\n```", chunks=1)
        )
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path, VSCODE) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.tests", {"uri": uri})
    assert result["ok"] is True
    ((edit_uri, version, edits),) = text_edits(recorder.edits[0])
    assert (edit_uri, version) == (existing.as_uri(), None)
    assert (edits[0].range.start.line, edits[0].range.start.character) == (1, 0)
    assert edits[0].new_text == "\ndef test_one():\n    assert shop.total([]) == 0\n"


async def test_vscode_gets_commands_in_the_list_and_toggle_and_usage_work(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path, VSCODE) as (client, recorder):
            open_doc(client, uri, CODE)
            listed = await actions(client, uri, (4, 0), (4, 0))
            paused = await command(client, "lspComplete.toggle")
            resumed = await command(client, "lspComplete.toggle")
            usage = await command(client, "lspComplete.usage")
        assert fake.requests == []
    # VS Code resolves only `edit`: the command comes in the list (lsprotocol reads those as Commands).
    assert all(getattr(a, "command", None) for a in listed)
    assert paused == {"enabled": False} and resumed == {"enabled": True}
    assert isinstance(usage, str) and "$" in usage
    assert recorder.initialized is not None
    capabilities = recorder.initialized.capabilities
    assert capabilities.execute_command_provider is not None
    assert set(capabilities.execute_command_provider.commands) == {
        f"lspComplete.{c}" for c in ("accepted", "explain", "fix", "docstring", "tests", "toggle", "usage")
    }
    provider = capabilities.code_action_provider
    assert isinstance(provider, types.CodeActionOptions) and provider.resolve_provider is True


async def test_an_overloaded_provider_is_retried_after_a_backoff(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        overloaded = Reply(status=529, error_body={"type": "error", "error": {"type": "overloaded_error"}})
        fake.respond_with(overloaded, Reply(text=EXPLAINED, chunks=2))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, _):
            open_doc(client, uri, CODE)
            result = await command(client, "lspComplete.explain", {"uri": uri})
        assert len(fake.requests) == 2
    assert result["ok"] is True and result["source"] == "anthropic/claude-sonnet-4-6"
    assert [r[2] for r in ledger_rows(tmp_path)] == ["error", "ok"]


async def test_cancel_request_of_the_command_closes_the_stream(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=EXPLAINED, chunks=6, stall_after_chunks=1))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, recorder):
            open_doc(client, uri, CODE)
            params = types.ExecuteCommandParams(command="lspComplete.explain", arguments=[{"uri": uri}])
            pending = asyncio.ensure_future(
                client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=4242)
            )
            await asyncio.wait_for(recorder.first_text.wait(), 10)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=4242))
            with pytest.raises(JsonRpcException) as error:
                await asyncio.wait_for(pending, 10)
            assert error.value.code == types.LSPErrorCodes.RequestCancelled
            assert await asyncio.to_thread(fake.wait_for_disconnect, 10)


async def test_docstring_inserts_only_the_new_lines(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    reply = '```python\ndef other():\n    """Return one."""\n    return 1\n```'
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=reply, chunks=3))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path, VSCODE) as (client, recorder):
            open_doc(client, uri, CODE)
            result = await command(
                client, "lspComplete.docstring", {"uri": uri, "range": rng((11, 4), (11, 4))}
            )
        assert fake.requests[0].json["model"] == "claude-sonnet-4-6"  # the fast tier of this config
    assert result["ok"] is True and result["applied"] is True
    ((_, version, edits),) = text_edits(recorder.edits[0])
    assert version == 1
    assert [(e.range.start.line, e.range.end.line, e.new_text) for e in edits] == [
        (11, 11, '    """Return one."""\n')
    ]


async def test_an_edit_the_editor_declines_is_reported_not_a_crash(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    reply = '```python\ndef other():\n    """Return one."""\n    return 1\n```'
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=reply, chunks=1))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path, VSCODE) as (client, recorder):
            recorder.apply_result = False
            open_doc(client, uri, CODE)
            result = await command(
                client, "lspComplete.docstring", {"uri": uri, "range": rng((11, 4), (11, 4))}
            )
    assert len(recorder.edits) == 1  # it was offered once
    assert result["ok"] is False and result["applied"] is False
    assert "did not apply" in result["message"]


SECRET_NAME = "secrets.py"


async def test_fix_prompt_has_related_code_of_open_files_but_never_a_secret_one(tmp_path: Path) -> None:
    uri = (tmp_path / "shop.py").as_uri()
    item = "class Item:\n    def __init__(self, price):\n        self.price = price\n"
    with FakeProvider() as fake:
        fake.respond_with(Reply(text=FIXED, chunks=1))
        env = sealed_env(tmp_path, config(fake.url), **keys())
        async with action_session(env, tmp_path) as (client, _):
            open_doc(client, (tmp_path / "item.py").as_uri(), item)
            secret = "def total(items):\n    result = item.price  # hunter2\n"  # as similar as it gets
            open_doc(client, (tmp_path / SECRET_NAME).as_uri(), secret)
            open_doc(client, uri, CODE)
            args = {"uri": uri, "range": rng((7, 0), (7, 0)), "diagnostics": []}
            result = await command(client, "lspComplete.fix", args)
        prompt = fake.requests[0].json["messages"][0]["content"]
    assert result["ok"] is True
    assert f"Related code in {tmp_path / 'item.py'} (context only):" in prompt
    assert "self.price = price" in prompt
    assert "hunter2" not in prompt and SECRET_NAME not in prompt
