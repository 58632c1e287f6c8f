"""``lsp-complete doctor`` as a real process against fake providers on 127.0.0.1 (no network)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from lsp_complete import ledger
from tests.e2e.harness import sealed_env
from tests.fake_provider import FakeProvider, Reply

KEY = "sk-doctor-secret-0123456789"
PRICE = '[prices."good/coder"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\nas_of = "2026-12"\n'


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lsp_complete", *args], env=env, capture_output=True, text=True, timeout=60
    )


def provider(name: str, url: str, key_env: str | None = "GOOD_KEY") -> str:
    key = f'api_key_env = "{key_env}"\n' if key_env else ""
    return f'[providers.{name}]\napi = "openai-completions"\nbase_url = "{url}"\n{key}'


def dead_url() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def checks(stdout: str) -> dict[str, str]:
    """Each check line's status by area and subject (the first word of its detail), e.g. "fast good/coder"."""
    out = {}
    for line in stdout.split("\nChecks\n", 1)[1].splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[0] in ("PASS", "FAIL", "SKIP", "WARN"):
            out[f"{parts[1]} {parts[2].split()[0].rstrip(':')}"] = parts[0]
    return out


def test_all_good_passes_with_ttft_and_cost(tmp_path: Path) -> None:
    with FakeProvider() as good:
        good.respond_with(Reply(text="a", usage={"prompt_tokens": 30, "completion_tokens": 1}))
        config = provider("good", good.url) + '[tiers]\nfast = ["good/coder", "local"]\npremium = ["local"]\n'
        result = run(["doctor"], sealed_env(tmp_path, config + PRICE, GOOD_KEY=KEY))
        sent = good.requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Settings (value  <- source):" in result.stdout  # the resolved configuration
    found = checks(result.stdout)
    assert found == {
        "config " + str(tmp_path / "config.toml"): "PASS",
        "key good": "PASS",
        "fast good/coder": "PASS",
        "fast local": "PASS",
        "price good/coder": "PASS",
        "tokenizer cl100k_base": "PASS",
        "ledger " + str(ledger.default_path(sealed_env(tmp_path))): "PASS",
    }
    line = next(x for x in result.stdout.splitlines() if x.startswith("PASS  fast") and "good/coder" in x)
    assert "first token" in line and "cost $0.0000320" in line  # 30 in at $1/M + 1 out at $2/M
    assert len(sent) == 1 and sent[0].json["max_tokens"] == 1
    assert KEY not in result.stdout + result.stderr
    # The probe is accounted for like any other upstream request.
    with sqlite3.connect(ledger.default_path(sealed_env(tmp_path))) as db:
        rows = db.execute("SELECT task, provider, model, cost_usd, outcome FROM requests").fetchall()
        db.execute("SELECT COUNT(*) FROM suggestion_events").fetchone()  # the telemetry table exists
    db.close()
    assert rows == [("doctor", "good", "coder", 3.2e-05, "ok")]


def test_rejected_key_and_dead_port_fail_missing_key_skips(tmp_path: Path) -> None:
    with FakeProvider() as rejecting:
        rejecting.respond_with(Reply(status=401, error_body={"error": {"message": "bad key"}}))
        config = (
            provider("rejecting", rejecting.url)
            + provider("dead", dead_url())
            + provider("unkeyed", "http://127.0.0.1:9/v1", "UNSET_KEY")
            + '[tiers]\nfast = ["rejecting/coder", "dead/coder", "unkeyed/coder"]\npremium = ["local"]\n'
        )
        result = run(["doctor", "--timeout", "5"], sealed_env(tmp_path, config, GOOD_KEY=KEY))
    assert result.returncode == 1, result.stdout + result.stderr
    found = checks(result.stdout)
    assert found["fast rejecting/coder"] == "FAIL" and found["fast dead/coder"] == "FAIL"
    assert found["fast unkeyed/coder"] == "SKIP" and found["key unkeyed"] == "SKIP"
    assert found["premium local"] == "PASS"
    assert found["price rejecting/coder"] == "WARN"  # unknown price: a warning, not a failure
    auth = next(x for x in result.stdout.splitlines() if "rejecting/coder at" in x)
    dead = next(x for x in result.stdout.splitlines() if "dead/coder at" in x)
    assert "ProviderAuthError" in auth and "check GOOD_KEY" in auth and "ProviderNetworkError" in dead
    assert "2 fail" in result.stdout and KEY not in result.stdout + result.stderr


def test_config_problems_fail(tmp_path: Path) -> None:
    result = run(["doctor"], sealed_env(tmp_path, "[completion]\ndebounce_ms = 'soon'\n"))
    assert result.returncode == 1
    assert any(
        x.startswith("FAIL  config") and "completion.debounce_ms" in x for x in result.stdout.splitlines()
    )


def test_unwritable_ledger_fails(tmp_path: Path) -> None:
    state = tmp_path / "state-is-a-file"
    state.write_text("not a directory", "utf-8")
    result = run(["doctor"], sealed_env(tmp_path, XDG_STATE_HOME=str(state)))
    assert result.returncode == 1
    assert any(x.startswith("FAIL  ledger") for x in result.stdout.splitlines())


def test_bad_timeout_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["doctor", "--timeout", "soon"], sealed_env(tmp_path))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
