"""Plain-text tables for the CLI: first column left-aligned, the others right-aligned, a rule under the
header and one above the last (total) row."""

from __future__ import annotations

from collections.abc import Sequence


def render(lines: Sequence[Sequence[str]]) -> str:
    """``lines`` = header, rows..., total row; every line has the header's number of cells."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    text.insert(1, "-" * len(text[0]))
    text.insert(len(text) - 1, "-" * len(text[0]))
    return "\n".join(text)
