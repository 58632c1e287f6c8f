"""The real server over stdio: today's spend in the status notification, a rejected key told once, the
ledger written under the sealed XDG state directory."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import inline, lsp_session, open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

KEY = "sk-test-0123456789abcdef"
STATUS = "$/lspComplete/status"


def _config(good: str, bad: str) -> str:
    return (
        f'[providers.bad]\napi = "openai-completions"\nbase_url = "{bad}"\napi_key_env = "FAKE_KEY"\n'
        f'[providers.good]\napi = "openai-completions"\nbase_url = "{good}"\napi_key_env = "FAKE_KEY"\n'
        '[tiers]\nfast = ["bad/coder", "good/coder"]\n[completion]\ndebounce_ms = 0\nspeculative = false\n'
        "[budget]\ndaily_usd = 0.5\nmonthly_usd = 5.0\n"
        '[prices."good/coder"]\ninput_per_mtok = 1000.0\noutput_per_mtok = 1000.0\n'
    )


async def test_spend_in_status_key_rejection_told_once_and_ledger_rows(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as good, FakeProvider() as bad:
        bad.default_reply = Reply(status=401, error_body={"error": {"message": "Incorrect API key provided"}})
        good.default_reply = Reply(text="42", usage={"prompt_tokens": 100, "completion_tokens": 2})
        env = sealed_env(tmp_path, _config(good.url, bad.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            statuses: list[Any] = []
            open_doc(client, uri, "answer = \nother = ")
            for line, character in ((0, 9), (1, 8)):  # two places: the second is not a cache hit
                waiting = asyncio.ensure_future(client.wait_for_notification(STATUS))
                result = await inline(client, uri, line, character)
                assert [i.insert_text for i in result.items] == ["42"]
                statuses.append(await waiting)
            key_messages = [m.message for m in client.messages if "rejected the API key" in m.message]
        assert len(key_messages) == 1 and "$FAKE_KEY" in key_messages[0]
        assert all(KEY not in m.message for m in client.messages)
        last = statuses[-1]
        spent = last["spentTodayUsd"] if isinstance(last, dict) else last.spentTodayUsd
        cap = last["dailyCapUsd"] if isinstance(last, dict) else last.dailyCapUsd
        assert cap == 0.5 and spent == pytest.approx(2 * 102 * 1000 / 1e6)
        assert len(bad.requests) == 1  # a rejected key opens its circuit: not asked again
    ledger = tmp_path / "state" / "lsp-complete" / "ledger.sqlite3"
    db = sqlite3.connect(ledger)
    try:
        rows = db.execute("SELECT provider, outcome, input_tokens FROM requests ORDER BY id").fetchall()
    finally:
        db.close()
    assert rows == [("bad", "error", 0), ("good", "ok", 100), ("good", "ok", 100)]
