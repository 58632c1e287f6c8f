"""Settings: the model, the layers they come from, and who may set what.

Layers, later wins: built-in defaults < the user's config file (TOML) < ``initializationOptions`` <
``workspace/didChangeConfiguration``. Loading never raises: a bad value keeps what the earlier layer had and
adds one problem string naming the source, the dotted key and what was wrong.

Security invariant: an API key is only ever sent to the base URL that the user's own config file or a
built-in preset pairs it with. The editor layers (a cloned repository's workspace settings can feed them)
cannot change any provider's ``api``, ``base_url``, ``api_key_env`` or ``headers``, cannot add a provider
that uses a key, may add keyless providers on this machine only, and may only lower budget caps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lsp_complete import fields, presets
from lsp_complete.presets import LOCAL, BudgetSettings, CompletionSettings, ModelRef, PremiumSettings

__all__ = [  # the public API; the section dataclasses and ModelRef live in presets with the defaults
    *("LOCAL", "LOCAL_PROVIDER", "BudgetSettings", "CompletionSettings", "LoadResult", "ModelRef"),
    *("PremiumSettings", "ProviderConfig", "Settings", "config_path", "default_settings", "describe", "load"),
    *("resolve_tier", "settings_schema", "tier_for_task", "validate_file"),
]

DEFAULT_ORIGIN = "default"
INIT_ORIGIN = "initializationOptions"
WORKSPACE_ORIGIN = "workspace/didChangeConfiguration"


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ProviderConfig:
    """One endpoint: wire format, base URL, and the NAME of the env variable holding its key (never the key).

    ``origin`` is where ``base_url`` was set (``"default"`` for a preset, or the config file path), i.e. who
    paired the key with that URL.
    """

    name: str
    api: str
    base_url: str
    api_key_env: str | None = None
    headers: Mapping[str, str] = field(default_factory=_frozen)
    prompt_style: str = "auto"  # "auto" | "fim" | "chat" | "template:<name>"
    origin: str = DEFAULT_ORIGIN

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen(self.headers))

    @property
    def keyed(self) -> bool:
        """Whether this provider needs a key."""
        return self.api_key_env is not None

    def api_key(self, env: Mapping[str, str] = os.environ) -> str | None:
        """The key from ``env`` (stripped), or None if not keyed, unset or empty."""
        if self.api_key_env is None:
            return None
        return env.get(self.api_key_env, "").strip() or None

    def __hash__(self) -> int:
        items = (self.name, self.api, self.base_url, self.api_key_env, self.prompt_style, self.origin)
        return hash((*items, tuple(sorted(self.headers.items()))))

    def __repr__(self) -> str:
        # Header values may carry credentials the user put there: show only their names.
        return (
            f"ProviderConfig(name={self.name!r}, api={self.api!r}, base_url={self.base_url!r}, "
            f"api_key_env={self.api_key_env!r}, headers={sorted(self.headers)!r}, "
            f"prompt_style={self.prompt_style!r}, origin={self.origin!r})"
        )


LOCAL_PROVIDER = ProviderConfig(name=LOCAL, api=LOCAL, base_url="", api_key_env=None)


@dataclass(frozen=True)
class Settings:
    """The resolved configuration. ``sources`` maps each dotted key to the layer that set it."""

    providers: Mapping[str, ProviderConfig]
    tiers: Mapping[str, tuple[ModelRef, ...]]
    tasks: Mapping[str, str]
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    premium: PremiumSettings = field(default_factory=PremiumSettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    exclude: tuple[str, ...] = ()
    log_level: str = "info"
    sources: Mapping[str, str] = field(default_factory=_frozen)


@dataclass(frozen=True)
class LoadResult:
    """Settings plus every problem found; ``file_problems`` are those that came from the config file."""

    settings: Settings
    problems: tuple[str, ...] = ()
    file_problems: tuple[str, ...] = ()

    @property
    def has_file_errors(self) -> bool:
        """True if the config file had any problem (the CLI exits 2)."""
        return bool(self.file_problems)


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    """``$LSP_COMPLETE_CONFIG`` if set, else ``$XDG_CONFIG_HOME/lsp-complete/config.toml`` (``~/.config``)."""
    explicit = env.get("LSP_COMPLETE_CONFIG", "")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CONFIG_HOME", "")
    if not xdg or not Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        home = env.get("HOME", "")
        xdg = str(Path(home) / ".config") if home else str(Path.home() / ".config")
    return Path(xdg) / "lsp-complete" / "config.toml"


def load(
    env: Mapping[str, str] = os.environ,
    init_options: Mapping[str, Any] | None = None,
    workspace: Mapping[str, Any] | None = None,
) -> LoadResult:
    """Defaults, then the config file, then the editor's two layers. Never raises."""
    return _load(config_path(env), init_options, workspace)


def validate_file(env: Mapping[str, str] = os.environ) -> LoadResult:
    """Defaults and the config file only (``lsp-complete config``)."""
    return load(env)


def default_settings() -> Settings:
    """The built-in defaults, with no config file and no editor settings."""
    return _load(None, None, None).settings


_PRESETS = presets.PRESETS.items()
_TOP_KEYS = (
    *("providers", "tiers", "tasks", "completion", "premium", "budget", "exclude", "log_level", "prices"),
)
_SECTIONS = ("completion", "premium", "budget")
_REFUSED_WHERE = "refused: only your own config file can change where keys are sent"
_REFUSED_KEYED = "refused: only your own config file can add a provider that uses a key"
_REFUSED_REMOTE = (
    "refused: editor settings may only add keyless providers on this machine (127.0.0.1, ::1, localhost); "
    "define others in your config file"
)


class _Layers:
    """The state while layers are applied in order; every setter records its source."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {f.key: presets.default_value(f.key) for f in fields.FIELDS}
        self.values["budget.tiers"] = ()  # [budget.tiers.NAME]: a table, not a Field
        self.providers = {n: dict(vars(p), headers={}, prompt_style="auto") for n, p in _PRESETS}
        self.tiers = {t: tuple(map(ModelRef.parse, refs)) for t, refs in presets.DEFAULT_TIERS.items()}
        self.tasks = dict(presets.DEFAULT_TASKS)
        keys = [*self.values, *(f"tiers.{t}" for t in self.tiers), *(f"tasks.{t}" for t in self.tasks)]
        keys += [f"providers.{n}.{f}" for n in self.providers for f in presets.PROVIDER_FIELDS]
        self.sources: dict[str, str] = dict.fromkeys(keys, DEFAULT_ORIGIN)
        self.problems: list[tuple[str, str]] = []
        self.ceiling: dict[str, Any] = {}  # values after the file: the budget caps editors may only lower

    def problem(self, origin: str, key: str, text: str) -> None:
        self.problems.append((origin, f"{origin}: {key}: {text}" if key else f"{origin}: {text}"))

    def table(self, origin: str, key: str, value: Any, convert: bool = True) -> list[tuple[str, str, Any]]:
        """``(canonical key, key as written, value)`` of a table; nulls (editor "unset") are skipped."""
        if not isinstance(value, Mapping):
            self.problem(origin, key, f"expected a table, got {presets.show(value)}")
            return []
        items = [(str(k), v) for k, v in value.items() if v is not None]
        return [(presets.snake(k) if convert else k, k, v) for k, v in items]

    def apply(self, data: Mapping[str, Any], origin: str, trusted: bool) -> None:
        """One layer, TOML-shaped. ``trusted`` only for the user's own config file."""
        top: dict[str, Any] = {}
        for k, raw, v in self.table(origin, "", data):
            if k in _TOP_KEYS:
                top[k] = v
            else:
                self.problem(origin, raw, presets.unknown_key(raw, _TOP_KEYS))
        if "prices" in top and not trusted:  # [prices] is read (and checked) by prices.load_prices
            self.problem(origin, "prices", "refused: only your own config file can set prices")
        if "providers" in top:
            self._providers(origin, top["providers"], trusted)
        for section in (s for s in _SECTIONS if s in top):
            allowed = [k.partition(".")[2] for k in fields.FIELD_BY_KEY if k.startswith(section + ".")]
            for k, raw, v in self.table(origin, section, top[section]):
                if section == "budget" and k == "tiers":
                    self._tier_caps(origin, v, trusted)
                elif k in allowed:
                    self._field(origin, f"{section}.{k}", v, trusted)
                else:
                    self.problem(origin, f"{section}.{raw}", presets.unknown_key(raw, allowed))
        for key in ("exclude", "log_level"):
            if key in top:
                self._field(origin, key, top[key], trusted)
        if "tiers" in top:
            self._tiers(origin, top["tiers"])
        if "tasks" in top:
            self._tasks(origin, top["tasks"])

    def _tier_caps(self, origin: str, value: Any, trusted: bool) -> None:
        """``[budget.tiers.NAME] daily_usd / monthly_usd``: caps of one tier (the user's file only)."""
        if not trusted:
            return self.problem(origin, "budget.tiers", "refused: only your own config file sets tier caps")
        caps: list[tuple[str, float | None, float | None]] = []
        for tier, raw, table in self.table(origin, "budget.tiers", value, convert=False):
            key = f"budget.tiers.{raw}"
            if not presets.NAME_RE.fullmatch(tier):
                self.problem(origin, key, "a tier name is letters, digits, '-' and '_'")
                continue
            got: dict[str, float | None] = {}
            for k, raw_k, v in self.table(origin, key, table):
                if k not in ("daily_usd", "monthly_usd"):
                    known = ("daily_usd", "monthly_usd")
                    self.problem(origin, f"{key}.{raw_k}", presets.unknown_key(raw_k, known))
                    continue
                converted, error = fields.FIELD_BY_KEY[f"budget.{k}"].check(v)
                if error:
                    self.problem(origin, f"{key}.{k}", error)
                else:
                    got[k] = converted
            caps.append((tier, got.get("daily_usd"), got.get("monthly_usd")))
        self.values["budget.tiers"] = tuple(caps)
        self.sources["budget.tiers"] = origin
        return None

    def _field(self, origin: str, key: str, value: Any, trusted: bool) -> None:
        spec = fields.FIELD_BY_KEY[key]
        converted, error = spec.check(value)
        if error:
            return self.problem(origin, key, error)
        if spec.file_only and not trusted:
            return self.problem(origin, key, "refused: only your config file may set this")
        cap = self.ceiling.get(key)
        if spec.lower_only and not trusted and cap is not None and (converted is None or converted > cap):
            return self.problem(origin, key, f"refused: editor settings may only lower budget caps ({cap})")
        if key == "exclude":  # later layers add globs, never remove them
            converted = tuple(dict.fromkeys((*self.values[key], *converted)))
        self.values[key] = converted
        self.sources[key] = origin

    def _providers(self, origin: str, value: Any, trusted: bool) -> None:
        for name, _, body in self.table(origin, "providers", value, convert=False):
            key = f"providers.{name}"
            if not presets.NAME_RE.fullmatch(name) or name == LOCAL:
                self.problem(origin, key, "bad name: use letters, digits, '-' and '_' ('local' is reserved)")
                continue
            current = self.providers.get(name)
            checked: dict[str, Any] = {}
            for f, raw, v in self.table(origin, key, body):
                converted, error = presets.check_provider_field(f, v)
                if f not in presets.PROVIDER_FIELDS:
                    self.problem(origin, f"{key}.{raw}", presets.unknown_key(raw, presets.PROVIDER_FIELDS))
                elif not trusted and current is not None and f in presets.GUARDED_FIELDS:
                    if error or converted != current[f]:  # resending the same value is harmless
                        self.problem(origin, f"{key}.{f}", _REFUSED_WHERE)
                elif not trusted and current is None and f == "api_key_env" and v not in (False, ""):
                    checked["keyed"] = True
                elif error:
                    self.problem(origin, f"{key}.{f}", error)
                else:
                    checked[f] = converted
            if trusted or current is not None or self._editor_may_add(origin, key, checked):
                self._define(origin, name, checked)

    def _editor_may_add(self, origin: str, key: str, checked: dict[str, Any]) -> bool:
        if checked.get("keyed"):
            self.problem(origin, f"{key}.api_key_env", _REFUSED_KEYED)
            return False
        if "base_url" in checked and not presets.is_loopback(checked["base_url"]):
            self.problem(origin, f"{key}.base_url", _REFUSED_REMOTE)
            return False
        if checked.pop("headers", None):
            self.problem(origin, f"{key}.headers", "refused: only your own config file can set headers")
        return True

    def _define(self, origin: str, name: str, checked: dict[str, Any]) -> None:
        key = f"providers.{name}"
        if name not in self.providers:
            missing = [f for f in ("api", "base_url") if f not in checked]
            if missing:
                return self.problem(origin, key, f"ignored: a provider needs a valid {' and '.join(missing)}")
            checked = {"api_key_env": None, "headers": {}, "prompt_style": "auto", **checked}
        current = self.providers.setdefault(name, {})
        for f, v in checked.items():
            current[f] = v
            self.sources[f"{key}.{f}"] = origin

    def _tiers(self, origin: str, value: Any) -> None:
        for tier, _, refs in self.table(origin, "tiers", value, convert=False):
            key = f"tiers.{tier}"
            if not presets.NAME_RE.fullmatch(tier):
                self.problem(origin, key, "bad tier name: use letters, digits, '-' and '_'")
                continue
            if not isinstance(refs, list | tuple) or not all(isinstance(r, str) for r in refs):
                self.problem(origin, key, f"expected a list of 'provider/model', got {presets.show(refs)}")
                continue
            kept: list[ModelRef] = []
            for text in refs:
                try:
                    ref = ModelRef.parse(text)
                except ValueError as exc:
                    self.problem(origin, key, f"{exc}; dropped")
                    continue
                if ref.provider != LOCAL and ref.provider not in self.providers:
                    self.problem(origin, key, f"unknown provider {ref.provider!r} in {text!r}; dropped")
                    continue
                kept.append(ref)
            self.tiers[tier] = tuple(kept)
            self.sources[key] = origin

    def _tasks(self, origin: str, value: Any) -> None:
        for task, raw, tier in self.table(origin, "tasks", value, convert=False):
            key = f"tasks.{task}"
            if task not in presets.KNOWN_TASKS:
                self.problem(origin, key, presets.unknown_key(raw, presets.KNOWN_TASKS))
            elif not isinstance(tier, str) or tier not in self.tiers:
                tiers = ", ".join(sorted(self.tiers))
                self.problem(origin, key, f"expected one of the tiers {tiers}, got {presets.show(tier)}")
            else:
                self.tasks[task] = tier
                self.sources[key] = origin

    def settings(self) -> Settings:
        """The frozen result."""
        providers = {
            n: ProviderConfig(name=n, origin=self.sources[f"providers.{n}.base_url"], **f)
            for n, f in self.providers.items()
        }
        sections = {
            s: type(d)(**{k.partition(".")[2]: v for k, v in self.values.items() if k.startswith(s + ".")})
            for s, d in presets.SECTION_DEFAULTS.items()
        }
        return Settings(
            providers=_frozen(providers),
            tiers=_frozen(self.tiers),
            tasks=_frozen(self.tasks),
            exclude=self.values["exclude"],
            log_level=self.values["log_level"],
            sources=_frozen(self.sources),
            **sections,
        )


def _load(path: Path | None, init_options: Any, workspace: Any) -> LoadResult:
    layers = _Layers()
    data, problem = presets.read_toml(path) if path is not None else (None, None)
    if problem:
        layers.problem(str(path), "", problem)
    if data is not None:
        layers.apply(data, str(path), trusted=True)
    layers.ceiling = dict(layers.values)
    for data, origin in ((init_options, INIT_ORIGIN), (workspace, WORKSPACE_ORIGIN)):
        if isinstance(data, Mapping):
            layers.apply(presets.editor_root(data), origin, trusted=False)
        elif data is not None:
            layers.problem(origin, "", f"expected an object of settings, got {presets.show(data)}")
    problems = tuple(text for _, text in layers.problems)
    from_file = tuple(text for origin, text in layers.problems if path is not None and origin == str(path))
    return LoadResult(layers.settings(), problems, from_file)


def tier_for_task(settings: Settings, task: str) -> str:
    """The tier a task uses (``fast`` for unknown tasks)."""
    return settings.tasks.get(task, presets.DEFAULT_TASKS.get(task, "fast"))


def resolve_tier(
    settings: Settings, tier: str, env: Mapping[str, str] = os.environ
) -> tuple[tuple[ProviderConfig, str], ...]:
    """The tier's usable (provider, model) pairs in order; the offline completer is always last."""
    out: list[tuple[ProviderConfig, str]] = []
    for ref in settings.tiers.get(tier, ()):
        if ref.provider == LOCAL:
            pair = (LOCAL_PROVIDER, LOCAL)
        else:
            provider = settings.providers.get(ref.provider)
            if provider is None or (provider.keyed and provider.api_key(env) is None):
                continue
            pair = (provider, ref.model)
        if pair not in out:
            out.append(pair)
    if (LOCAL_PROVIDER, LOCAL) not in out:
        out.append((LOCAL_PROVIDER, LOCAL))
    return tuple(out)


def describe(settings: Settings, env: Mapping[str, str] = os.environ) -> str:
    """Human-readable resolved configuration with each value's source; key values never appear."""
    src = settings.sources
    lines = ["Settings (value  <- source):"]
    for f in fields.FIELDS:
        section, _, name = f.key.rpartition(".")
        value = getattr(getattr(settings, section) if section else settings, name)
        lines.append(f"  {f.key} = {presets.fmt(value)}  <- {src.get(f.key, DEFAULT_ORIGIN)}")
        if f.key == "budget.monthly_usd":
            lines += _tier_cap_lines(settings)
    lines.append("Providers:")
    for name, p in sorted(settings.providers.items()):
        state = "present" if p.api_key(env) else "missing"
        key = f"key {p.api_key_env}: {state}" if p.keyed else "key not needed"
        extra = f", prompt_style {p.prompt_style}" if p.prompt_style != "auto" else ""
        extra += f", headers {', '.join(sorted(p.headers))}" if p.headers else ""  # names only
        lines.append(f"  {name}: api {p.api}, {p.base_url}, {key}{extra}  <- {p.origin}")
    lines.append("Tiers (usable now marked *):")
    for tier, refs in sorted(settings.tiers.items()):
        usable = {(p.name, m) for p, m in resolve_tier(settings, tier, env)}
        shown = [("*" if (r.provider, r.model) in usable else "") + str(r) for r in refs]
        shown += [] if any(r.provider == LOCAL for r in refs) else ["*local"]
        lines.append(f"  {tier} = {', '.join(shown)}  <- {src.get('tiers.' + tier, DEFAULT_ORIGIN)}")
    lines.append("Tasks:")
    for task in sorted(set(presets.KNOWN_TASKS) | set(settings.tasks)):
        source = src.get("tasks." + task, DEFAULT_ORIGIN)
        lines.append(f"  {task} -> {tier_for_task(settings, task)}  <- {source}")
    return "\n".join(lines)


def _tier_cap_lines(settings: Settings) -> list[str]:
    source = settings.sources.get("budget.tiers", DEFAULT_ORIGIN)

    def show(cap: float | None) -> str:
        return "no cap" if cap is None else presets.fmt(cap)

    return [
        f"  budget.tiers.{tier}: daily_usd = {show(d)}, monthly_usd = {show(m)}  <- {source}"
        for tier, d, m in settings.budget.tiers
    ]


def settings_schema() -> dict[str, Any]:
    """JSON-schema-like description of the editor-settable keys (dotted snake_case names, with defaults)."""
    return fields.schema(presets.default_value)
