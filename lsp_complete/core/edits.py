"""Minimal line edits from a region's old and new lines, and rebasing them onto a newer document.

A ``LineEdit`` replaces whole lines ``start..end`` (half-open) of a document with ``lines`` (endings
included). Edits of one batch never overlap and are sorted. Comparisons ignore line endings, so an answer
with ``\\n`` endings in a ``\\r\\n`` file changes only the lines whose content changed; new lines get the
document's ending.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from lsp_complete.core.blocks import Region, content, split_lines


@dataclass(frozen=True, slots=True)
class LineEdit:
    """Replace lines ``start..end`` with ``lines``."""

    start: int
    end: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The replacement text."""
        return "".join(self.lines)


def line_ending(lines: Sequence[str]) -> str:
    """The document's line ending: the one of its first ended line, ``\\n`` if none."""
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith(("\n", "\r")):
            return line[-1]
    return "\n"


def minimal_edits(doc_lines: Sequence[str], region: Region, new_text: str) -> list[LineEdit]:
    """Edits turning ``doc_lines[region]`` into ``new_text``, touching only the lines that change.

    The new text takes the document's line ending; when the region ends the file without a final line
    ending, so does the new text.
    """
    eol = line_ending(doc_lines)
    old = [content(line) for line in doc_lines[region.start : region.end]]
    new = [content(line) for line in split_lines(new_text)]
    at_eof = region.end == len(doc_lines) and bool(doc_lines) and content(doc_lines[-1]) == doc_lines[-1]
    edits: list[LineEdit] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        replacement = [line + eol for line in new[j1:j2]]
        if at_eof and i2 == len(old):  # the file ends here without a line ending: keep it so
            if replacement:
                replacement[-1] = new[j2 - 1]
            if i1 == i2 and i1 > 0:  # appending: the old last line gets an ending
                edits.append(
                    LineEdit(region.start + i1 - 1, region.start + i2, (old[i1 - 1] + eol, *replacement))
                )
                continue
            if not replacement and i1 > 0 and j1 > 0:  # deleting the last lines: the new last one loses it
                edits.append(LineEdit(region.start + i1 - 1, region.start + i2, (new[j1 - 1],)))
                continue
        edits.append(LineEdit(region.start + i1, region.start + i2, tuple(replacement)))
    return edits


def apply(doc_lines: Sequence[str], edits: Sequence[LineEdit]) -> str:
    """The document text after ``edits`` (for tests and previews)."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.start):
        out.extend(doc_lines[position : edit.start])
        out.extend(edit.lines)
        position = edit.end
    out.extend(doc_lines[position:])
    return "".join(out)


def rebase(edits: Sequence[LineEdit], region: Region, old_text: str, new_text: str) -> list[LineEdit] | None:
    """``edits`` made against ``old_text``, moved onto ``new_text``; None when ``region`` was touched.

    The region (the lines the action read) is untouched when no change overlaps it and nothing was
    inserted inside it; lines added or removed above it move the edits, changes below leave them.
    """
    if old_text == new_text:
        return list(edits)
    old = [content(line) for line in split_lines(old_text)]
    new = [content(line) for line in split_lines(new_text)]
    # Usually only one stretch differs: compare that stretch alone (a 50,000-line file stays cheap).
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, old[head : len(old) - tail], new[head : len(new) - tail], False)
    shift = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2 = i1 + head, i2 + head
        if i1 == i2:  # an insertion: harmful only strictly inside the region
            if region.start < i1 < region.end:
                return None
            if i1 <= region.start:
                shift += j2 - j1
        else:
            if i1 < region.end and i2 > region.start:
                return None
            if i2 <= region.start:
                shift += (j2 - j1) - (i2 - i1)
    return [LineEdit(e.start + shift, e.end + shift, e.lines) for e in edits]


def offsets(doc_lines: Sequence[str], edit: LineEdit) -> tuple[int, int]:
    """The character offsets in the document text that ``edit`` replaces."""
    start = sum(len(line) for line in doc_lines[: edit.start])
    return start, start + sum(len(line) for line in doc_lines[edit.start : edit.end])
