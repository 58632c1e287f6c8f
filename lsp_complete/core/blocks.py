"""Which lines a code action works on: the selection, or the block enclosing the cursor, cut to a budget.

Lines here are LSP lines (only ``\\n``, ``\\r\\n`` and ``\\r`` end one) and keep their line endings, so
``"".join(lines)`` is the text again. A ``Region`` is a half-open range of whole lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# A line that opens a definition in the languages we meet most (Python, JS/TS, Go, Rust, Java, C, Lua, sh).
_HEADER = re.compile(
    r"^\s*(?:(?:export|default|public|private|protected|static|async|pub(?:\([^)]*\))?|local|final|abstract|"
    r"override|inline|extern|unsafe|const)\s+)*"
    r"(?:def|class|function|func|fn|impl|trait|struct|enum|interface|module|namespace)\b"
    r"|^\s*[A-Za-z_][\w<>,\s*&:]*\s+[A-Za-z_]\w*\s*\([^;]*\)\s*(?:const\s*)?\{?\s*$"  # C-like function
    r"|^\s*(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*=>)"
)
_CLOSER = re.compile(r"^\s*(?:[}\])]|end\b|fi\b|done\b|esac\b)")
_DECORATOR = re.compile(r"^\s*@")


@dataclass(frozen=True, slots=True)
class Region:
    """Lines ``start`` (inclusive) to ``end`` (exclusive)."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


def split_lines(text: str) -> list[str]:
    """``text`` as lines with their endings; the text is ``"".join`` of them."""
    return _LINE.findall(text)


def content(line: str) -> str:
    """A line without its ending."""
    return line.rstrip("\r\n")


def _indent(line: str) -> int:
    body = content(line)
    return len(body) - len(body.lstrip(" \t"))


def _blank(line: str) -> bool:
    return not content(line).strip()


def selection(lines: Sequence[str], start: tuple[int, int], end: tuple[int, int]) -> Region | None:
    """The whole lines a selection touches (an end at column 0 does not take its line); None if empty.

    ``start``/``end`` are (line, column); lines past the end are clamped. A selection of only blank lines,
    or one past the end of the text, is None.
    """
    first, last = start[0], end[0]
    if (last, end[1]) < (first, start[1]):
        first, last = last, first
    stop = last if last > first and end[1] == 0 else last + 1
    region = Region(max(0, first), min(len(lines), stop))
    if region.start >= region.end or all(_blank(line) for line in lines[region.start : region.end]):
        return None
    return region


def enclosing_block(lines: Sequence[str], line: int) -> Region | None:
    """The definition (function, class, ...) around ``line``, else its paragraph; None on blank end of file.

    A definition is the nearest header line at or above ``line`` indented no deeper than ``line``, its
    decorators, every following line that is blank or deeper, and a closing line (``}``, ``end``) at the
    header's indentation. Blank lines at the block's end are left out.
    """
    if not lines:
        return None
    line = min(max(line, 0), len(lines) - 1)
    probe = line
    while probe < len(lines) and _blank(lines[probe]):
        probe += 1  # a cursor on a blank line belongs to what follows ...
    if probe == len(lines):
        probe = line
        while probe >= 0 and _blank(lines[probe]):
            probe -= 1  # ... or, at the end of the file, to what precedes
        if probe < 0:
            return None
    while probe + 1 < len(lines) and _DECORATOR.match(lines[probe]):
        probe += 1  # a decorator belongs to the definition below it
    level = _indent(lines[probe])
    for top in range(probe, -1, -1):
        text = lines[top]
        if _blank(text) or _indent(text) > level:
            continue
        if _HEADER.match(text):
            region = _definition(lines, top)
            if region.start <= probe < region.end:
                return region
        level = min(level, _indent(text))
    return _paragraph(lines, probe)


def _definition(lines: Sequence[str], header: int) -> Region:
    level = _indent(lines[header])
    start = header
    while start > 0 and _DECORATOR.match(lines[start - 1]) and _indent(lines[start - 1]) == level:
        start -= 1
    end = header + 1
    while end < len(lines) and (_blank(lines[end]) or _indent(lines[end]) > level):
        end += 1
    if end < len(lines) and _indent(lines[end]) == level and _CLOSER.match(lines[end]):
        end += 1
    while end > header + 1 and _blank(lines[end - 1]):
        end -= 1
    return Region(start, end)


def _paragraph(lines: Sequence[str], line: int) -> Region:
    start = line
    while start > 0 and not _blank(lines[start - 1]):
        start -= 1
    end = line + 1
    while end < len(lines) and not _blank(lines[end]):
        end += 1
    return Region(start, end)


def fit(lines: Sequence[str], region: Region, focus: int, count: Callable[[str], int], budget: int) -> Region:
    """The largest part of ``region`` around line ``focus`` whose tokens fit ``budget`` (at least one line).

    Grows outwards from ``focus`` one line at a time, below first, so only the kept lines are counted:
    a 50,000-line selection costs as much as the budget, not the selection.
    """
    focus = min(max(focus, region.start), max(region.start, region.end - 1))
    start, end = focus, focus + 1
    used = count(lines[focus]) if region else 0
    grew = True
    while grew:
        grew = False
        for side in (1, -1):
            index = end if side == 1 else start - 1
            if region.start <= index < region.end:
                cost = count(lines[index])
                if used + cost <= budget:
                    used += cost
                    start, end = (start, end + 1) if side == 1 else (start - 1, end)
                    grew = True
    return Region(start, end)


def context_around(
    lines: Sequence[str], region: Region, count: Callable[[str], int], budget: int
) -> tuple[Region, Region]:
    """Lines just before and just after ``region`` that fit ``budget`` together (half each way)."""
    half = budget // 2
    before_start, used = region.start, 0
    while before_start > 0 and used + (cost := count(lines[before_start - 1])) <= half:
        before_start -= 1
        used += cost
    after_end, used = region.end, 0
    while after_end < len(lines) and used + (cost := count(lines[after_end])) <= half:
        after_end += 1
        used += cost
    return Region(before_start, region.start), Region(region.end, after_end)
