"""An open text document: exact text, LSP positions in UTF-8/16/32, incremental edits.

Pure: no I/O. Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (and nothing else: U+2028, form feed... are text).
A position never points between ``\\r`` and ``\\n``; a character past a line's end clamps to that end.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections.abc import Sequence

Range = tuple[int, int, int, int]
_EOL = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class PositionEncoding(enum.Enum):
    """How the ``character`` of an LSP position counts: bytes, UTF-16 code units or code points."""

    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"


class DocumentEditError(ValueError):
    """An edit could not be applied: negative numbers, or a range whose start is after its end."""


def _units(prefix: str, encoding: PositionEncoding) -> int:
    """How many ``encoding`` units ``prefix`` takes (lone surrogates: 1 UTF-16 unit, 3 UTF-8 bytes)."""
    if encoding is PositionEncoding.UTF32 or prefix.isascii():
        return len(prefix)
    if encoding is PositionEncoding.UTF16:
        return len(prefix) + len(_ASTRAL.findall(prefix))
    return len(prefix.encode("utf-8", "surrogatepass"))


def _index(line: str, column: int, encoding: PositionEncoding) -> int:
    """The string index of ``column`` units into ``line``; mid-character rounds down, past the end clamps."""
    if encoding is PositionEncoding.UTF32 or line.isascii():
        return min(column, len(line))
    if encoding is PositionEncoding.UTF16:
        astral = 0
        for match in _ASTRAL.finditer(line, 0, min(column, len(line))):
            units_before = match.start() + astral
            if column <= units_before:
                break
            if column == units_before + 1:  # between the two halves of a surrogate pair
                return match.start()
            astral += 1
        return min(column - astral, len(line))
    prefix = line[:column]  # every char is at least one byte, so the cut lies inside this prefix
    data = prefix.encode("utf-8", "surrogatepass")
    if len(data) <= column:
        return len(prefix)
    cut = column
    while data[cut] & 0xC0 == 0x80:  # a continuation byte: back up to the character's first byte
        cut -= 1
    return len(data[:cut].decode("utf-8", "surrogatepass"))


class Document:
    """The text of one open document, with a line index kept up to date across edits.

    Line starts after index ``_shift_from`` are stored ``_shift`` too small: an edit shifts every later line,
    and deferring that shift makes repeated edits near one place cost O(lines touched), not O(lines).
    """

    def __init__(self, uri: str, text: str, version: int = 0, language_id: str = "") -> None:
        self.uri = uri
        self.version = version
        self.language_id = language_id
        self._reset(text)

    def _reset(self, text: str) -> None:
        self._text = text
        self._starts = [0, *(m.end() for m in _EOL.finditer(text))]
        self._shift_from = len(self._starts)
        self._shift = 0

    @property
    def text(self) -> str:
        """The exact current text (read-only: change it with :meth:`apply_change`)."""
        return self._text

    @property
    def line_count(self) -> int:
        """Number of lines; text ending with a terminator has an empty last line, and "" has one line."""
        return len(self._starts)

    def _start(self, line: int) -> int:
        start = self._starts[line]
        return start + self._shift if line >= self._shift_from else start

    def _content_end(self, line: int) -> int:
        """Offset of the end of ``line``, before its terminator."""
        if line + 1 >= len(self._starts):
            return len(self._text)
        end = self._start(line + 1)
        return end - 2 if end >= 2 and self._text[end - 2 : end] == "\r\n" else end - 1

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its terminator; IndexError when the line does not exist."""
        if not 0 <= line < len(self._starts):
            raise IndexError(f"line {line} out of range 0..{len(self._starts) - 1}")
        return self._text[self._start(line) : self._content_end(line)]

    def _line_of(self, offset: int) -> int:
        """The line containing ``offset`` (0 <= offset <= len(text))."""
        k = self._shift_from
        if k < len(self._starts) and offset >= self._starts[k] + self._shift:
            return bisect_right(self._starts, offset - self._shift, k) - 1
        return bisect_right(self._starts, offset, 0, k) - 1

    def offset_at(self, line: int, character: int, encoding: PositionEncoding) -> int | None:
        """The index into :attr:`text` of a position; None for a negative position or a line past the last.

        A character past the end of the line clamps to the line's end (before its terminator).
        """
        if line < 0 or character < 0 or line >= len(self._starts):
            return None
        start = self._start(line)
        return start + _index(self._text[start : self._content_end(line)], character, encoding)

    def position_at(self, offset: int, encoding: PositionEncoding) -> tuple[int, int]:
        """The (line, character) of an index into :attr:`text`, clamped into the text.

        An offset inside a line terminator maps to the end of that line.
        """
        offset = min(max(offset, 0), len(self._text))
        line = self._line_of(offset)
        start = self._start(line)
        end = min(offset, self._content_end(line))
        return line, _units(self._text[start:end], encoding)

    def prefix_suffix(self, offset: int) -> tuple[str, str]:
        """The text before and after ``offset`` (clamped into the text)."""
        offset = min(max(offset, 0), len(self._text))
        return self._text[:offset], self._text[offset:]

    def _edit_offset(self, line: int, character: int, encoding: PositionEncoding) -> int:
        if line < 0 or character < 0:
            raise DocumentEditError(f"negative position ({line}, {character})")
        offset = self.offset_at(line, character, encoding)
        return len(self._text) if offset is None else offset

    def _move_shift_boundary(self, to: int) -> None:
        """Materialise or defer the pending shift so that it applies exactly from line ``to``."""
        k, shift, starts = self._shift_from, self._shift, self._starts
        if shift and to > k:
            starts[k:to] = [s + shift for s in starts[k:to]]
        elif shift and to < k:
            starts[to:k] = [s - shift for s in starts[to:k]]
        self._shift_from = to

    def apply_change(self, text: str, range: Range | None, encoding: PositionEncoding) -> None:
        """Replace ``range`` (start line, start char, end line, end char) by ``text``; None replaces all.

        Raises DocumentEditError (leaving the document unchanged) on negative numbers or a reversed range.
        Lines past the last clamp to the end of the document, characters past a line's end to the line end.
        """
        if range is None:
            self._reset(text)
            return
        start = self._edit_offset(range[0], range[1], encoding)
        end = self._edit_offset(range[2], range[3], encoding)
        if start > end:
            raise DocumentEditError(f"range start {range[:2]} is after its end {range[2:]}")
        old = self._text
        first = self._line_of(start)
        # A lone "\r" ending the previous line may merge with a "\n" that now follows it.
        if first > 0 and old[self._start(first) - 1] == "\r":
            first -= 1
        after = self._line_of(end) + 1  # first line whose text is untouched
        is_tail = after >= len(self._starts)
        scan_from = self._start(first)
        delta = len(text) - (end - start)
        new = f"{old[:start]}{text}{old[end:]}"
        scan_to = len(new) if is_tail else self._start(after) + delta
        region = [scan_from]
        region.extend(m.end() for m in _EOL.finditer(new, scan_from, scan_to))
        if not is_tail and region[-1] == scan_to:
            region.pop()  # that is the start of line ``after``, which we keep (shifted)
        self._move_shift_boundary(after)
        self._starts[first:after] = region
        self._shift_from = first + len(region)
        self._shift += delta
        self._text = new
        if self._shift_from >= len(self._starts):
            self._shift = 0

    def apply_changes(
        self,
        changes: Sequence[tuple[str, Range | None]],
        encoding: PositionEncoding,
        version: int | None = None,
    ) -> None:
        """Apply LSP content changes in order, then set ``version`` (when given).

        All or nothing: if any change is invalid the document is left as it was and DocumentEditError raised.
        """
        saved = (self._text, self._starts.copy(), self._shift_from, self._shift) if len(changes) > 1 else None
        try:
            for text, range in changes:
                self.apply_change(text, range, encoding)
        except DocumentEditError:
            if saved is not None:
                self._text, self._starts, self._shift_from, self._shift = saved
            raise
        if version is not None:
            self.version = version
