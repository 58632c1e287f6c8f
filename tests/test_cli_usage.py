"""``usage`` and ``prices`` as real processes, against a ledger written through ``ledger.Ledger``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lsp_complete import ledger, prices
from tests.e2e.harness import sealed_env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lsp_complete", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = sealed_env(tmp_path)
    now = time.time()
    with ledger.Ledger(ledger.default_path(env)) as book:
        for hours, provider, model, tier, cost in [
            (30, "anthropic", "claude-sonnet-4-6", "premium", 0.04),
            (2, "deepseek", "deepseek-chat", "fast", 0.002),
            (1, "deepseek", "deepseek-chat", "fast", 0.003),
        ]:
            book.record(
                ledger.LedgerEntry(
                    now - hours * 3600, "completion" if tier == "fast" else "explain", tier, provider, model,
                    2000, 1000, 40, cost, False, 150.0, 400.0, "ok",
                )
            )  # fmt: skip
    return env


@pytest.mark.parametrize(
    ("args", "has", "lacks"),
    [
        (["usage"], ["total", "$0.0450", "daily spend by model", "anthropic/claude-sonnet-4-6"], []),
        (["usage", "--by", "tier", "--since", "24h"], ["fast", "$0.0050"], ["premium"]),
        (["usage", "--by", "task"], ["completion", "explain"], []),
        (["prices"], ["deepseek/deepseek-chat", "USD per million tokens"], []),
    ],
)
def test_reports_as_a_process(env: dict[str, str], args: list[str], has: list[str], lacks: list[str]) -> None:
    result = run(args, env)
    assert result.returncode == 0, result.stderr
    for part in has:
        assert part in result.stdout, (part, result.stdout)
    for part in lacks:
        assert part not in result.stdout, (part, result.stdout)


def test_usage_json_by_model(env: dict[str, str]) -> None:
    result = run(["usage", "--by", "model", "--json"], env)
    assert result.returncode == 0, result.stderr
    rows = {r["key"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["deepseek/deepseek-chat"]["requests"] == 2
    assert rows["deepseek/deepseek-chat"]["cost_usd"] == pytest.approx(0.005)
    assert rows["anthropic/claude-sonnet-4-6"]["prompt_cache_rate"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["usage", "--since", "tomorrow"], "YYYY-MM-DD"),
        (["usage", "--by", "weekday"], "invalid choice"),
        (["prices", "import"], "FILE"),
    ],
)
def test_wrong_usage_exits_2_with_one_line(env: dict[str, str], args: list[str], reason: str) -> None:
    result = run(args, env)
    assert result.returncode == 2
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["usage", "--help"], ["prices", "--help"], ["prices", "import", "--help"]])
def test_help_everywhere(env: dict[str, str], args: list[str]) -> None:
    result = run(args, env)
    assert result.returncode == 0 and "usage: lsp-complete" in result.stdout


def test_prices_import_as_a_process(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "litellm.json"
    row = {"litellm_provider": "mistral", "mode": "chat", "input_cost_per_token": 4e-07}
    source.write_text(json.dumps({"my-new-model": row | {"output_cost_per_token": 2e-06}}), "utf-8")
    result = run(["prices", "import", str(source)], env)
    assert result.returncode == 0, result.stderr
    assert str(prices.user_prices_path(env)) in result.stdout
    listing = run(["prices", "--json"], env)
    assert json.loads(listing.stdout)["mistral/my-new-model"]["output_per_mtok"] == pytest.approx(2.0)
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", "utf-8")
    failed = run(["prices", "import", str(bad)], env)
    assert failed.returncode == 1 and "nothing was written" in failed.stderr


def test_chart_png_or_a_clear_message_without_the_extra(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "spend.png"
    result = run(["usage", "--chart", str(target)], env)
    if importlib.util.find_spec("matplotlib") is None:
        assert result.returncode == 1
        assert "pip install 'lsp-complete[plot]'" in result.stderr and not target.exists()
    else:
        assert result.returncode == 0, result.stderr
        assert target.read_bytes().startswith(b"\x89PNG")
