"""Built-in configuration data and the checks raw values must pass (used by ``config``).

Provider presets, default tiers and tasks, the section dataclasses that hold every default
(``CompletionSettings``, ``PremiumSettings``, ``BudgetSettings``, re-exported by ``config``), the checks
for provider fields, and the normalisation of editor-supplied settings. The table of tunable fields and the
editor schema are in ``fields``.

Model names follow the provider reference as of late 2026: DeepSeek's ``deepseek-chat`` alias stopped
working on 2026-07-24, so the DeepSeek FIM default is ``deepseek-flash`` (V4.1 Flash, non-thinking).
"""

from __future__ import annotations

import difflib
import importlib
import ipaddress
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
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
