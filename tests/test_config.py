"""Settings: layering, problems instead of exceptions, and the rule that editors cannot redirect keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_complete import config
from lsp_complete.config import LOCAL_PROVIDER, ModelRef, ProviderConfig, load, resolve_tier, tier_for_task
from lsp_complete.fields import FIELDS
from lsp_complete.presets import PRESETS

INIT, WS = config.INIT_ORIGIN, config.WORKSPACE_ORIGIN
FAST_TWO = ["codestral/codestral-latest", "deepseek/deepseek-flash"]
PREMIUM = ["anthropic/claude-sonnet-4-6", "openai/gpt-4o"]
SECRET = "sk-THIS-MUST-NEVER-SHOW-1234"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def run(path: Path, toml: str | None = None, init: Any = None, ws: Any = None) -> config.LoadResult:
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    return load({"LSP_COMPLETE_CONFIG": str(path)}, init_options=init, workspace=ws)


def nested(dotted: str, value: Any) -> dict[str, Any]:
    head, _, rest = dotted.partition(".")
    return {head: nested(rest, value) if rest else value}


def get(settings: config.Settings, dotted: str) -> Any:
    section, _, name = dotted.rpartition(".")
    return getattr(getattr(settings, section) if section else settings, name)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LSP_COMPLETE_CONFIG": "/a/b.toml", "XDG_CONFIG_HOME": "/x"}, "/a/b.toml"),
        ({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/lsp-complete/config.toml"),
        ({"HOME": "/h"}, "/h/.config/lsp-complete/config.toml"),
        ({"XDG_CONFIG_HOME": "relative/dir", "HOME": "/h"}, "/h/.config/lsp-complete/config.toml"),
        ({"LSP_COMPLETE_CONFIG": "", "HOME": "/h"}, "/h/.config/lsp-complete/config.toml"),
    ],
)
def test_config_path(env: dict[str, str], expected: str) -> None:
    assert config.config_path(env) == Path(expected)


def test_missing_file_gives_defaults_without_problems(cfg: Path) -> None:
    result = run(cfg)
    assert result.problems == () and not result.has_file_errors
    s = result.settings
    assert (s.completion, s.premium, s.budget) == (
        config.CompletionSettings(),
        config.PremiumSettings(),
        config.BudgetSettings(),
    )
    assert set(s.sources.values()) == {"default"}
    assert [str(r) for r in s.tiers["fast"]][:2] == FAST_TWO
    assert [str(r) for r in s.tiers["premium"]] == PREMIUM
    fast, premium = "fast", "premium"
    assert dict(s.tasks) == dict(completion=fast, docstring=fast, tests=fast, explain=premium, fix=premium)
    assert s == config.default_settings()


PRESET_TABLE = {
    "deepseek": ("openai-completions", "https://api.deepseek.com/beta", "DEEPSEEK_API_KEY"),
    "mistral": ("openai-chat", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "codestral": ("mistral-fim", "https://codestral.mistral.ai/v1", "CODESTRAL_API_KEY"),
    "anthropic": ("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
    "openai": ("openai-chat", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "openrouter": ("openai-chat", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "gemini": ("openai-chat", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
    "ollama": ("ollama", "http://127.0.0.1:11434", None),
}


def test_presets() -> None:
    providers = config.default_settings().providers
    assert {n: (p.api, p.base_url, p.api_key_env) for n, p in providers.items()} == PRESET_TABLE
    assert {p.origin for p in providers.values()} == {"default"} and set(PRESETS) == set(PRESET_TABLE)


LAYERS = {  # key: (file TOML, file value, init value, workspace value, how to read it)
    "completion.debounce_ms": ("completion.debounce_ms = 10", 10, 20, 30, lambda s: s.completion.debounce_ms),
    "log_level": ('log_level = "debug"', "debug", "warning", "error", lambda s: s.log_level),
    "tiers.fast": (
        '[tiers]\nfast = ["deepseek/a"]',
        ["deepseek/a"],
        ["deepseek/b"],
        ["openai/c"],
        lambda s: [str(r) for r in s.tiers["fast"]],
    ),
    "tasks.explain": ('[tasks]\nexplain = "fast"', "fast", "premium", "fast", lambda s: s.tasks["explain"]),
}


@pytest.mark.parametrize("key", list(LAYERS))
@pytest.mark.parametrize("layers", [(), (0,), (0, 1), (0, 1, 2), (2,), (1,), (0, 2)])
def test_precedence_later_layer_wins(cfg: Path, key: str, layers: tuple[int, ...]) -> None:
    toml, *values, read = LAYERS[key]
    editor = [nested(key, values[i]) if i in layers else None for i in (1, 2)]
    result = run(cfg, toml if 0 in layers else "", *editor)
    assert result.problems == ()
    winner = max(layers, default=None)
    expected = read(config.default_settings()) if winner is None else values[winner]
    assert read(result.settings) == expected
    assert result.settings.sources[key] == {None: "default", 0: str(cfg), 1: INIT, 2: WS}[winner]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"[completion\ndebounce_ms = 1\n", "not valid TOML (line 1, column 12: "),
        (b"a = 1\n\nb = = 2\n", "not valid TOML (line 3, column 5: "),
        (b"\xff\xfe = 1", "not valid TOML (not UTF-8 text)"),
        (None, "cannot read: "),  # a directory
    ],
)
def test_bad_toml_ignores_the_whole_file(cfg: Path, content: bytes | None, fragment: str) -> None:
    cfg.mkdir() if content is None else cfg.write_bytes(content)
    result = run(cfg)
    assert len(result.problems) == 1 and result.problems[0].startswith(f"{cfg}: {fragment}")
    assert result.has_file_errors and result.settings == config.default_settings()


@pytest.mark.parametrize(
    ("toml", "key", "message"),
    [
        (
            '[completion]\ndebounce_ms = "fast"',
            "completion.debounce_ms",
            "expected an integer between 0 and 2000, got 'fast'",
        ),
        ("[completion]\ndebounce_ms = 5000", "completion.debounce_ms", "between 0 and 2000, got 5000"),
        ("[completion]\ndebounce_ms = 1.5", "completion.debounce_ms", "expected an integer"),
        ("[completion]\ndebounce_ms = true", "completion.debounce_ms", "expected an integer"),
        ("[completion]\nprefix_share = 1.5", "completion.prefix_share", "a number between 0 and 1, got 1.5"),
        ("[completion]\nfirst_token_timeout_s = nan", "completion.first_token_timeout_s", "got nan"),
        ('[completion]\nenabled = "yes"', "completion.enabled", "expected true or false, got 'yes'"),
        ('completion.disabled_languages = "md"', "completion.disabled_languages", "a list of strings"),
        ("[premium]\nmax_tokens = 0", "premium.max_tokens", "between 1 and 32768, got 0"),
        ("[budget]\ndaily_usd = -1", "budget.daily_usd", "or false for no cap, got -1"),
        ('log_level = "loud"', "log_level", "one of debug, info, warning, error, got 'loud'"),
        ("exclude = [1, 2]", "exclude", "a list of strings"),
        ("completion = 3", "completion", "expected a table, got 3"),
        ("[completion]\ndebounce = 5", "completion.debounce", "unknown key (did you mean 'debounce_ms'?)"),
        ('[completion]\ncache = "on"', "completion.cache", "expected true or false"),
        ("[completion]\nmax_inflight = 0", "completion.max_inflight", "between 1 and 8, got 0"),
        ("[completion]\ncontext_snippets = 11", "completion.context_snippets", "between 0 and 10, got 11"),
        ("[completion]\ncontext_share = 0.95", "completion.context_share", "between 0 and 0.9, got 0.95"),
        ("[completion]\nspeculative = 1", "completion.speculative", "expected true or false, got 1"),
        ("[completion]\nprompt_tokens = 10", "completion.prompt_tokens", "between 64 and 1000000000"),
        ("colour = 1", "colour", "unknown key"),
        ('[tasks]\nreview = "fast"', "tasks.review", "unknown key"),
        ('tasks.explain = "turbo"', "tasks.explain", "expected one of the tiers fast, premium, got 'turbo'"),
        ('[tiers]\nfast = "deepseek/x"', "tiers.fast", "expected a list of 'provider/model'"),
        ('[tiers]\n"a.b" = ["local"]', "tiers.a.b", "bad tier name"),
    ],
)
def test_wrong_values_keep_the_default(cfg: Path, toml: str, key: str, message: str) -> None:
    result = run(cfg, toml)
    assert len(result.problems) == 1 and result.has_file_errors
    assert result.problems[0].startswith(f"{cfg}: {key}: ") and message in result.problems[0]
    assert result.settings == config.default_settings()


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ("[budget]\ndaily_usd = false", "budget.daily_usd", None),
        ('[budget]\nmonthly_usd = "none"', "budget.monthly_usd", None),
        ("[budget]\ndaily_usd = 0", "budget.daily_usd", 0.0),
        ('log_level = "DEBUG"', "log_level", "debug"),
        ("[completion]\nprefix_share = 1", "completion.prefix_share", 1.0),
        ('[completion]\ndisabled_languages = ["markdown"]', "completion.disabled_languages", ("markdown",)),
        ('exclude = ["*.pem", "*.pem"]', "exclude", ("*.pem",)),
        ("[completion]\nprompt_tokens = 1000000", "completion.prompt_tokens", 1_000_000),  # naive baseline
        ("[completion]\nadaptive_debounce = false", "completion.adaptive_debounce", False),
        ("[completion]\ntyping_through = false", "completion.typing_through", False),
        ("[completion]\ncontext_snippets = 0", "completion.context_snippets", 0),
        ("[completion]\ncache_mb = 1", "completion.cache_mb", 1.0),
        ('[completion]\nenabled_languages = ["python"]', "completion.enabled_languages", ("python",)),
    ],
)
def test_valid_values_are_normalised(cfg: Path, toml: str, key: str, expected: Any) -> None:
    result = run(cfg, toml)
    assert result.problems == () and get(result.settings, key) == expected
    assert result.settings.sources[key] == str(cfg)


USER_FILE = """
[providers.my-vllm]
api = "openai-chat"
base_url = "http://10.0.0.5:8000/v1/"
api_key_env = "MY_VLLM_KEY"
headers = { "X-Title" = "x" }
prompt_style = "fim"
[providers.deepseek]
base_url = "https://proxy.example/deepseek"
[tiers]
fast = ["my-vllm/qwen2.5-coder-7b", "openrouter/qwen/qwen-2.5-coder-32b-instruct", "local"]
premium = ["anthropic/claude-sonnet-4-6"]
[tasks]
explain = "fast"
[completion]
debounce_ms = 50
"""


def test_the_documented_file_shape(cfg: Path) -> None:
    result = run(cfg, USER_FILE)
    assert result.problems == ()
    s = result.settings
    mine = s.providers["my-vllm"]
    assert mine == ProviderConfig(
        "my-vllm", "openai-chat", "http://10.0.0.5:8000/v1", "MY_VLLM_KEY", {"X-Title": "x"}, "fim", str(cfg)
    )
    assert (s.providers["deepseek"].base_url, s.providers["deepseek"].api_key_env) == (
        "https://proxy.example/deepseek",
        "DEEPSEEK_API_KEY",
    )
    assert s.providers["deepseek"].origin == str(cfg)
    assert s.tiers["fast"][1] == ModelRef("openrouter", "qwen/qwen-2.5-coder-32b-instruct")
    assert (s.tasks["explain"], s.completion.debounce_ms) == ("fast", 50)
    assert s.sources["providers.my-vllm.base_url"] == s.sources["tiers.fast"] == str(cfg)
    assert s.sources["providers.deepseek.api_key_env"] == "default"


@pytest.mark.parametrize(
    ("toml", "key", "message", "dropped"),
    [
        ('providers.x = {api = "grpc", base_url = "http://h"}', "providers.x.api", "unknown api 'grpc'", "x"),
        ('[providers.x]\napi = "ollama"', "providers.x", "ignored: a provider needs a valid base_url", "x"),
        ('providers.x = {api = "ollama", base_url = "ftp://h"}', "providers.x.base_url", "http:// or", "x"),
        ('[providers.local]\napi = "ollama"\nbase_url = "http://h"', "providers.local", "bad name", "local"),
        ('[providers.deepseek]\napi = "grpc"', "providers.deepseek.api", "unknown api", None),
        ('providers.deepseek.prompt_style = "x"', "providers.deepseek.prompt_style", "template:<name>", None),
        ('[providers.deepseek]\nmodel = "m"', "providers.deepseek.model", "unknown key", None),
    ],
)
def test_bad_provider_definitions(cfg: Path, toml: str, key: str, message: str, dropped: str | None) -> None:
    result = run(cfg, toml)
    assert any(p.startswith(f"{cfg}: {key}: ") and message in p for p in result.problems), result.problems
    if dropped:
        assert dropped not in result.settings.providers
    assert result.settings.providers["deepseek"] == config.default_settings().providers["deepseek"]


@pytest.mark.parametrize(
    "toml",
    [
        f'[providers.deepseek]\napi_key = "{SECRET}"',
        f'[providers.deepseek]\napi_key_env = "{SECRET}"',
        f'[providers.deepseek]\nbase_url = "https://u:{SECRET}@h/v1"',
        f'[providers.deepseek]\nbase_url = "https://h/v1?key={SECRET}"',
        f'[providers.deepseek]\nheaders = {{ "Bad Name" = "{SECRET}" }}',
    ],
)
def test_problems_never_echo_key_like_values(cfg: Path, toml: str) -> None:
    result = run(cfg, toml)
    assert result.has_file_errors and SECRET not in "".join(result.problems)


def test_unknown_provider_in_tier_drops_that_ref(cfg: Path) -> None:
    result = run(cfg, '[tiers]\nfast = ["nope/m", "deepseek/x", "bad", "local/x"]')
    assert [str(r) for r in result.settings.tiers["fast"]] == ["deepseek/x"]
    assert len(result.problems) == 3 and "unknown provider 'nope'" in result.problems[0]


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("deepseek/deepseek-chat", ("deepseek", "deepseek-chat")),
        ("openrouter/qwen/qwen-2.5-coder-32b-instruct", ("openrouter", "qwen/qwen-2.5-coder-32b-instruct")),
        ("ollama/qwen2.5-coder:1.5b", ("ollama", "qwen2.5-coder:1.5b")),
        (" local ", ("local", "local")),
        *((bad, None) for bad in ["", "deepseek", "/m", "deepseek/", "local/x", "a b/m"]),
    ],
)
def test_model_ref_splits_on_the_first_slash(text: str, ref: tuple[str, str] | None) -> None:
    if ref is None:
        with pytest.raises(ValueError):
            ModelRef.parse(text)
        return
    parsed = ModelRef.parse(text)
    assert (parsed.provider, parsed.model) == ref and ModelRef.parse(str(parsed)) == parsed


KEYS_MOVE = "refused: only your own config file can change where keys are sent"
FORBIDDEN = [
    ({"providers": {"deepseek": {"base_url": "https://evil.io"}}}, "providers.deepseek.base_url", KEYS_MOVE),
    ({"providers": {"deepseek": {"baseUrl": "https://evil.io"}}}, "providers.deepseek.base_url", KEYS_MOVE),
    ({"providers.deepseek.baseUrl": "https://evil.example/v1"}, "providers.deepseek.base_url", KEYS_MOVE),
    ({"providers": {"deepseek": {"base_url": "ftp://bad"}}}, "providers.deepseek.base_url", KEYS_MOVE),
    ({"providers": {"deepseek": {"api_key_env": "OTHER_KEY"}}}, "providers.deepseek.api_key_env", KEYS_MOVE),
    ({"providers": {"deepseek": {"apiKeyEnv": ""}}}, "providers.deepseek.api_key_env", KEYS_MOVE),
    ({"providers": {"deepseek": {"headers": {"X-A": "b"}}}}, "providers.deepseek.headers", KEYS_MOVE),
    ({"providers": {"deepseek": {"api": "openai-chat"}}}, "providers.deepseek.api", KEYS_MOVE),
    ({"providers": {"ollama": {"base_url": "http://127.0.0.1:9"}}}, "providers.ollama.base_url", KEYS_MOVE),
    ({"providers": {"my-vllm": {"base_url": "http://evil/v1"}}}, "providers.my-vllm.base_url", KEYS_MOVE),
    (
        {
            "providers": {
                "new": {"api": "ollama", "base_url": "http://127.0.0.1", "apiKeyEnv": "OPENAI_API_KEY"}
            }
        },
        "providers.new.api_key_env",
        "refused: only your own config file can add a provider that uses a key",
    ),
    (
        {"providers": {"new": {"api": "openai-chat", "base_url": "https://evil.example/v1"}}},
        "providers.new.base_url",
        "refused: editor settings may only add keyless providers on this machine",
    ),
    (
        {"providers": {"new": {"api": "openai-chat", "base_url": "http://localhost.evil.example/v1"}}},
        "providers.new.base_url",
        "refused",
    ),
    (
        {"providers": {"new": {"api": "openai-chat", "base_url": "http://127.0.0.1:80@evil.example/v1"}}},
        "providers.new.base_url",
        "credentials, queries and fragments do not belong in base_url",
    ),
    ({"budget": {"daily_usd": 5}}, "budget.daily_usd", "refused: editor settings may only lower budget caps"),
    ({"budget": {"monthlyUsd": False}}, "budget.monthly_usd", "refused"),
    ({"lspComplete": {"budget.dailyUsd": 1.01}}, "budget.daily_usd", "refused"),
]


@pytest.mark.parametrize("origin", [INIT, WS])
@pytest.mark.parametrize(("editor", "key", "message"), FORBIDDEN, ids=[f"{row[1]}" for row in FORBIDDEN])
def test_editor_settings_cannot_redirect_keys(
    cfg: Path, origin: str, editor: dict[str, Any], key: str, message: str
) -> None:
    before = run(cfg, USER_FILE).settings
    result = run(cfg, None, *((editor, None) if origin == INIT else (None, editor)))
    assert result.problems and result.problems[0].startswith(f"{origin}: {key}: {message}"), result.problems
    assert all(p.startswith(f"{origin}: ") for p in result.problems)
    assert result.settings == before and not result.has_file_errors


@pytest.mark.parametrize("origin", [INIT, WS])
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v1", "http://[::1]:8000/v1", "http://localhost:8080"])
def test_editor_may_add_a_keyless_provider_on_this_machine(cfg: Path, origin: str, url: str) -> None:
    editor = {"providers": {"mine": {"api": "llamacpp-infill", "baseUrl": url}}, "tiers.fast": ["mine/qwen"]}
    result = run(cfg, None, *((editor, None) if origin == INIT else (None, editor)))
    assert result.problems == ()
    mine = result.settings.providers["mine"]
    assert (mine.keyed, mine.origin, mine.base_url) == (False, origin, url)
    assert resolve_tier(result.settings, "fast", {}) == ((mine, "qwen"), (LOCAL_PROVIDER, "local"))


HEADERS_REFUSED = "refused: only your own config file can set headers"


def test_editor_headers_on_a_new_provider_are_dropped(cfg: Path) -> None:
    editor = {"providers": {"mine": {"api": "ollama", "base_url": "http://[::1]", "headers": {"A": "b"}}}}
    result = run(cfg, None, editor)
    assert result.settings.providers["mine"].headers == {}
    assert result.problems == (f"{INIT}: providers.mine.headers: {HEADERS_REFUSED}",)


@pytest.mark.parametrize(
    ("file_cap", "init_cap", "ws_cap", "final", "problems"),
    [
        (None, 0.5, None, 0.5, 0),
        (None, 0.5, 0.8, 0.8, 0),  # still under the file's cap
        (None, None, 1.0, 1.0, 0),  # equal is fine
        ("2.0", 0.5, 1.5, 1.5, 0),
        ("2.0", None, 3.0, 2.0, 1),
        ("false", None, 3.0, 3.0, 0),  # no cap in the file: any cap is lower
        ("false", None, False, None, 0),
    ],
)
def test_budget_caps_can_only_be_lowered(
    cfg: Path, file_cap: Any, init_cap: Any, ws_cap: Any, final: Any, problems: int
) -> None:
    toml = f"[budget]\ndaily_usd = {file_cap}\n" if file_cap else ""
    result = run(cfg, toml, {"budget": {"dailyUsd": init_cap}}, {"budget": {"daily_usd": ws_cap}})
    assert result.settings.budget.daily_usd == final and len(result.problems) == problems


@pytest.mark.parametrize(
    ("editor", "check"),
    [
        ({"providers": {"deepseek": {"base_url": "https://api.deepseek.com/beta"}}}, lambda s: True),
        ({"providers.deepseek.promptStyle": "fim"}, lambda s: s.providers["deepseek"].prompt_style == "fim"),
        ({"tiers": {"fast": ["openai/gpt-4o-mini"]}}, lambda s: s.tiers["fast"][0].model == "gpt-4o-mini"),
        ({"tasks": {"fix": "fast"}}, lambda s: s.tasks["fix"] == "fast"),
        ({"exclude": ["*.env"]}, lambda s: s.exclude == ("*.pem", "*.env")),
        ({"logLevel": "debug"}, lambda s: s.log_level == "debug"),
        (
            {"completion": {"enabled": False, "disabledLanguages": ["markdown"]}},
            lambda s: not s.completion.enabled and s.completion.disabled_languages == ("markdown",),
        ),
        ({"premium": {"maxTokens": 2048}}, lambda s: s.premium.max_tokens == 2048),
        ({"completion": {"debounceMs": None}}, lambda s: s.completion.debounce_ms == 75),
    ],
)
def test_editor_may_tune(cfg: Path, editor: dict[str, Any], check: Any) -> None:
    result = run(cfg, 'exclude = ["*.pem"]', None, editor)
    assert result.problems == () and check(result.settings)


@pytest.mark.parametrize(
    "editor",
    [
        {"completion": {"debounceMs": 5}},
        {"completion": {"debounce_ms": 5}},
        {"completion.debounceMs": 5},
        {"lspComplete": {"completion": {"debounceMs": 5}}},
        {"lsp_complete": {"completion": {"debounceMs": 5}}},
        {"lspComplete": {"completion.debounceMs": 5, "completion": {"maxLines": 3}}},
    ],
)
def test_editor_shapes_and_camel_case_aliases(cfg: Path, editor: dict[str, Any]) -> None:
    result = run(cfg, None, editor)
    assert result.problems == () and result.settings.completion.debounce_ms == 5
    assert result.settings.sources["completion.debounce_ms"] == INIT


@pytest.mark.parametrize(
    ("editor", "fragment"),
    [
        ([1], "expected an object"),
        ({"completion.x": 1}, ".x: unknown key"),
        ({"completion": {"prefixShare": 10**400}}, "prefix_share: expected a number between 0 and 1"),
        ({"completion": {"maxLines": 10**400}}, "max_lines: expected an integer between 1 and 200"),
        ({"providers": {"x": {1: 2}}}, "providers.x.1: unknown key"),
        ({"tiers": {"fast": [None]}}, "tiers.fast: expected a list of 'provider/model'"),
        ({"providers": [1]}, "providers: expected a table"),
    ],
)
def test_editor_problems_are_not_file_errors(cfg: Path, editor: Any, fragment: str) -> None:
    result = run(cfg, None, None, editor)
    assert fragment in result.problems[0] and result.problems[0].startswith(WS) and not result.has_file_errors


@pytest.mark.parametrize(
    ("env", "tier", "expected"),
    [
        ({}, "fast", ["local"]),
        ({"DEEPSEEK_API_KEY": "k"}, "fast", ["deepseek/deepseek-flash", "local"]),
        ({"DEEPSEEK_API_KEY": "  "}, "fast", ["local"]),
        ({"DEEPSEEK_API_KEY": "k", "CODESTRAL_API_KEY": "k"}, "fast", [*FAST_TWO, "local"]),
        ({"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"}, "premium", [*PREMIUM, "local"]),
        ({}, "keyless", ["ollama/m", "local"]),
        ({"DEEPSEEK_API_KEY": "k"}, "local-first", ["local", "deepseek/x"]),
        ({"DEEPSEEK_API_KEY": "k"}, "no-such-tier", ["local"]),
    ],
)
def test_resolve_tier_skips_keyless(cfg: Path, env: dict[str, str], tier: str, expected: list[str]) -> None:
    settings = run(cfg, '[tiers]\nkeyless = ["ollama/m"]\nlocal-first = ["local", "deepseek/x"]').settings
    resolved = resolve_tier(settings, tier, env)
    assert [f"{p.name}/{m}" if p.name != "local" else "local" for p, m in resolved] == expected


@pytest.mark.parametrize(
    ("task", "tier"), [("completion", "fast"), ("explain", "premium"), ("fix", "premium"), ("x", "fast")]
)
def test_tier_for_task(task: str, tier: str) -> None:
    assert tier_for_task(config.default_settings(), task) == tier


def test_describe_shows_sources_and_key_states_but_never_a_key(cfg: Path) -> None:
    toml = USER_FILE.replace('{ "X-Title" = "x" }', f'{{ "Authorization" = "Bearer {SECRET}" }}')
    settings = run(cfg, toml, None, {"completion": {"maxLines": 3}}).settings
    env = {"DEEPSEEK_API_KEY": SECRET, "MY_VLLM_KEY": SECRET + "2", "OPENAI_API_KEY": SECRET + "3"}
    text = config.describe(settings, env)
    assert SECRET not in text and SECRET not in repr(settings) and SECRET not in str(settings.providers)
    assert "key DEEPSEEK_API_KEY: present" in text and "key ANTHROPIC_API_KEY: missing" in text
    assert "key not needed" in text and "headers Authorization" in text
    assert f"completion.debounce_ms = 50  <- {cfg}" in text and f"completion.max_lines = 3  <- {WS}" in text
    assert "*my-vllm/qwen2.5-coder-7b" in text and "openrouter/qwen" in text and "*openrouter" not in text


def test_provider_config_behaviour() -> None:
    p = ProviderConfig("x", "openai-chat", "http://h", "X_KEY", {"H": "v"})
    assert p.api_key({"X_KEY": " k \n"}) == "k" and p.api_key({}) is None and p.keyed
    assert hash(p) == hash(ProviderConfig("x", "openai-chat", "http://h", "X_KEY", {"H": "v"}))
    assert "'v'" not in repr(p) and LOCAL_PROVIDER.api_key({"X_KEY": "k"}) is None
    with pytest.raises(TypeError):
        p.headers["H"] = "w"  # type: ignore[index]
    with pytest.raises(TypeError):
        config.default_settings().providers["y"] = p  # type: ignore[index]


def test_settings_schema_matches_the_fields_and_defaults() -> None:
    schema = config.settings_schema()
    props = schema["properties"]
    json.dumps(schema)
    editor_keys = {f.key for f in FIELDS if not f.file_only}
    assert editor_keys <= set(props) and {"tiers", "tasks", "providers"} <= set(props)
    assert not {f.key for f in FIELDS if f.file_only} & set(props)  # file-only keys are not editor settings
    assert props["completion.debounce_ms"].items() >= {"type": "integer", "default": 75, "minimum": 0}.items()
    assert props["completion.debounce_ms"]["editorKey"] == "completion.debounceMs"
    assert props["budget.daily_usd"]["type"] == ["number", "null"] and "debug" in props["log_level"]["enum"]
    for f in (f for f in FIELDS if not f.file_only):
        default = config.presets.default_value(f.key)
        assert props[f.key]["default"] == (list(default) if isinstance(default, tuple) else default)
        assert props[f.key]["description"]
    assert set(PRESETS) == set(config.default_settings().providers)
