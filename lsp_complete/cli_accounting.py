"""``lsp-complete usage``, ``lsp-complete prices`` and ``lsp-complete prices import FILE``.

``usage`` reads the ledger (never creates it) and prints a table and a bar chart of daily spend by model;
``prices`` lists the merged price table and where each price came from.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any, TextIO

from lsp_complete import cli_acceptance, cli_table, config, ledger, prices
from lsp_complete.errors import ConfigError

__all__ = ["COMMANDS", "add_commands", "parse_since", "run"]

COMMANDS = ("usage", "prices")
_SINCE_RE = re.compile(r"(\d+)([dh])")
_BAR_WIDTH = 40
_FILLS = ("█▓▒░", "#=*+")  # unicode blocks, and plain ASCII for terminals that cannot show them


def parse_since(text: str, now: float | None = None) -> float:
    """``7d``, ``24h`` or a local date ``YYYY-MM-DD`` as Unix seconds; argparse type (ArgumentTypeError)."""
    now = time.time() if now is None else now
    m = _SINCE_RE.fullmatch(text.strip())
    if m:
        return now - int(m[1]) * (86400 if m[2] == "d" else 3600)
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 7d, 24h, 30d or a date YYYY-MM-DD, got {text!r}"
        ) from None


def add_commands(
    subparsers: argparse._SubParsersAction[Any],
    add_logging: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``usage`` and ``prices`` (with ``prices import FILE``) to the CLI's subcommands."""
    usage = subparsers.add_parser("usage", help="requests, tokens and dollars from the ledger")
    add_logging(usage)
    usage.add_argument("--since", type=parse_since, default="7d", metavar="7d|24h|30d|YYYY-MM-DD")
    usage.add_argument("--by", choices=["day", "model", "tier", "task"], default="day", help="group rows by")
    usage.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    usage.add_argument(
        "--chart", metavar="FILE.png", help="also write the daily spend chart as a PNG (needs the plot extra)"
    )

    listing = subparsers.add_parser("prices", help="known model prices and where each came from")
    add_logging(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    nested = listing.add_subparsers(dest="prices_command")
    imported = nested.add_parser(
        "import", help="import LiteLLM's model_prices_and_context_window.json as your price table"
    )
    add_logging(imported)
    imported.add_argument("file", metavar="FILE")


def run(args: argparse.Namespace, env: Mapping[str, str] = os.environ, out: TextIO | None = None) -> int:
    """Run ``usage``/``prices``; exit code 0 on success, 1 on a bad file, 2 for a command not ours."""
    out = out or sys.stdout
    command = getattr(args, "command", None)
    if command == "usage":
        return _usage(args, env, out)
    if command == "prices" and getattr(args, "prices_command", None) == "import":
        return _import(args.file, env, out)
    if command == "prices":
        return _prices(args.json, env, out)
    print(f"lsp-complete: error: unknown command {command!r}", file=sys.stderr)
    return 2


def _usage(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    since = args.since if isinstance(args.since, float) else parse_since(str(args.since))
    path = ledger.default_path(env)
    if not path.exists():
        rows, daily, acceptance = [], [], None
    else:
        try:
            with ledger.Ledger(path, retention_days=None) as book:
                rows, daily = book.summary(since, args.by), book.daily_by_model(since)
            acceptance = cli_acceptance.report(path, since)
        except sqlite3.Error as exc:
            print(f"lsp-complete: error: cannot read the ledger {path}: {exc}", file=sys.stderr)
            return 1
    start = datetime.fromtimestamp(since).isoformat(timespec="minutes")
    if getattr(args, "chart", None) and not _write_chart(daily, args.chart):
        return 1
    if args.json:
        body: dict[str, Any] = {
            "ledger": str(path),
            "since": start,
            "by": args.by,
            "rows": [
                asdict(r) | {"cache_hit_rate": r.cache_hit_rate, "prompt_cache_rate": r.prompt_cache_rate}
                for r in rows
            ],
            "daily_by_model": [{"day": d, "model": m, "cost_usd": v} for d, m, v in daily],
            "acceptance": acceptance,
        }
        print(json.dumps(body, indent=2), file=out)
        return 0
    if not rows and acceptance is None:
        print(f"no usage recorded since {start} (ledger: {path})", file=out)
        return 0
    if rows:
        print(_table(rows, args.by), file=out)
    unknown = sum(r.unknown_cost for r in rows)
    if unknown:
        print(
            f"\n{unknown} request(s) used a model with no known price: not in the dollar totals "
            "(see `lsp-complete prices`)",
            file=out,
        )
    if daily:
        print("\n" + _chart(daily, out), file=out)
    if acceptance is not None:
        print("\n" + cli_acceptance.table(acceptance), file=out)
    return 0


def _write_chart(daily: list[tuple[str, str, float]], target: str) -> bool:
    from lsp_complete import cli_plot

    try:
        cli_plot.write_png(daily, target)
    except cli_plot.PlotUnavailable as exc:
        print(f"lsp-complete: error: {exc}", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"lsp-complete: error: cannot write the chart to {target}: {exc}", file=sys.stderr)
        return False
    print(f"chart written to {target}", file=sys.stderr)
    return True


def _money(x: float) -> str:
    return f"${x:.4f}" if x < 10 else f"${x:.2f}"


def _table(rows: list[ledger.Row], by: str) -> str:
    total = ledger.Row(
        "total",
        *(
            sum(getattr(r, f) for r in rows)
            for f in (
                "requests",
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "cost_usd",
                "unknown_cost",
                "cache_hits",
                "saved_usd",
            )
        ),
    )
    head = (
        by,
        "requests",
        "tokens in",
        "cached",
        "tokens out",
        "cost",
        "cache hits",
        "prompt cached",
        "saved",
    )
    lines = [head]
    for r in [*rows, total]:
        lines.append(
            (
                r.key,
                str(r.requests),
                str(r.input_tokens),
                str(r.cached_input_tokens),
                str(r.output_tokens),
                _money(r.cost_usd) + ("+?" if r.unknown_cost else ""),
                f"{r.cache_hit_rate:.0%}",
                f"{r.prompt_cache_rate:.0%}",
                _money(r.saved_usd),
            )
        )
    return cli_table.render(lines)


def _chart(daily: list[tuple[str, str, float]], out: TextIO) -> str:
    """Stacked horizontal bars of spend per day, one fill character per model, and a legend."""
    try:
        _FILLS[0].encode(getattr(out, "encoding", None) or "utf-8")
        fills = _FILLS[0]
    except (UnicodeEncodeError, LookupError):
        fills = _FILLS[1]
    models = sorted({m for _, m, _ in daily})
    fill = {m: fills[i % len(fills)] for i, m in enumerate(models)}
    days: dict[str, dict[str, float]] = {}
    for day, model, usd in daily:
        days.setdefault(day, {})[model] = usd
    top = max(sum(v.values()) for v in days.values()) or 1.0
    lines = ["daily spend by model"]
    for day, spend in days.items():
        bar = "".join(fill[m] * round(usd / top * _BAR_WIDTH) for m, usd in sorted(spend.items()))
        lines.append(f"{day} {bar.ljust(_BAR_WIDTH)} {_money(sum(spend.values()))}")
    lines.append("  ".join(f"{fill[m]} {m}" for m in models))
    return "\n".join(lines)


def _prices(as_json: bool, env: Mapping[str, str], out: TextIO) -> int:
    table, problems = prices.load_prices(env)
    for problem in problems:
        print(f"lsp-complete: warning: {problem}", file=sys.stderr)
    if as_json:
        print(json.dumps({k: asdict(p) for k, p in table.items()}, indent=2), file=out)
        return 0
    origins = {str(prices.user_prices_path(env)): "imported", str(config.config_path(env)): "config"}
    head = ("model", "input", "cached", "output", "context", "as of", "from")
    lines = [head]
    for key, p in table.items(aliases=False):
        rates = (
            ("free", "free", "free")
            if p.free
            else (
                f"{p.input_per_mtok:g}",
                "-" if p.cached_input_per_mtok is None else f"{p.cached_input_per_mtok:g}",
                f"{p.output_per_mtok:g}",
            )
        )
        origin = origins.get(p.origin, p.origin)
        lines.append(
            (
                key + (" *" if table.is_aliased(key) else ""),
                *rates,
                str(p.context_window or "-"),
                p.as_of or "-",
                origin,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip(), file=out)
    print("\nUSD per million tokens; `cached` = cache-read price ('-': billed at the input rate).", file=out)
    print("* also prices the same model name under any provider.", file=out)
    print(
        f'Override in {config.config_path(env)} with [prices."provider/model"], or run '
        "`lsp-complete prices import FILE`.",
        file=out,
    )
    return 0


def _import(file: str, env: Mapping[str, str], out: TextIO) -> int:
    try:
        count, problems = prices.import_litellm(file, env)
    except ConfigError as exc:
        print(f"lsp-complete: error: {exc} (nothing was written)", file=sys.stderr)
        return 1
    for problem in problems[:10]:
        print(f"lsp-complete: warning: skipped {problem}", file=sys.stderr)
    if len(problems) > 10:
        print(f"lsp-complete: warning: ... and {len(problems) - 10} more skipped", file=sys.stderr)
    print(f"imported {count} model prices into {prices.user_prices_path(env)}", file=out)
    return 0
