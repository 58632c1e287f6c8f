"""Built-in configuration data and the checks raw values must pass (used by ``config``).

Provider presets, default tiers and tasks, the table of tunable fields (each ``Field`` knows its type, range
and a one-line description and checks a raw TOML/JSON value), the checks for provider fields, and the
normalisation of editor-supplied settings. ``schema`` turns the field table into the editor schema, so
ranges and descriptions live only here; defaults live on the section dataclasses defined here
(``CompletionSettings``, ``PremiumSettings``, ``BudgetSettings``, re-exported by ``config``).

Model names follow the provider reference as of late 2026: DeepSeek's ``deepseek-chat`` alias stopped
working on 2026-07-24, so the DeepSeek FIM default is ``deepseek-flash`` (V4.1 Flash, non-thinking).
"""

from __future__ import annotations

import difflib
import importlib
import ipaddress
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

#: Wire formats a provider can speak (the ``api`` field).
KNOWN_APIS: tuple[str, ...] = (
    "openai-chat",
    "openai-completions",
    "mistral-fim",
    "anthropic",
    "ollama",
    "llamacpp-infill",
)
KNOWN_TASKS: tuple[str, ...] = ("completion", "docstring", "tests", "explain", "fix")
LOG_LEVELS: tuple[str, ...] = ("debug", "info", "warning", "error")

#: Provider and tier names: letters, digits, ``-`` and ``_`` (no ``/``: refs split on the first one).
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
PROMPT_STYLE_RE = re.compile(r"auto|fim|chat|template:[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Preset:
    """A built-in provider: wire format, base URL (with the version path) and its key variable."""

    api: str
    base_url: str
    api_key_env: str | None


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "codestral": Preset("mistral-fim", "https://codestral.mistral.ai/v1", "CODESTRAL_API_KEY"),
        "deepseek": Preset("openai-completions", "https://api.deepseek.com/beta", "DEEPSEEK_API_KEY"),
        "mistral": Preset("openai-chat", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
        "anthropic": Preset("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
        "openai": Preset("openai-chat", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        "openrouter": Preset("openai-chat", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
        "gemini": Preset(
            "openai-chat", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"
        ),
        "ollama": Preset("ollama", "http://127.0.0.1:11434", None),
    }
)

#: Tried in order; providers without a key are skipped and the offline completer comes last.
DEFAULT_TIERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "fast": ("codestral/codestral-latest", "deepseek/deepseek-flash", "mistral/codestral-latest"),
        "premium": ("anthropic/claude-sonnet-4-6", "openai/gpt-4o"),
    }
)
DEFAULT_TASKS: Mapping[str, str] = MappingProxyType(
    {"completion": "fast", "docstring": "fast", "tests": "fast", "explain": "premium", "fix": "premium"}
)


LOCAL = "local"
TOP_DEFAULTS: Mapping[str, Any] = MappingProxyType({"exclude": (), "log_level": "info"})


@dataclass(frozen=True)
class ModelRef:
    """``provider/model``, split on the first ``/`` (the model may contain more); ``local`` = offline."""

    provider: str
    model: str

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        """Parse a ref; raises ValueError with a readable message."""
        text = text.strip()
        if text == LOCAL:
            return cls(LOCAL, LOCAL)
        provider, sep, model = text.partition("/")
        if not sep or not model.strip() or not NAME_RE.fullmatch(provider):
            raise ValueError(f"expected 'provider/model' or 'local', got {text!r}")
        if provider == LOCAL:
            raise ValueError(f"the offline completer is written just 'local', got {text!r}")
        return cls(provider, model)

    def __str__(self) -> str:
        return LOCAL if self.provider == LOCAL else f"{self.provider}/{self.model}"


@dataclass(frozen=True)
class CompletionSettings:
    """Inline completion tuning."""

    enabled: bool = True
    debounce_ms: int = 75
    max_tokens: int = 128
    prompt_tokens: int = 1024
    prefix_share: float = 0.7  # the suffix gets the rest
    max_lines: int = 8
    hedge: bool = True  # start the tier's next provider when the first is slow to its first token
    first_token_timeout_s: float = 1.5
    total_timeout_s: float = 3.0
    connect_timeout_s: float = 2.0
    disabled_languages: tuple[str, ...] = ()
    enabled_languages: tuple[str, ...] = ()  # empty: every language not disabled
    # The pipeline (README "Completion pipeline"); the benchmark's baselines switch these off.
    adaptive_debounce: bool = True  # false: always wait debounce_ms
    debounce_min_ms: int = 15
    debounce_max_ms: int = 350
    cache: bool = True  # exact cache + sharing identical in-flight requests
    cache_entries: int = 512
    cache_mb: float = 2.0
    typing_through: bool = True
    context_snippets: int = 3  # cross-file snippets; 0 = none
    context_share: float = 0.25  # of prompt_tokens, for the snippets
    max_inflight: int = 2  # upstream requests per document
    speculative: bool = True


@dataclass(frozen=True)
class PremiumSettings:
    """Limits for premium tasks (explain, fix)."""

    first_token_timeout_s: float = 20.0
    total_timeout_s: float = 120.0
    max_tokens: int = 1024


@dataclass(frozen=True)
class BudgetSettings:
    """Spending caps in US dollars; None means no cap."""

    daily_usd: float | None = 1.0
    monthly_usd: float | None = 10.0
    #: ``(tier, daily, monthly)`` caps of single tiers, on top of the totals; only from the config file.
    tiers: tuple[tuple[str, float | None, float | None], ...] = ()
    #: Days the ledger and the acceptance events are kept (rows older are deleted when the server starts).
    retention_days: int = 90


SECTION_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"completion": CompletionSettings(), "premium": PremiumSettings(), "budget": BudgetSettings()}
)


def default_value(key: str) -> Any:
    """The built-in default of a dotted field key such as ``completion.debounce_ms``."""
    section, _, name = key.rpartition(".")
    if section:
        return getattr(SECTION_DEFAULTS[section], name)
    return TOP_DEFAULTS[name]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def unknown_key(raw: str, allowed: Iterable[str]) -> str:
    """The problem text for an unknown key, with a suggestion."""
    if snake(raw) in ("api_key", "key", "token"):
        return "unknown key: keys never go in settings; name the environment variable with api_key_env"
    close = difflib.get_close_matches(snake(raw), list(allowed), n=1)
    return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")


def read_toml(path: Path) -> tuple[Mapping[str, Any] | None, str | None]:
    """``(table, None)``, ``(None, None)`` if the file does not exist, or ``(None, problem)``."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8")), None
    except FileNotFoundError:
        return None, None  # no file is fine: defaults
    except UnicodeDecodeError:
        return None, "not valid TOML (not UTF-8 text)"
    except tomllib.TOMLDecodeError as exc:
        m = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(exc), re.DOTALL)
        return None, f"not valid TOML ({f'line {m[2]}, column {m[3]}: {m[1]}' if m else exc})"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"


def fmt(value: Any) -> str:
    """A value as shown by ``lsp-complete config``."""
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def show(value: Any) -> str:
    """A short repr of a rejected value for a problem message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Field:
    """One tunable value: dotted key, kind, range and description.

    Kinds: ``bool``, ``int``, ``float``, ``cap`` (US dollars or None for no cap), ``strings`` (a list of
    strings), ``choice`` (one of ``choices``). ``lower_only``: editor settings may only lower it.
    ``file_only``: only the user's config file may set it (not in the editor schema).
    """

    key: str
    kind: str
    description: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    lower_only: bool = False
    file_only: bool = False

    def expected(self) -> str:
        """What a valid value looks like, for problem messages."""
        span = f" between {_num(self.lo or 0)} and {_num(self.hi or 0)}"
        return {
            "bool": "true or false",
            "int": "an integer" + span,
            "float": "a number" + span,
            "cap": "a number of US dollars" + span + ", or false for no cap",
            "strings": "a list of strings",
            "choice": "one of " + ", ".join(self.choices),
        }[self.kind]

    def check(self, value: Any) -> tuple[Any, str | None]:
        """``(converted, None)`` for a valid value, else ``(None, "expected …, got …")``."""
        ok, out = self._convert(value)
        return (out, None) if ok else (None, f"expected {self.expected()}, got {show(value)}")

    def _convert(self, value: Any) -> tuple[bool, Any]:
        kind = self.kind
        if kind == "bool":
            return isinstance(value, bool), value
        if kind == "strings":
            good = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            return good, tuple(value) if good else None
        if kind == "choice":
            good = isinstance(value, str) and value.lower() in self.choices
            return good, value.lower() if good else None
        if kind == "cap" and (value is False or str(value).lower() in ("none", "off")):
            return True, None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False, None
        if kind == "int" and not isinstance(value, int):
            return False, None
        lo, hi = -math.inf if self.lo is None else self.lo, math.inf if self.hi is None else self.hi
        if (isinstance(value, float) and math.isnan(value)) or not lo <= value <= hi:
            return False, None
        return True, value if kind == "int" else float(value)


FIELDS: tuple[Field, ...] = (
    Field("completion.enabled", "bool", "Show AI completions while typing."),
    Field("completion.debounce_ms", "int", "Wait this long after the last keystroke before asking.", 0, 2000),
    Field("completion.max_tokens", "int", "Most tokens one completion may have.", 1, 4096),
    Field(
        "completion.prompt_tokens", "int", "Token budget of the whole prompt (huge = whole file).", 64, 10**9
    ),
    Field("completion.prefix_share", "float", "Share of the budget for text before the cursor.", 0, 1),
    Field("completion.max_lines", "int", "Most lines one completion may span.", 1, 200),
    Field("completion.hedge", "bool", "Also ask the next provider when the first is slow to answer."),
    Field("completion.first_token_timeout_s", "float", "Seconds to wait for the first text.", 0.1, 60),
    Field("completion.total_timeout_s", "float", "Seconds one completion may take in all.", 0.1, 120),
    Field("completion.connect_timeout_s", "float", "Seconds to wait for a connection.", 0.1, 60),
    Field("completion.disabled_languages", "strings", "Language ids where completions are off."),
    Field("completion.enabled_languages", "strings", "If not empty, the only language ids completed."),
    Field("completion.adaptive_debounce", "bool", "Adapt the wait to the cursor and typing rhythm."),
    Field("completion.debounce_min_ms", "int", "Shortest adaptive wait (line starts).", 0, 2000),
    Field("completion.debounce_max_ms", "int", "Longest adaptive wait (fast bursts).", 0, 5000),
    Field("completion.cache", "bool", "Reuse answers and share identical in-flight requests."),
    Field("completion.cache_entries", "int", "Most answers kept in the exact cache.", 1, 100000),
    Field("completion.cache_mb", "float", "Most megabytes kept in the exact cache.", 0.01, 1024),
    Field("completion.typing_through", "bool", "Serve typed-through suggestions from memory."),
    Field("completion.context_snippets", "int", "Snippets of other files in the prompt (0 = none).", 0, 10),
    Field("completion.context_share", "float", "Share of prompt_tokens for other files.", 0, 0.9),
    Field("completion.max_inflight", "int", "Most upstream requests in flight per document.", 1, 8),
    Field("completion.speculative", "bool", "Ask for the next suggestion once one is shown."),
    Field("premium.first_token_timeout_s", "float", "Seconds to wait for the first text.", 0.1, 600),
    Field("premium.total_timeout_s", "float", "Seconds one premium answer may take in all.", 1, 1800),
    Field("premium.max_tokens", "int", "Most tokens one premium answer may have.", 1, 32768),
    Field("budget.daily_usd", "cap", "Daily spending cap in US dollars.", 0, 100000, lower_only=True),
    Field("budget.monthly_usd", "cap", "Monthly spending cap in US dollars.", 0, 1000000, lower_only=True),
    # A cloned repository's workspace settings must not be able to delete the user's spending history.
    Field("budget.retention_days", "int", "Days the ledger keeps its rows.", 1, 3650, file_only=True),
    Field("exclude", "strings", "Extra globs of files never sent to a model."),
    Field("log_level", "choice", "Server log level.", choices=LOG_LEVELS),
)
FIELD_BY_KEY: Mapping[str, Field] = MappingProxyType({f.key: f for f in FIELDS})

PROVIDER_FIELDS: tuple[str, ...] = ("api", "base_url", "api_key_env", "headers", "prompt_style")
#: What decides where a key goes: only the user's own config file may set these.
GUARDED_FIELDS: frozenset[str] = frozenset({"api", "base_url", "api_key_env", "headers"})
EDITOR_SECTIONS: tuple[str, ...] = ("lspComplete", "lsp_complete", "lsp-complete")


def is_loopback(url: str) -> bool:
    """True if the URL's host is this machine (127.0.0.0/8, ::1 or localhost)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(value: Any) -> tuple[Any, str | None]:
    try:
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
        _ = parts.port if parts else None
    except ValueError:
        parts = None
    if parts is not None and (parts.username or parts.password or parts.query or parts.fragment):
        # The URL may embed a credential: never echo it.
        return None, "credentials, queries and fragments do not belong in base_url (value not shown)"
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return None, f"expected an http:// or https:// URL with a host, got {show(value)}"
    return value.strip().rstrip("/"), None


def _check_prompt_style(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not PROMPT_STYLE_RE.fullmatch(value):
        return None, f"expected auto, fim, chat or template:<name>, got {show(value)}"
    name = value.removeprefix("template:")
    if name != value:
        try:  # the prompt module may not be importable in a partial checkout; then any name passes
            known = getattr(importlib.import_module("lsp_complete.core.prompt"), "FIM_TEMPLATES", None)
        except ImportError:
            known = None
        if known is not None and name not in known:
            return None, f"unknown template {name!r} (known: {', '.join(sorted(known))})"
    return value, None


def check_provider_field(name: str, value: Any) -> tuple[Any, str | None]:
    """``(converted, None)`` or ``(None, problem)`` for a provider field; key-like values are never echoed."""
    if name == "api":
        if isinstance(value, str) and value in KNOWN_APIS:
            return value, None
        return None, f"unknown api {show(value)} (expected one of {', '.join(KNOWN_APIS)})"
    if name == "base_url":
        return _check_url(value)
    if name == "api_key_env":
        if value is False or value == "":
            return None, None  # explicitly keyless
        if isinstance(value, str) and ENV_NAME_RE.fullmatch(value):
            return value, None
        return None, "expected the NAME of an environment variable that holds the key (value not shown)"
    if name == "headers":
        good = isinstance(value, Mapping) and all(
            isinstance(k, str)
            and HEADER_NAME_RE.fullmatch(k)
            and isinstance(v, str)
            and "\n" not in v
            and "\r" not in v
            for k, v in value.items()
        )
        return (dict(value), None) if good else (None, "expected a table of header names to strings (hidden)")
    return _check_prompt_style(value)


def snake(key: str) -> str:
    """``debounceMs`` -> ``debounce_ms`` (snake_case keys pass unchanged)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def editor_root(data: Mapping[str, Any]) -> dict[str, Any]:
    """Editor settings unwrapped from ``lspComplete``/``lsp_complete`` and with dotted keys nested."""
    for section in EDITOR_SECTIONS:
        if isinstance(data.get(section), Mapping):
            data = data[section]
            break
    out: dict[str, Any] = {}
    for key, value in data.items():
        *parents, last = str(key).split(".")
        target = out
        for part in parents:
            child = target.get(part)
            target[part] = child = dict(child) if isinstance(child, Mapping) else {}
            target = child
        if isinstance(value, Mapping) and isinstance(target.get(last), Mapping):
            target[last] = {**target[last], **value}
        else:
            target[last] = value
    return out


def schema(default: Callable[[str], Any]) -> dict[str, Any]:
    """JSON-schema-like description of the editor-settable keys; ``default(key)`` gives each default."""
    types = {"bool": "boolean", "int": "integer", "float": "number", "cap": ["number", "null"]}
    props: dict[str, Any] = {}
    for f in FIELDS:
        if f.file_only:
            continue
        value = default(f.key)
        entry: dict[str, Any] = {
            "type": types.get(f.kind, "array" if f.kind == "strings" else "string"),
            "default": list(value) if isinstance(value, tuple) else value,
            "description": f.description + (" Editor settings can only lower it." if f.lower_only else ""),
            "editorKey": ".".join(re.sub(r"_([a-z])", lambda m: m[1].upper(), p) for p in f.key.split(".")),
        }
        if f.lo is not None:
            entry["minimum"], entry["maximum"] = f.lo, f.hi
        if f.kind == "strings":
            entry["items"] = {"type": "string"}
        if f.choices:
            entry["enum"] = list(f.choices)
        props[f.key] = entry
    tiers = {k: list(v) for k, v in DEFAULT_TIERS.items()}
    for key, value, text in (
        ("tiers", tiers, "Model refs per tier, tried in order: provider/model or local."),
        ("tasks", dict(DEFAULT_TASKS), "The tier each task uses."),
        ("providers", {}, "Keyless providers on this machine only; keyed ones belong in config.toml."),
    ):
        props[key] = {"type": "object", "default": value, "description": text}
    return {"type": "object", "properties": props}
