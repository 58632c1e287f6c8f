"""The command line, run as a real process: usage errors, the offline main job, config, keys never shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import sealed_env
from tests.fake_provider import FakeProvider, Reply

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "inventory.py"
KEY = "sk-cli-secret-value-123456"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m lsp_complete ARGS`` with a timeout, capturing both streams."""
    return subprocess.run(
        [sys.executable, "-m", "lsp_complete", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "code", "stdout_has", "stderr_has"),
    [
        (["--version"], 0, "lsp-complete 0.1.0", ""),
        (["--help"], 0, "complete", ""),
        (["complete", "--help"], 0, "PATH:LINE:COL", ""),
        (["frobnicate"], 2, "", "invalid choice"),
        (["complete"], 2, "", "required"),
        (["complete", "examples/inventory.py:0:1"], 2, "", "1-based"),
        (["complete", "no-such-file.py:1:1"], 2, "", "No such file"),
        (["serve", "--tcp", "nonsense"], 2, "", "HOST:PORT"),
    ],
)
def test_usage(tmp_path: Path, args: list[str], code: int, stdout_has: str, stderr_has: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lsp_complete", *args],
        env=sealed_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == code
    assert stdout_has in result.stdout
    assert stderr_has in result.stderr
    if code == 2:
        assert len(result.stderr.strip().splitlines()) == 1  # one line saying why


def test_complete_offline_main_job(tmp_path: Path) -> None:
    result = run(["complete", f"{EXAMPLE}:29:45", "--json"], sealed_env(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["text"] == "weight)"
    assert answer["source"] == "local" and answer["costUsd"] == 0.0


def test_complete_from_a_provider_reports_usage(tmp_path: Path) -> None:
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="price)", chunks=2))
        config = (
            f'[providers.fake]\napi = "openai-completions"\nbase_url = "{fake.url}"\n'
            'api_key_env = "FAKE_KEY"\n[tiers]\nfast = ["fake/coder"]\n'
        )
        result = run(["complete", f"{EXAMPLE}:29:45"], sealed_env(tmp_path, config, FAKE_KEY=KEY))
    assert result.returncode == 0, result.stderr
    text, summary = result.stdout.rstrip("\n").split("\n")
    assert text == "price)"
    assert "fake/coder" in summary and "tokens in" in summary
    assert KEY not in result.stdout + result.stderr


def test_invalid_config_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    env = sealed_env(tmp_path, "[completion]\ndebounce_ms = 'soon'\n")
    for args in (["config"], ["complete", f"{EXAMPLE}:29:45"]):
        result = run(args, env)
        assert result.returncode == 2
        assert "completion.debounce_ms" in result.stderr and env["LSP_COMPLETE_CONFIG"] in result.stderr


def test_config_shows_sources_and_key_presence_never_the_key(tmp_path: Path) -> None:
    config = (
        '[providers.mine]\napi = "openai-chat"\nbase_url = "https://example.invalid/v1"\n'
        'api_key_env = "MINE_KEY"\n'
    )
    env = sealed_env(tmp_path, config, MINE_KEY=KEY, DEEPSEEK_API_KEY=KEY)
    result = run(["config"], env)
    assert result.returncode == 0
    assert "MINE_KEY: present" in result.stdout and "DEEPSEEK_API_KEY: present" in result.stdout
    assert env["LSP_COMPLETE_CONFIG"] in result.stdout
    assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("reply", "priced", "cost", "estimated"),
    [
        # Reported usage (10 prompt tokens, 2 completion tokens) at $1 / $2 per million tokens.
        (Reply(text="price)", chunks=2), True, 10 * 1e-6 + 2 * 2e-6, False),
        (Reply(text="price)", chunks=2, usage_mode="none"), True, None, True),  # no usage: an estimate
        (Reply(text="price)", chunks=2), False, None, False),  # no price: unknown, not $0
    ],
)
def test_complete_prints_the_estimated_cost(
    tmp_path: Path, reply: Reply, priced: bool, cost: float | None, estimated: bool
) -> None:
    with FakeProvider() as fake:
        fake.respond_with(reply, reply)
        config = (
            f'[providers.fake]\napi = "openai-completions"\nbase_url = "{fake.url}"\n'
            'api_key_env = "FAKE_KEY"\n[tiers]\nfast = ["fake/coder"]\n'
        )
        if priced:
            config += (
                '[prices."fake/coder"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\nas_of = "2026-12"\n'
            )
        env = sealed_env(tmp_path, config, FAKE_KEY=KEY)
        answer = json.loads(run(["complete", f"{EXAMPLE}:29:45", "--json"], env).stdout)
        text = run(["complete", f"{EXAMPLE}:29:45"], env).stdout
    assert answer["estimated"] is estimated
    summary = text.rstrip("\n").split("\n")[-1]
    if not priced:
        assert answer["costUsd"] is None and "cost unknown" in summary
    elif estimated:
        # The estimate counts the prompt cut around the cursor and the suggestion with the tokenizer.
        assert answer["inputTokens"] > 100 and answer["outputTokens"] == 2
        assert answer["costUsd"] == pytest.approx(answer["inputTokens"] * 1e-6 + 2 * 2e-6)
        assert "estimated" in summary and "cost ~$" in summary
    else:
        assert answer["costUsd"] == pytest.approx(cost)
        assert f"cost ${cost:.6f}" in summary
