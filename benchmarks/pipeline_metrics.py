"""Turning what the pipeline benchmark observed into its figures (the tables are ``pipeline_report``).

Cost: every upstream request that reached the provider is billed its whole prompt (prompt + suffix,
counted with ``lsp_complete.tokens``) at the input price, and its answer at the output price unless the
server hung up before the first token. "With prefix cache" also models DeepSeek's default disk cache:
the longest common prefix with one of the previous 32 prompts, in whole 64-token units, is billed at the
cached-input price. Dollars per hour divide by the trace's unassisted typing time (the same for every
configuration), so accepting suggestions does not inflate the rate.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.pipeline_run import ConfigRun, Latency, UpstreamCall
from benchmarks.pipeline_trace import Trace
from lsp_complete import tokens

PRICES = Path(tokens.__file__).resolve().parent / "data" / "prices.json"


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    model: str
    input: float
    cached: float
    output: float


def price(model: str) -> Price:
    """List price of ``model`` (e.g. ``deepseek/deepseek-flash``) from the shipped price table."""
    entry = json.loads(PRICES.read_text(encoding="utf-8"))["models"][model]
    return Price(
        model,
        entry["input_per_mtok"],
        entry.get("cached_input_per_mtok", entry["input_per_mtok"]),
        entry["output_per_mtok"],
    )


def pct(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank), None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _lcp(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _prompt(call: UpstreamCall) -> tuple[str, str]:
    body = call.request.json if isinstance(call.request.json, dict) else {}
    return str(body.get("prompt") or ""), str(body.get("suffix") or "")


def analyse(run: ConfigRun, trace: Trace, p: Price, count: Callable[[str], int]) -> dict[str, Any]:
    """The figures of one configuration's replay."""
    log = run.log
    keys = len(log.keystrokes)
    whole = {seg.name: count(seg.truth) for seg in trace.segments}
    prompt_tokens, ratios, input_usd, cached_usd, output_usd, started_usd = [], [], 0.0, 0.0, 0.0, 0.0
    recent: list[str] = []
    for call in run.upstream:
        prompt, suffix = _prompt(call)
        n = count(prompt) + count(suffix)
        prompt_tokens.append(n)
        if call.answer is not None and call.answer.name in whole:
            ratios.append(n / whole[call.answer.name])
        shared = max((_lcp(prompt, old) for old in recent), default=0)
        hit = min(n, count(prompt[:shared]) // 64 * 64) if shared else 0
        recent = [*recent[-31:], prompt]
        input_usd += n * p.input / 1e6
        cached_usd += (hit * p.cached + (n - hit) * p.input) / 1e6
        answered = call.answer is not None and (
            call.gone is None or call.gone - call.received > call.answer.ttft_s
        )
        if answered and call.answer is not None:
            output_usd += count(call.answer.text) * p.output / 1e6
            started_usd += n * p.input / 1e6
    hours = trace.virtual_s / 3600.0
    cost, cost_cached = input_usd + output_usd, cached_usd + output_usd
    through = [k for k in log.keystrokes if k.through]
    unserved = [k for k in through if not _from_memory(k, run.upstream)]
    served = len(through) - len(unserved)
    return {
        "keystrokes": keys,
        "upstream_requests": len(run.upstream),
        "aborted_before_first_token": sum(
            1
            for c in run.upstream
            if c.gone is not None and c.answer and c.gone - c.received <= c.answer.ttft_s
        ),
        "requests_per_char": len(run.upstream) / keys if keys else None,
        "pauses": len(log.pauses),
        "pause_share": sum(log.pauses) / len(log.pauses) if log.pauses else None,
        "through_keystrokes": len(through),
        "through_share": served / len(through) if through else None,
        "k2s_p50_ms": pct(log.latencies_ms, 50),
        "k2s_p90_ms": pct(log.latencies_ms, 90),
        "new_k2s_p50_ms": pct(log.new_latencies_ms, 50),
        "new_k2s_p90_ms": pct(log.new_latencies_ms, 90),
        "after_accept_p50_ms": pct(log.after_accept_ms, 50),
        "after_accept_shown": len(log.after_accept_ms),
        "prompt_tokens_p50": statistics.median(prompt_tokens) if prompt_tokens else None,
        "prompt_vs_whole_p50": statistics.median(ratios) if ratios else None,
        "shown": log.shown,
        "accepts": log.accepts,
        "partial_accepts": log.partial_accepts,
        "accepted_chars": log.accepted_chars,
        "acceptance": (log.accepts + log.partial_accepts) / log.shown if log.shown else None,
        "right": log.right,
        "right_share": log.right / log.shown if log.shown else None,
        "pause_share_fair": _fair_pauses(run, trace),
        "wrong_shown": log.wrong,
        "unserved_through": [
            f"{k.tail[-25:]!r} expecting {k.expect[:30]!r}: {str(k.call.result)[:80]}" for k in unserved
        ],
        "missed_pauses": [
            _where(trace, name, k)
            for (name, k, _), got in zip(log.pause_at, log.pauses, strict=True)
            if not got
        ],
        "cost_usd": cost,
        "usd_per_hour": cost / hours if hours else None,
        "usd_per_hour_cached": cost_cached / hours if hours else None,
        "usd_per_hour_aborts_free": (started_usd + output_usd) / hours if hours else None,
        "chars_per_usd": log.accepted_chars / cost if cost else None,
        "real_s": round(log.real_s, 1),
        "messages": run.messages,
    }


def _fair_pauses(run: ConfigRun, trace: Trace) -> float | None:
    """Pauses with a suggestion among those the model could answer in time (first token before their end).

    A pause whose position the oracle never answered counts against the server (nothing was asked).
    """
    ttft = {(a.name, a.cursor): a.ttft_s for u in run.upstream if (a := u.answer) is not None}
    starts = {seg.name: seg.start for seg in trace.segments}
    fair = [
        got
        for (name, k, ms), got in zip(run.log.pause_at, run.log.pauses, strict=True)
        if ttft.get((name, starts[name] + k), 0.0) < ms / 1000.0
    ]
    return sum(fair) / len(fair) if fair else None


def _where(trace: Trace, name: str, k: int) -> str:
    """``file: ...text before|text after...`` of a position in a segment's region."""
    seg = next(s for s in trace.segments if s.name == name)
    return f"{name}: {seg.target[max(0, k - 25) : k]!r}|{seg.target[k : k + 15]!r}"


def _from_memory(key: Any, upstream: list[UpstreamCall]) -> bool:
    """A typing-through keystroke answered with a suggestion in time and no upstream call for its prefix."""
    call = key.call
    if not key.fresh_answer or call.received is None:
        return False
    tail = key.tail.rstrip()
    for up in upstream:
        if call.sent <= up.received <= call.received and _prompt(up)[0].rstrip().endswith(tail):
            return False
    return True


def latency_figures(lat: Latency, count: Callable[[str], int]) -> dict[str, Any]:
    """p50/p99 of the server-added latency and its two legs; prompt size against the whole file."""
    whole = count(lat.whole) if lat.whole else 0
    sizes = [count(p) for p in lat.prompts]
    return {
        "prompt_tokens_p50": statistics.median(sizes) if sizes else None,
        "whole_file_tokens": whole,
        "prompt_vs_whole_p50": statistics.median(sizes) / whole if sizes and whole else None,
        "samples": len(lat.added_ms),
        "added_p50_ms": pct(lat.added_ms, 50),
        "added_p99_ms": pct(lat.added_ms, 99),
        "inbound_p50_ms": pct(lat.inbound_ms, 50),
        "outbound_p50_ms": pct(lat.outbound_ms, 50),
        "floor_p50_ms": pct(lat.floor_ms, 50),
    }
