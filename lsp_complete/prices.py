"""Prices per model, the cost of a request, and the user's price layers.

Layers, later wins: the shipped table (``lsp_complete/data/prices.json``) < the user's imported table
(``$XDG_DATA_HOME/lsp-complete/prices.json``, written by ``lsp-complete prices import``) < ``[prices."p/m"]``
tables in the user's config file. A model with no known price costs ``None`` ("unknown"), never $0.

Keys: ``provider/model``; ``provider/*`` (every model of that provider, e.g. ``ollama/*`` is free); or a bare
model name (any provider). An entry with ``"bare": true`` also registers its model name as a bare key.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, overload

from lsp_complete import config, presets
from lsp_complete.core.types import Usage

__all__ = [
    *("FORMAT", "Price", "PriceTable", "cost", "import_litellm", "load_prices", "parse_entry"),
    *("user_prices_path", "warn_unknown_once", "worst_case"),
]

log = logging.getLogger(__name__)

FORMAT = "lsp-complete-prices/1"
SHIPPED = "shipped"
_FIELDS = frozenset(
    ("input_per_mtok", "cached_input_per_mtok", "output_per_mtok", "context_window", "as_of", "source")
) | {"note", "free", "bare"}
_AS_OF_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens. ``cached_input_per_mtok`` None: cached tokens cost the input rate.

    ``origin`` says where the price came from: ``"shipped"``, or the path of the imported or config file.
    """

    input_per_mtok: float
    cached_input_per_mtok: float | None
    output_per_mtok: float
    context_window: int | None
    as_of: str
    source: str
    free: bool = False
    origin: str = SHIPPED
    note: str = ""


class PriceTable:
    """An immutable mapping of keys to prices with the lookup order of the module docstring."""

    def __init__(self, entries: Mapping[str, Price] | None = None) -> None:
        self._entries = dict(entries or {})

    def lookup(self, provider: str, model: str) -> Price | None:
        """Exact ``provider/model``, then ``provider/*``, then the bare model, then its ``vendor/`` tail."""
        for key in self.candidates(provider, model):
            price = self._entries.get(key)
            if price is not None:
                return price
        return None

    @staticmethod
    def candidates(provider: str, model: str) -> list[str]:
        """The keys ``lookup`` tries, in order."""
        keys = [f"{provider}/{model}", f"{provider}/*", model]
        _, sep, tail = model.partition("/")
        if sep and tail:
            keys.append(tail)
        return keys

    def items(self, aliases: bool = True) -> Iterator[tuple[str, Price]]:
        """``(key, price)`` sorted by key; ``aliases=False`` leaves out the bare names that ``"bare": true``
        added (see ``is_aliased``)."""
        hidden = set() if aliases else {k.partition("/")[2] for k in self._entries if self.is_aliased(k)}
        return iter(sorted((k, p) for k, p in self._entries.items() if k not in hidden))

    def is_aliased(self, key: str) -> bool:
        """True if ``provider/model`` also answers for its bare model name (the same price object)."""
        return _aliased(self._entries, key)

    def __len__(self) -> int:
        return len(self._entries)

    def ceiling(self) -> Price:
        """The highest rate of each kind: a conservative stand-in for a model of unknown price."""
        paid = [p for p in self._entries.values() if not p.free] or [Price(0, None, 0, None, "", "")]
        top_in = max(p.input_per_mtok for p in paid)
        top_out = max(p.output_per_mtok for p in paid)
        return Price(top_in, top_in, top_out, None, "", "the highest known rates")


def _aliased(entries: Mapping[str, Price], key: str) -> bool:
    _, sep, model = key.partition("/")
    return bool(sep) and key in entries and entries.get(model) is entries[key]


@overload
def cost(usage: Usage, price: Price) -> float: ...
@overload
def cost(usage: Usage, price: None) -> None: ...
def cost(usage: Usage, price: Price | None) -> float | None:
    """Dollars for ``usage``: cached input at the cached rate, the rest of the input at the input rate.

    ``usage.input_tokens`` includes the cached ones (see ``Usage``). None when the price is unknown.
    """
    if price is None:
        return None
    if price.free:
        return 0.0
    cached = min(max(usage.cached_input_tokens, 0), max(usage.input_tokens, 0))
    fresh = max(usage.input_tokens, 0) - cached
    cached_rate = price.input_per_mtok if price.cached_input_per_mtok is None else price.cached_input_per_mtok
    output = max(usage.output_tokens, 0) * price.output_per_mtok
    return (fresh * price.input_per_mtok + cached * cached_rate + output) / 1_000_000


@overload
def worst_case(prompt_tokens: int, max_output_tokens: int, price: Price) -> float: ...
@overload
def worst_case(prompt_tokens: int, max_output_tokens: int, price: None) -> None: ...
def worst_case(prompt_tokens: int, max_output_tokens: int, price: Price | None) -> float | None:
    """The most a request can cost: no cache hits and every allowed output token."""
    return cost(Usage(input_tokens=prompt_tokens, output_tokens=max_output_tokens), price)


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def warn_unknown_once(provider: str, model: str) -> bool:
    """Log once per process that ``provider/model`` has no price; True if this call logged."""
    with _warned_lock:
        if (provider, model) in _warned:
            return False
        _warned.add((provider, model))
    log.warning(
        'no price known for %s/%s: its cost is shown as unknown; add [prices."%s/%s"] to your config '
        "or run `lsp-complete prices import FILE`",
        *(provider, model, provider, model),
    )
    return True


def _number(raw: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise ValueError(f"{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a number of dollars >= 0, got {presets.show(value)}")
    return float(value)


def parse_entry(key: str, raw: Any, origin: str, defaults: Mapping[str, Any] | None = None) -> Price:
    """One table entry as a Price; raises ValueError naming the wrong field. ``defaults`` fill gaps."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"expected a table, got {presets.show(raw)}")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (expected some of {', '.join(sorted(_FIELDS))})")
    raw = {**(defaults or {}), **raw}
    free = raw.get("free", False)
    if not isinstance(free, bool):
        raise ValueError(f"free: expected true or false, got {presets.show(free)}")
    window = raw.get("context_window")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window <= 0):
        raise ValueError(f"context_window: expected a positive integer, got {presets.show(window)}")
    as_of, source, note = raw.get("as_of", ""), raw.get("source", ""), raw.get("note", "")
    if not isinstance(as_of, str) or not _AS_OF_RE.fullmatch(as_of):
        raise ValueError(f"as_of: expected a date YYYY-MM-DD (or YYYY-MM, YYYY), got {presets.show(as_of)}")
    if not isinstance(source, str) or not isinstance(note, str):
        raise ValueError("source and note must be strings")
    if free:
        return Price(0.0, 0.0, 0.0, window, as_of, source, free=True, origin=origin, note=note)
    return Price(
        _number(raw, "input_per_mtok", True) or 0.0,
        _number(raw, "cached_input_per_mtok", False),
        _number(raw, "output_per_mtok", True) or 0.0,
        *(window, as_of, source),
        origin=origin,
        note=note,
    )


def _add_layer(
    entries: dict[str, Price], models: Any, origin: str, problems: list[str], where: str, fill: bool = False
) -> None:
    """Add one layer's ``models`` table; bad entries are skipped with a problem each."""
    if not isinstance(models, Mapping):
        problems.append(f"{where}: expected a table of models, got {presets.show(models)}")
        return
    bare: dict[str, Price] = {}
    for key, raw in models.items():
        key = str(key)
        defaults = None
        if fill and key in entries:  # a config override keeps the context window it does not mention
            defaults = {"context_window": entries[key].context_window}
        try:
            price = parse_entry(key, raw, origin, defaults)
        except ValueError as exc:
            problems.append(f'{where}: prices."{key}": {exc}')
            continue
        was_aliased = _aliased(entries, key)  # the bare alias follows its override
        entries[key] = price
        if "/" in key and (was_aliased or (isinstance(raw, Mapping) and raw.get("bare") is True)):
            bare.setdefault(key.partition("/")[2], price)
    for model, price in bare.items():  # explicit bare keys of the same layer win over the flag
        if model not in models:
            entries[model] = price


def _mdate(path: Path) -> str:
    from datetime import date

    try:
        return date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return date.today().isoformat()


def _read_json(path: Path) -> Any:
    return json.loads(path.read_bytes().decode("utf-8"))


def _xdg(env: Mapping[str, str], var: str, fallback: str) -> Path:
    value = env.get(var, "")
    if not value or not Path(value).is_absolute():  # the XDG spec says to ignore relative paths
        home = env.get("HOME", "") or str(Path.home())
        value = str(Path(home) / fallback)
    return Path(value)


def user_prices_path(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME/lsp-complete/prices.json`` (``~/.local/share``): where ``prices import`` writes."""
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / "lsp-complete" / "prices.json"


def load_prices(env: Mapping[str, str] = os.environ) -> tuple[PriceTable, list[str]]:
    """The merged table and one problem string per thing skipped. Never raises."""
    entries: dict[str, Price] = {}
    problems: list[str] = []
    shipped = resources.files("lsp_complete").joinpath("data/prices.json")
    _add_layer(entries, json.loads(shipped.read_text(encoding="utf-8"))["models"], SHIPPED, problems, SHIPPED)
    user = user_prices_path(env)
    try:
        doc = _read_json(user)
    except FileNotFoundError:
        doc = None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"{user}: cannot read the imported prices: {exc}")
        doc = None
    if doc is not None:
        models = doc.get("models") if isinstance(doc, Mapping) else doc
        _add_layer(entries, models, str(user), problems, str(user))
    path = config.config_path(env)
    data, problem = presets.read_toml(path)
    if problem:
        problems.append(f"{path}: {problem}")
    elif data is not None and "prices" in data:
        overrides = data["prices"]
        if isinstance(overrides, Mapping):
            defaults = {"as_of": _mdate(path), "source": str(path)}
            overrides = {k: {**defaults, **v} if isinstance(v, Mapping) else v for k, v in overrides.items()}
        _add_layer(entries, overrides, str(path), problems, str(path), fill=True)
    return PriceTable(entries), problems


def _litellm_entry(
    key: str, raw: Mapping[str, Any], as_of: str, fallback_source: str, bare: bool
) -> dict[str, Any]:
    """One LiteLLM row in our format (per-token -> per-million); raises ValueError when unusable."""

    def rate(name: str) -> float | None:
        value = raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            raise ValueError(f"{name} is not a number >= 0: {presets.show(value)}")
        return round(float(value) * 1_000_000, 9)

    cached = rate("cache_read_input_token_cost")
    if cached is None:
        cached = rate("input_cost_per_token_cache_hit")
    window = raw.get("max_input_tokens") or raw.get("max_tokens")
    source = raw.get("source")
    return {
        "input_per_mtok": rate("input_cost_per_token"),
        "cached_input_per_mtok": cached,
        "output_per_mtok": rate("output_cost_per_token"),
        "context_window": window if type(window) is int and window > 0 else None,
        "as_of": as_of,
        "source": source if isinstance(source, str) and source.startswith("http") else fallback_source,
        "note": f"imported from LiteLLM ({raw.get('litellm_provider')}: {key})",
        "bare": bare,
    }


def convert_litellm(doc: Any, as_of: str, source: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """LiteLLM's cost map as our ``models`` table. Raises ConfigError if ``doc`` is not that format."""
    from lsp_complete.errors import ConfigError

    if not isinstance(doc, Mapping):
        raise ConfigError(f"expected a JSON object keyed by model name, got a JSON {type(doc).__name__}")
    rows = [(str(k), v) for k, v in doc.items() if k != "sample_spec" and isinstance(v, Mapping)]
    priced = [(k, v) for k, v in rows if "litellm_provider" in v and "input_cost_per_token" in v]
    if not priced:
        raise ConfigError(
            "no entry has both 'litellm_provider' and 'input_cost_per_token': "
            "this is not LiteLLM's model_prices_and_context_window.json"
        )
    out: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    # Provider-prefixed rows first so that a bare row never replaces its explicit twin.
    priced.sort(key=lambda kv: not kv[0].startswith(f"{kv[1]['litellm_provider']}/"))
    for key, raw in priced:
        if raw.get("mode", "chat") not in ("chat", "completion") or "output_cost_per_token" not in raw:
            continue
        provider = str(raw["litellm_provider"])
        first_party = not key.startswith(f"{provider}/")  # LiteLLM's bare keys: the maker's own API
        ours = f"{provider}/{key}" if first_party else key
        try:
            entry = _litellm_entry(key, raw, as_of, source, first_party)
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            continue
        if ours in out:
            out[ours]["bare"] = out[ours]["bare"] or first_party
        else:
            out[ours] = entry
    if not out:
        raise ConfigError("no chat or completion model with input and output prices in the file")
    return out, problems


def import_litellm(path: Path | str, env: Mapping[str, str] = os.environ) -> tuple[int, list[str]]:
    """Convert LiteLLM's ``model_prices_and_context_window.json`` into the user's price file, atomically.

    Returns ``(models written, problems)``. A file that is not that format raises ConfigError naming what
    is wrong, and nothing is written. ``as_of`` is the file's modification date.
    """
    from lsp_complete.errors import ConfigError

    path = Path(path)
    try:
        raw = path.read_bytes()
        as_of = _mdate(path)
        doc = json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text, so not LiteLLM's JSON price file") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    try:
        models, problems = convert_litellm(doc, as_of, path.resolve().as_uri())
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    target = user_prices_path(env)
    body = {"format": FORMAT, "imported_from": str(path.resolve()), "models": models}
    _write_atomically(target, json.dumps(body, indent=1, sort_keys=True).encode("utf-8"))
    return len(models), problems


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
