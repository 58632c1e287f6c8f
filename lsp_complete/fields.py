"""The table of tunable settings: each ``Field`` knows its type, range and one-line description and
checks a raw TOML/JSON value; ``schema`` turns the table into the editor schema (VS Code's settings are
generated from it), so ranges and descriptions live only here. Defaults live on the section dataclasses in
``presets``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lsp_complete.presets import DEFAULT_TASKS, DEFAULT_TIERS, LOG_LEVELS, show


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


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
