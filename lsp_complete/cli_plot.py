"""``lsp-complete usage --chart FILE.png``: daily spend by model as a stacked bar chart image.

Needs matplotlib, which is not a dependency: install the ``plot`` extra
(``pip install 'lsp-complete[plot]'``). matplotlib is imported only here and only when a chart is asked for,
with the non-interactive Agg backend (no display needed).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

__all__ = ["MISSING", "PlotUnavailable", "write_png"]

MISSING = "--chart needs matplotlib, which is not installed: pip install 'lsp-complete[plot]'"


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _pyplot() -> Any:
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        raise PlotUnavailable(MISSING) from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def write_png(daily: list[tuple[str, str, float]], path: Path | str) -> None:
    """Write the chart of ``(day, provider/model, dollars)`` rows to ``path`` (PNG).

    Raises ``PlotUnavailable`` without matplotlib and ``OSError`` when the file cannot be written.
    """
    plt = _pyplot()
    days = sorted({d for d, _, _ in daily})
    models = sorted({m for _, m, _ in daily})
    spend = {(d, m): usd for d, m, usd in daily}
    figure, axes = plt.subplots(figsize=(max(6.0, 0.6 * len(days) + 2), 4))
    try:
        bottom = [0.0] * len(days)
        for model in models:
            heights = [spend.get((d, model), 0.0) for d in days]
            axes.bar(days, heights, bottom=bottom, label=model)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        axes.set_ylabel("USD")
        axes.set_title("lsp-complete: daily spend by model")
        if models:
            axes.legend(fontsize="small")
        axes.tick_params(axis="x", labelrotation=45)
        figure.tight_layout()
        figure.savefig(str(path), format="png")
    finally:
        plt.close(figure)
