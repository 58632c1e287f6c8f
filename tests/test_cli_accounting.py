"""``usage``, ``prices`` and ``prices import`` through their own argparse parser, on temporary XDG dirs."""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import datetime
from pathlib import Path

import pytest

from lsp_complete import cli_accounting, ledger, prices


def parser() -> argparse.ArgumentParser:
    """A parser with only the accounting commands, as the CLI will wire them."""
    root = argparse.ArgumentParser(prog="lsp-complete")
    sub = root.add_subparsers(dest="command")
    cli_accounting.add_commands(sub, lambda p: p.add_argument("--log-level", default=argparse.SUPPRESS))
    return root


def run(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Exit code and stdout of one command."""
    out = io.StringIO()
    code = cli_accounting.run(parser().parse_args(argv), env, out)
    return code, out.getvalue()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


@pytest.fixture
def filled(env: dict[str, str]) -> dict[str, str]:
    now = time.time()
    with ledger.Ledger(ledger.default_path(env)) as book:
        for hours, model, tier, cost, outcome in [
            (50, "deepseek-flash", "fast", 0.002, "ok"),
            (26, "claude-sonnet-4-6", "premium", 0.05, "ok"),
            (1, "deepseek-flash", "fast", 0.001, "ok"),
            (1, "deepseek-flash", "fast", 0.0, "cache"),
            (1, "mystery", "fast", None, "ok"),
        ]:
            provider = {"claude-sonnet-4-6": "anthropic"}.get(model, "deepseek")
            book.record(
                ledger.LedgerEntry(
                    now - hours * 3600, "completion", tier, provider, model, 1000, 500, 50, cost, False,
                    100.0, 300.0, outcome, 0.001 if outcome == "cache" else 0.0,  # type: ignore[arg-type]
                )
            )  # fmt: skip
    return env


@pytest.mark.parametrize(
    ("argv", "has", "lacks"),
    [
        (
            ["usage"],
            ["requests", "total", "$0.0530+?", "daily spend by model", "█ anthropic/claude-sonnet-4-6"],
            [],
        ),
        (
            ["usage", "--by", "model"],
            ["anthropic/claude-sonnet-4-6", "deepseek/mystery", "no known price"],
            [],
        ),
        (["usage", "--by", "tier", "--since", "24h"], ["fast", "$0.0010+?", "33%"], ["premium"]),
        (["usage", "--by", "task", "--since", "30d"], ["completion", "$0.0530"], []),
    ],
)
def test_usage_table(filled: dict[str, str], argv: list[str], has: list[str], lacks: list[str]) -> None:
    code, text = run(argv, filled)
    assert code == 0
    for part in has:
        assert part in text, (part, text)
    for part in lacks:
        assert part not in text, (part, text)


def test_usage_json(filled: dict[str, str]) -> None:
    code, text = run(["usage", "--by", "model", "--json"], filled)
    body = json.loads(text)
    assert code == 0 and body["by"] == "model"
    rows = {r["key"]: r for r in body["rows"]}
    flash = rows["deepseek/deepseek-flash"]
    assert (flash["requests"], flash["cache_hits"], flash["cost_usd"]) == (3, 1, pytest.approx(0.003))
    assert flash["cache_hit_rate"] == pytest.approx(1 / 3) and flash["saved_usd"] == pytest.approx(0.001)
    assert rows["deepseek/mystery"]["unknown_cost"] == 1
    assert sum(d["cost_usd"] for d in body["daily_by_model"]) == pytest.approx(0.053)


def test_usage_without_a_ledger_creates_nothing(env: dict[str, str]) -> None:
    code, text = run(["usage"], env)
    assert code == 0 and "no usage recorded" in text
    assert not ledger.default_path(env).exists()
    assert json.loads(run(["usage", "--json"], env)[1])["rows"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7d", 1000.0 - 7 * 86400), ("24h", 1000.0 - 86400), ("2026-12-01", datetime(2026, 12, 1).timestamp())],
)
def test_parse_since(text: str, expected: float) -> None:
    assert cli_accounting.parse_since(text, now=1000.0) == expected


@pytest.mark.parametrize("bad", ["7", "week", "2026-13-01", "-3d"])
def test_bad_since_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parser().parse_args(["usage", "--since", bad])
    assert info.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


def test_prices_lists_models_with_as_of_and_origin(env: dict[str, str]) -> None:
    code, text = run(["prices"], env)
    assert code == 0
    line = next(x for x in text.splitlines() if x.startswith("deepseek/deepseek-flash"))
    assert line.split()[1:] == ["*", "0.3", "0.006", "1.2", "1000000", "2026-08-16", "shipped"]
    assert any(x.startswith("ollama/*") and "free" in x for x in text.splitlines())
    assert "\ngpt-4o " not in text  # bare aliases are marked with *, not listed twice
    body = json.loads(run(["prices", "--json"], env)[1])
    assert body["openai/gpt-4o"]["input_per_mtok"] == 2.5 and body["openai/gpt-4o"]["origin"] == "shipped"


def test_prices_import_then_list(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "model_prices_and_context_window.json"
    row = {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000}
    row |= {"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06}
    source.write_text(json.dumps({"gpt-4o": row, "odd/one": {**row, "input_cost_per_token": "x"}}), "utf-8")
    code, text = run(["prices", "import", str(source)], env)
    assert code == 0 and "imported 1 model prices into" in text
    assert "skipped odd/one" in capsys.readouterr().err
    listing = run(["prices"], env)[1]
    line = next(x for x in listing.splitlines() if x.startswith("openai/gpt-4o *"))
    assert line.split()[2:5] == ["2", "-", "8"] and line.endswith("imported")


def test_prices_import_of_a_wrong_file_fails_and_writes_nothing(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "config.json"
    source.write_text('{"models": ["gpt-4o"]}', "utf-8")
    code, _ = run(["prices", "import", str(source)], env)
    err = capsys.readouterr().err
    assert (
        code == 1
        and "not LiteLLM's model_prices_and_context_window.json" in err
        and "nothing was written" in err
    )
    assert not prices.user_prices_path(env).exists()


def test_config_overrides_show_where_they_came_from(env: dict[str, str]) -> None:
    cfg = Path(env["XDG_CONFIG_HOME"]) / "lsp-complete" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        '[prices."deepseek/deepseek-flash"]\ninput_per_mtok = 0.15\noutput_per_mtok = 0.6\n', "utf-8"
    )
    line = next(x for x in run(["prices"], env)[1].splitlines() if x.startswith("deepseek/deepseek-flash"))
    assert line.split()[2] == "0.15" and line.endswith("config")


def test_unknown_command_is_refused(env: dict[str, str]) -> None:
    assert cli_accounting.run(argparse.Namespace(command="serve"), env, io.StringIO()) == 2
