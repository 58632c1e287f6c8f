"""``lsp-complete doctor``: is everything this installation needs in place? One PASS/FAIL/SKIP/WARN line each.

Checks, in order: the config file (its problems), the resolved configuration (as ``config`` prints it), each
key a tier needs (present or missing, never its value), each provider/model of every tier reached with one
tiny request (``max_tokens`` 1; time to first token and what it cost), the price of each tier model, the
tokenizer loaded offline (hash-checked), and the ledger file writable. Probes run concurrently, with short
timeouts, straight through ``providers.build_provider`` (no router: no failover, no breaker, no budget; each
probe is still written to the ledger as task ``doctor``). A keyed provider without its key is SKIP, an
unknown price is WARN; only FAIL lines make the exit code 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from lsp_complete import config, ledger, prices, providers, telemetry, tokens
from lsp_complete.config import ProviderConfig, Settings
from lsp_complete.core import request
from lsp_complete.core.types import ModelRequest, StreamEnd, TextDelta, Usage
from lsp_complete.errors import ConfigError, ProviderAuthError, ProviderError
from lsp_complete.presets import LOCAL

__all__ = ["DEFAULT_TIMEOUT_S", "Check", "Probe", "run"]

DEFAULT_TIMEOUT_S = 10.0
_PROBE_INPUT = request.PromptInput(
    prefix="def add(a, b):\n    return ", suffix="\n", language_id="python", path="doctor.py"
)


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    status: str  # PASS | FAIL | SKIP | WARN
    what: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.what:<10} {self.detail}"


@dataclass(frozen=True, slots=True)
class Probe:
    """What one tiny request did: ``error`` None on success."""

    ttft_ms: float | None
    latency_ms: float
    usage: Usage
    error: str | None = None


def run(env: Mapping[str, str], out: TextIO, timeout_s: float = DEFAULT_TIMEOUT_S) -> int:
    """Print the configuration and every check; 1 if any check failed, else 0."""
    result = config.load(env)
    settings = result.settings
    print("Configuration", file=out)
    print(config.describe(settings, env), file=out)
    checks: list[Check] = [_config_check(result, env)]
    pairs = _pairs(settings)
    checks += _key_checks(settings, pairs, env)
    table, price_problems = prices.load_prices(env)
    probes = asyncio.run(_probe_all(settings, pairs, env, timeout_s))
    for tier, cfg, model in pairs:
        checks.append(_probe_check(tier, cfg, model, probes.get((cfg.name, model)), table))
    if not any(cfg.name == LOCAL for _, cfg, _ in pairs):  # every tier ends with it anyway
        checks.append(_probe_check("fallback", config.LOCAL_PROVIDER, LOCAL, None, table))
    checks += [Check("WARN", "prices", p) for p in price_problems]
    checks += _price_checks(pairs, table)
    checks.append(_tokenizer_check())
    checks.append(_ledger_check(env, pairs, probes, table))
    print("\nChecks", file=out)
    for check in checks:
        print(check.line(), file=out)
    counts = {s: sum(c.status == s for c in checks) for s in ("PASS", "FAIL", "SKIP", "WARN")}
    print("\n" + ", ".join(f"{n} {s.lower()}" for s, n in counts.items()), file=out)
    return 1 if counts["FAIL"] else 0


def _config_check(result: config.LoadResult, env: Mapping[str, str]) -> Check:
    path = config.config_path(env)
    if result.file_problems:
        return Check("FAIL", "config", "; ".join(result.file_problems))
    if not path.exists():
        return Check("PASS", "config", f"no file at {path}: built-in defaults")
    return Check("PASS", "config", f"{path} read, no problems")


def _pairs(settings: Settings) -> list[tuple[str, ProviderConfig, str]]:
    """``(tier, provider, model)`` for every model of every tier, in order, each pair once."""
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, ProviderConfig, str]] = []
    for tier, refs in sorted(settings.tiers.items()):
        for ref in refs:
            cfg = config.LOCAL_PROVIDER if ref.provider == LOCAL else settings.providers.get(ref.provider)
            if cfg is not None and (cfg.name, ref.model) not in seen:
                seen.add((cfg.name, ref.model))
                out.append((tier, cfg, ref.model))
    return out


def _key_checks(
    settings: Settings, pairs: list[tuple[str, ProviderConfig, str]], env: Mapping[str, str]
) -> list[Check]:
    names = sorted({cfg.name for _, cfg, _ in pairs if cfg.keyed})
    checks = []
    for name in names:
        cfg = settings.providers[name]
        present = cfg.api_key(env) is not None
        state = "present" if present else "not set: its models are skipped"
        checks.append(Check("PASS" if present else "SKIP", "key", f"{name}: {cfg.api_key_env} {state}"))
    return checks


async def _probe_all(
    settings: Settings, pairs: list[tuple[str, ProviderConfig, str]], env: Mapping[str, str], timeout_s: float
) -> dict[tuple[str, str], Probe]:
    todo = [(cfg, model) for _, cfg, model in pairs if cfg.name != LOCAL and not _missing_key(cfg, env)]
    results = await asyncio.gather(*(_probe(cfg, model, env, timeout_s) for cfg, model in todo))
    return {(cfg.name, model): probe for (cfg, model), probe in zip(todo, results, strict=True)}


def _missing_key(cfg: ProviderConfig, env: Mapping[str, str]) -> bool:
    return cfg.keyed and cfg.api_key(env) is None


async def _probe(cfg: ProviderConfig, model: str, env: Mapping[str, str], timeout_s: float) -> Probe:
    """One request of at most one output token; never raises."""
    started = time.perf_counter()
    ttft: float | None = None
    usage: Usage | None = None
    text = ""
    try:
        req = request.build(_PROBE_INPUT, model, cfg.prompt_style, cfg.api, max_tokens=1)
        timeouts = providers.Timeouts(
            connect_s=min(3.0, timeout_s), first_token_s=timeout_s, total_s=timeout_s
        )
        provider = providers.build_provider(
            cfg.name, cfg.api, cfg.base_url, cfg.api_key(env), dict(cfg.headers), timeouts
        )
    except ConfigError as exc:
        return Probe(None, 0.0, Usage(), str(exc))
    try:
        async with contextlib.aclosing(provider.stream(req)) as events:
            async for event in events:
                if ttft is None:
                    ttft = _ms(started)
                if isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, StreamEnd):
                    usage = event.usage
    except ProviderError as exc:  # nothing billed worth counting: no usable output came back
        hint = f" (check {cfg.api_key_env})" if isinstance(exc, ProviderAuthError) and cfg.keyed else ""
        return Probe(ttft, _ms(started), Usage(), f"{type(exc).__name__}: {exc}{hint}")
    except Exception as exc:  # a diagnostic reports what broke instead of dying on it
        return Probe(ttft, _ms(started), Usage(), f"unexpected {type(exc).__name__}: {exc}")
    finally:
        await provider.aclose()
    return Probe(ttft, _ms(started), usage or _estimate(req, text))


def _estimate(req: ModelRequest, output: str) -> Usage:
    count = tokens.get_counter().count
    sent = req.prompt + (req.suffix or "") + "".join(m.content for m in req.messages)
    return Usage(count(sent), 0, count(output) if output else 0, estimated=True)


def _probe_check(
    tier: str,
    cfg: ProviderConfig,
    model: str,
    probe: Probe | None,
    table: prices.PriceTable,
) -> Check:
    ref = LOCAL if cfg.name == LOCAL else f"{cfg.name}/{model}"
    if cfg.name == LOCAL:
        return Check("PASS", tier, "local: the offline completer ends every tier; always available, $0")
    if probe is None:
        return Check("SKIP", tier, f"{ref}: not tried, {cfg.api_key_env} is not set")
    if probe.error is not None:
        return Check("FAIL", tier, f"{ref} at {cfg.base_url}: {probe.error}")
    cost = prices.cost(probe.usage, table.lookup(cfg.name, model))
    approx = "~" if probe.usage.estimated else ""
    shown = "unknown price" if cost is None else f"cost {approx}${cost:.7f}"
    first = "-" if probe.ttft_ms is None else f"{probe.ttft_ms:.0f} ms"
    return Check("PASS", tier, f"{ref}: first token {first}, total {probe.latency_ms:.0f} ms, {shown}")


def _price_checks(pairs: list[tuple[str, ProviderConfig, str]], table: prices.PriceTable) -> list[Check]:
    checks = []
    for _, cfg, model in pairs:
        if cfg.name == LOCAL:
            continue
        ref, price = f"{cfg.name}/{model}", table.lookup(cfg.name, model)
        if price is None:
            checks.append(
                Check("WARN", "price", f'{ref}: unknown (costs show as unknown; add [prices."{ref}"])')
            )
        elif price.free:
            checks.append(Check("PASS", "price", f"{ref}: free"))
        else:
            rates = f"${price.input_per_mtok:g} in / ${price.output_per_mtok:g} out per Mtok"
            checks.append(Check("PASS", "price", f"{ref}: {rates} (as of {price.as_of or '?'})"))
    return checks


def _tokenizer_check() -> Check:
    counter = tokens.load_counter()
    if counter.exact:
        return Check("PASS", "tokenizer", "cl100k_base loaded offline from the package, sha256 checked")
    return Check("FAIL", "tokenizer", "cl100k_base cannot be loaded offline: counts are estimates (see log)")


def _ledger_check(
    env: Mapping[str, str],
    pairs: list[tuple[str, ProviderConfig, str]],
    probes: dict[tuple[str, str], Probe],
    table: prices.PriceTable,
) -> Check:
    """Open the ledger (and the telemetry table) for writing and record the probes in it."""
    path = ledger.default_path(env)
    try:
        with ledger.Ledger(path, retention_days=None) as book:
            for tier, cfg, model in pairs:
                probe = probes.get((cfg.name, model))
                if probe is not None:
                    book.record(_entry(tier, cfg.name, model, probe, table))
        with telemetry.Telemetry(path) as events:
            events.open()
    except (OSError, sqlite3.Error) as exc:
        return Check("FAIL", "ledger", f"{path} is not writable: {exc}")
    return Check("PASS", "ledger", f"{path} writable")


def _entry(
    tier: str, provider: str, model: str, probe: Probe, table: prices.PriceTable
) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(
        time=time.time(),
        task="doctor",
        tier=tier,
        provider=provider,
        model=model,
        input_tokens=probe.usage.input_tokens,
        cached_input_tokens=probe.usage.cached_input_tokens,
        output_tokens=probe.usage.output_tokens,
        cost_usd=0.0 if probe.error else prices.cost(probe.usage, table.lookup(provider, model)),
        cost_estimated=probe.usage.estimated,
        ttft_ms=probe.ttft_ms,
        latency_ms=probe.latency_ms,
        outcome="error" if probe.error else "ok",
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
