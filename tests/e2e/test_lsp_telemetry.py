"""Acceptance telemetry end to end: the real server over stdio writes the events into the SQLite file in
the temporary XDG state directory, and ``lsp-complete usage`` reports them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_complete import ledger
from tests.e2e.harness import inline, lsp_session, open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

KEY = "sk-telemetry-0123456789"
CONFIG = (
    '[providers.fake]\napi = "openai-completions"\nbase_url = "{url}"\napi_key_env = "FAKE_KEY"\n'
    '[tiers]\nfast = ["fake/coder"]\n[completion]\ndebounce_ms = 0\nspeculative = false\n'
    '[prices."fake/coder"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\nas_of = "2026-12"\n'
)


async def test_shown_accepted_and_partially_accepted_land_in_the_ledger_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"  # distinct documents: no cache answers
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="total + tax"), Reply(text="name.upper()"), Reply(text="tax"))
        env = sealed_env(tmp_path, CONFIG.format(url=fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, first.as_uri(), "def f(total, tax):\n    return \n")
            open_doc(client, second.as_uri(), "def g(name):\n    return \n")
            shown_a = (await inline(client, first.as_uri(), 1, 11)).items
            shown_b = (await inline(client, second.as_uri(), 1, 11)).items
            assert [i.insert_text for i in shown_a + shown_b] == ["total + tax", "name.upper()"]
            command = shown_a[0].command
            assert command is not None and command.command == "lspComplete.accepted"
            id_a = command.arguments[0] if command.arguments else ""
            id_b = shown_b[0].command.arguments[0]  # type: ignore[union-attr,index]
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command.command, arguments=list(command.arguments or []))
            )
            client.protocol.notify("$/lspComplete/didShowCompletion", {"id": id_b})
            client.protocol.notify(
                "$/lspComplete/didPartiallyAcceptCompletion", {"id": id_b, "acceptedLength": 5}
            )
            # Bad input: an unknown id, params of the wrong shape; recorded nowhere, the server keeps serving.
            client.protocol.notify("$/lspComplete/didShowCompletion", {"id": "never-shown"})
            client.protocol.notify(
                "$/lspComplete/didPartiallyAcceptCompletion", {"id": id_b, "acceptedLength": "x"}
            )
            # Copilot's spelling: the item comes back, our id is its command's argument.
            item = {"insertText": "total + tax", "command": {"title": "a", "command": command.command}}
            item["command"]["arguments"] = [id_a]  # type: ignore[index]
            client.protocol.notify("textDocument/didShowCompletion", {"item": item})
            third = tmp_path / "c.py"
            open_doc(client, third.as_uri(), "def h(price, tax):\n    return price + \n")
            again = await inline(client, third.as_uri(), 1, 19)
            assert [i.insert_text for i in again.items] == ["tax"]  # still serving
    path = ledger.default_path(env)
    assert path.is_relative_to(tmp_path / "state")
    with sqlite3.connect(path) as db:
        columns = "completion_id, event, source, chars_shown, chars_accepted"
        events = db.execute(f"SELECT {columns} FROM suggestion_events ORDER BY id").fetchall()
    db.close()
    assert events[:5] == [
        (id_a, "shown", "fake/coder", 11, 0),
        (id_b, "shown", "fake/coder", 12, 0),
        (id_a, "accepted", "fake/coder", 11, 11),
        (id_b, "displayed", "fake/coder", 12, 0),
        (id_b, "partial", "fake/coder", 12, 5),
    ]
    # Copilot's didShow, then the third request; nothing from the bad notifications.
    assert events[5] == (id_a, "displayed", "fake/coder", 11, 0)
    assert [e[1] for e in events[6:]] == ["shown"]

    report = subprocess.run(
        [sys.executable, "-m", "lsp_complete", "usage", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    acceptance = json.loads(report.stdout)["acceptance"]
    assert (acceptance["shown"], acceptance["accepted"], acceptance["accepted_whole"]) == (3, 2, 1)
    assert acceptance["displayed"] == 2 and acceptance["chars_accepted"] == 16
    assert acceptance["rate"] == pytest.approx(2 / 3)
    text = subprocess.run(
        [sys.executable, "-m", "lsp_complete", "usage"], env=env, capture_output=True, text=True, timeout=60
    ).stdout
    assert "suggestions (acceptance, recorded locally)" in text and "67%" in text
