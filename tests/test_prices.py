"""Prices: cost with cached tokens, lookup order, the shipped table, user layers and the LiteLLM import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_complete import prices
from lsp_complete.core.types import Usage
from lsp_complete.errors import ConfigError
from lsp_complete.prices import Price, PriceTable

DS = Price(0.28, 0.028, 0.42, 131072, "2025-12-09", "https://example.test")
NO_CACHE_RATE = Price(1.50, None, 2.00, 8192, "2026", "https://example.test")
FREE = Price(0, 0, 0, None, "2026", "", free=True)


@pytest.mark.parametrize(
    ("usage", "price", "dollars"),
    [
        (Usage(1_000_000, 0, 0), DS, 0.28),
        (Usage(1_000_000, 1_000_000, 0), DS, 0.028),  # all input cached: the cached rate only
        (Usage(1000, 800, 100), DS, (200 * 0.28 + 800 * 0.028 + 100 * 0.42) / 1e6),
        (Usage(0, 0, 1_000_000), DS, 0.42),
        (Usage(1000, 5000, 0), DS, 1000 * 0.028 / 1e6),  # cached > input (bad report): capped at input
        (Usage(1000, 400, 10), NO_CACHE_RATE, (1000 * 1.5 + 10 * 2.0) / 1e6),  # no cached rate: input rate
        (Usage(10**6, 10**5, 10**6), FREE, 0.0),
        (Usage(-5, -1, -3), DS, 0.0),
    ],
)
def test_cost(usage: Usage, price: Price, dollars: float) -> None:
    assert prices.cost(usage, price) == pytest.approx(dollars, abs=1e-15)


def test_unknown_price_is_none_not_zero() -> None:
    assert prices.cost(Usage(1000, 0, 10), None) is None
    assert prices.worst_case(1000, 10, None) is None


@pytest.mark.parametrize(
    ("prompt", "out", "price", "dollars"),
    [
        (1000, 128, DS, (1000 * 0.28 + 128 * 0.42) / 1e6),
        (500, 0, NO_CACHE_RATE, 500 * 1.5 / 1e6),
        (9, 9, FREE, 0),
    ],
)
def test_worst_case_assumes_no_cache_and_every_output_token(
    prompt: int, out: int, price: Price, dollars: float
) -> None:
    assert prices.worst_case(prompt, out, price) == pytest.approx(dollars)


def _p(tag: str) -> Price:
    return Price(1, None, 1, None, "2026", tag)


LOOKUP_TABLE = PriceTable(
    {
        "openrouter/qwen/qwen-coder": _p("exact"),
        "ollama/*": _p("provider-wide"),
        "gpt-4o": _p("bare"),
        "qwen-coder": _p("tail"),
        "deepseek/deepseek-chat": _p("provider key used as a bare vendor/model"),
    }
)


@pytest.mark.parametrize(
    ("provider", "model", "source"),
    [
        ("openrouter", "qwen/qwen-coder", "exact"),
        ("ollama", "gpt-4o", "provider-wide"),  # a local provider is free whatever its model is called
        ("azure", "gpt-4o", "bare"),
        ("other", "qwen/qwen-coder", "tail"),
        ("router", "deepseek/deepseek-chat", "provider key used as a bare vendor/model"),
        ("azure", "gpt-5", None),
        ("ollama2", "x", None),
    ],
)
def test_lookup_order(provider: str, model: str, source: str | None) -> None:
    price = LOOKUP_TABLE.lookup(provider, model)
    assert (price.source if price else None) == source


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


def test_shipped_table_is_complete_and_dated(tmp_path: Path) -> None:
    table, problems = prices.load_prices(_env(tmp_path))
    assert problems == []
    for key, price in table.items():
        assert price.as_of, key
        assert price.free or price.source.startswith("https://"), key
    expected = {
        ("deepseek", "deepseek-flash"): (0.30, 0.006, 1.20),
        ("deepseek", "deepseek-chat"): (0.28, 0.028, 0.42),
        ("mistral", "codestral-latest"): (0.30, 0.03, 0.90),
        ("codestral", "codestral-latest"): (0.0, 0.0, 0.0),
        ("anthropic", "claude-sonnet-4-6"): (3.00, 0.30, 15.00),
        ("openai", "gpt-4o-mini"): (0.15, 0.075, 0.60),
        ("gemini", "gemini-2.0-flash"): (0.10, 0.025, 0.40),
        ("openrouter", "qwen/qwen-2.5-coder-32b-instruct"): (0.18, None, 0.18),
        ("some-proxy", "gpt-4o"): (2.50, 1.25, 10.00),  # "bare": true
        ("some-proxy", "codestral-latest"): (0.30, 0.03, 0.90),  # the paid price, not the free endpoint's
    }
    for (provider, model), rates in expected.items():
        price = table.lookup(provider, model)
        assert price is not None, (provider, model)
        assert (price.input_per_mtok, price.cached_input_per_mtok, price.output_per_mtok) == rates
    for provider in ("ollama", "local", "llamacpp"):
        free = table.lookup(provider, "anything")
        assert free is not None and free.free and prices.cost(Usage(10**6, 0, 10**6), free) == 0.0
    assert table.lookup("deepseek", "no-such-model") is None


def test_layers_imported_then_config_win(tmp_path: Path) -> None:
    env = _env(tmp_path)
    user = prices.user_prices_path(env)
    user.parent.mkdir(parents=True)
    imported: dict[str, Any] = {"openai/gpt-4o": {"input_per_mtok": 2.0, "output_per_mtok": 8.0}}
    imported["openai/gpt-4o"] |= {"as_of": "2026-11-01", "context_window": 100000}
    imported["openai/gpt-4o-mini"] = {"input_per_mtok": 0.1, "output_per_mtok": 0.5, "as_of": "2026-11-01"}
    user.write_text(json.dumps({"format": prices.FORMAT, "models": imported}), encoding="utf-8")
    cfg = tmp_path / "config" / "lsp-complete" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        '[prices."openai/gpt-4o"]\ninput_per_mtok = 1.0\noutput_per_mtok = 4.0\n'
        '[prices."mine/model"]\ninput_per_mtok = 0.5\noutput_per_mtok = 0.5\ncontext_window = 4096\n'
        '[prices."bad/one"]\ninput_per_mtok = "cheap"\noutput_per_mtok = 1\n',
        encoding="utf-8",
    )
    table, problems = prices.load_prices(env)
    gpt4o, mini, mine = (table.lookup("openai", m) for m in ("gpt-4o", "gpt-4o-mini", "x"))
    assert gpt4o is not None and (gpt4o.input_per_mtok, gpt4o.origin) == (1.0, str(cfg))
    assert gpt4o.context_window == 100000  # kept from the earlier layer
    assert table.lookup("azure", "gpt-4o") is gpt4o  # the shipped bare alias follows the override
    assert mini is not None and (mini.input_per_mtok, mini.origin) == (0.1, str(user))
    assert mine is None
    assert table.lookup("mine", "model") is not None
    assert len(problems) == 1 and "bad/one" in problems[0] and "input_per_mtok" in problems[0]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"output_per_mtok": 1, "as_of": "2026"}, "input_per_mtok is missing"),
        ({"input_per_mtok": -1, "output_per_mtok": 1, "as_of": "2026"}, "input_per_mtok"),
        ({"input_per_mtok": 1, "output_per_mtok": 1, "as_of": "last week"}, "as_of"),
        ({"input_per_mtok": 1, "output_per_mtok": 1, "as_of": "2026", "context_window": 0}, "context_window"),
        ({"input": 1, "output_per_mtok": 1, "as_of": "2026"}, "unknown field 'input'"),
        ("cheap", "expected a table"),
    ],
)
def test_bad_entries_name_the_field(raw: Any, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        prices.parse_entry("p/m", raw, "test")


def test_warn_unknown_once(caplog: pytest.LogCaptureFixture) -> None:
    assert prices.warn_unknown_once("nowhere", "model-x") is True
    assert prices.warn_unknown_once("nowhere", "model-x") is False
    assert sum("nowhere/model-x" in r.getMessage() for r in caplog.records) == 1


LITELLM = {
    "sample_spec": {
        "litellm_provider": "one of https://docs.litellm.ai/docs/providers",
        "input_cost_per_token": 0,
    },
    "gpt-4o": {
        "litellm_provider": "openai",
        "mode": "chat",
        "max_input_tokens": 128000,
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-06,
    },
    "deepseek-chat": {
        "litellm_provider": "deepseek",
        "mode": "chat",
        "max_input_tokens": 65536,
        "input_cost_per_token": 2.7e-07,
        "output_cost_per_token": 1.1e-06,
        "input_cost_per_token_cache_hit": 7e-08,
    },
    "deepseek/deepseek-chat": {
        "litellm_provider": "deepseek",
        "mode": "chat",
        "max_input_tokens": 65536,
        "input_cost_per_token": 2.8e-07,
        "output_cost_per_token": 4.2e-07,
        "cache_read_input_token_cost": 2.8e-08,
    },
    "text-embedding-3-small": {
        "litellm_provider": "openai",
        "mode": "embedding",
        "input_cost_per_token": 2e-08,
    },
    "broken/model": {
        "litellm_provider": "broken",
        "input_cost_per_token": "free",
        "output_cost_per_token": 0,
    },
}


def test_import_litellm(tmp_path: Path) -> None:
    env = _env(tmp_path)
    source = tmp_path / "model_prices_and_context_window.json"
    source.write_text(json.dumps(LITELLM), encoding="utf-8")
    count, problems = prices.import_litellm(source, env)
    assert count == 2 and len(problems) == 1 and "broken/model" in problems[0]
    table, load_problems = prices.load_prices(env)
    assert load_problems == []
    gpt = table.lookup("openai", "gpt-4o")
    assert gpt is not None and (gpt.input_per_mtok, gpt.cached_input_per_mtok, gpt.output_per_mtok) == (
        2.5,
        1.25,
        10.0,
    )
    assert gpt.origin == str(prices.user_prices_path(env)) and gpt.context_window == 128000
    ds = table.lookup("deepseek", "deepseek-chat")  # the explicit provider/model row wins over the bare one
    assert ds is not None and (ds.input_per_mtok, ds.cached_input_per_mtok, ds.output_per_mtok) == (
        0.28,
        0.028,
        0.42,
    )
    assert table.lookup("proxy", "deepseek-chat") is ds  # the bare row made it a bare alias
    assert table.lookup("openai", "text-embedding-3-small") is None


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object keyed by model name"),
        (b'{"a": {"input_cost_per_token": 1}}', "not LiteLLM's model_prices_and_context_window.json"),
        (b'{"a": {"litellm_provider": "x", "input_cost_per_token": 1, "mode": "embedding"}}', "no chat"),
    ],
)
def test_import_rejects_other_files_and_writes_nothing(tmp_path: Path, content: bytes, error: str) -> None:
    env = _env(tmp_path)
    source = tmp_path / "prices.json"
    source.write_bytes(content)
    with pytest.raises(ConfigError, match=error):
        prices.import_litellm(source, env)
    assert not prices.user_prices_path(env).exists()
    with pytest.raises(ConfigError, match="cannot read"):
        prices.import_litellm(tmp_path / "missing.json", env)


def test_import_replaces_the_previous_file_atomically(tmp_path: Path) -> None:
    env = _env(tmp_path)
    source = tmp_path / "litellm.json"
    source.write_text(json.dumps(LITELLM), encoding="utf-8")
    prices.import_litellm(source, env)
    source.write_text(json.dumps({"gpt-4o": LITELLM["gpt-4o"]}), encoding="utf-8")
    assert prices.import_litellm(source, env)[0] == 1
    assert [p.name for p in prices.user_prices_path(env).parent.iterdir()] == ["prices.json"]  # no temp left


def test_ceiling_is_at_least_every_known_rate(tmp_path: Path) -> None:
    table, _ = prices.load_prices(_env(tmp_path))
    top = table.ceiling()
    assert all(p.input_per_mtok <= top.input_per_mtok for _, p in table.items())
    assert all(p.output_per_mtok <= top.output_per_mtok for _, p in table.items())
