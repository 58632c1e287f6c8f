"""The acceptance part of ``lsp-complete usage``: suggestions shown and accepted, and characters per dollar.

Reads the telemetry table (``telemetry``) and the completion spend of the ledger, both in the ledger file.
"Accepted" counts suggestions taken wholly or partly; characters per dollar divide the accepted characters
by what the completion requests to that source cost (known prices only) in the same period.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from lsp_complete import cli_table, telemetry

__all__ = ["report", "table"]


def report(path: Path, since: float) -> dict[str, Any] | None:
    """JSON-able totals and per-source rows; None when nothing was shown since ``since``."""
    with telemetry.Telemetry(path) as events:
        rows = events.summary(since)
        spend = events.completion_spend(since)
    if not rows:
        return None
    by_source = [_row(r.source, r, spend.get(r.source, 0.0)) for r in rows]
    total = telemetry.Acceptance(
        "total", *(sum(getattr(r, f.name) for r in rows) for f in fields(rows[0])[1:])
    )
    return _row("total", total, sum(spend.values())) | {"by_source": by_source}


def _row(source: str, a: telemetry.Acceptance, spend_usd: float) -> dict[str, Any]:
    return {
        "source": source,
        "shown": a.shown,
        "displayed": a.displayed,
        "accepted": a.accepted,
        "accepted_whole": a.accepted_whole,
        "rate": a.rate,
        "chars_shown": a.chars_shown,
        "chars_accepted": a.chars_accepted,
        "completion_spend_usd": spend_usd,
        "accepted_chars_per_usd": a.chars_accepted / spend_usd if spend_usd > 0 else None,
    }


def table(body: dict[str, Any]) -> str:
    """The per-source table with a total line."""
    head = ("source", "shown", "accepted", "rate", "whole", "chars accepted", "chars per $")
    lines = [head]
    for r in [*body["by_source"], body]:
        per_usd = r["accepted_chars_per_usd"]
        free = r["source"] == "local" or (r["source"] == "total" and r["completion_spend_usd"] == 0)
        lines.append(
            (
                r["source"],
                str(r["shown"]),
                str(r["accepted"]),
                f"{r['rate']:.0%}",
                str(r["accepted_whole"]),
                str(r["chars_accepted"]),
                f"{per_usd:,.0f}" if per_usd is not None else ("free" if free else "n/a"),
            )
        )
    return "suggestions (acceptance, recorded locally)\n" + cli_table.render(lines)
