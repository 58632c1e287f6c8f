"""An open text document: exact text, LSP positions in UTF-8/16/32, incremental edits.

Pure: no I/O. Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (and nothing else: U+2028, form feed... are text).
A position never points between ``\\r`` and ``\\n``; a character past a line's end clamps to that end.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

Range = tuple[int, int, int, int]
_EOL = re.compile("(\r\n|\r|\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        return len(prefix.encode("utf-16-le", "surrogatepass")) // 2
    return len(prefix.encode("utf-8", "surrogatepass"))


def _index(line: str, column: int, encoding: PositionEncoding) -> int:
    """The string index ``column`` units into ``line``; mid-character rounds down, past the end clamps."""
    prefix = line[:column]  # every character takes at least one unit, so the answer lies in here
    if column <= 0 or encoding is PositionEncoding.UTF32 or prefix.isascii():
        return len(prefix)
    if encoding is PositionEncoding.UTF16:
        data = prefix.encode("utf-16-le", "surrogatepass")
        if len(data) <= 2 * column:
            return len(prefix)
        if _SURROGATE.search(prefix) is None:  # else decoding could pair up separate surrogate chars
            cut = 2 * column
            if 0xD8 <= data[cut - 1] <= 0xDB:  # cut after a high surrogate: inside a pair
                cut -= 2
            return len(data[:cut].decode("utf-16-le"))
        units = 0
        for index, char in enumerate(prefix):
            units += 2 if char > "\uffff" else 1
            if units > column:
                return index
        return len(prefix)
    data = prefix.encode("utf-8", "surrogatepass")
    if len(data) <= column:
        return len(prefix)
    cut = column
    while data[cut] & 0xC0 == 0x80:  # a continuation byte: back up to the character's first byte
        cut -= 1
    return len(data[:cut].decode("utf-8", "surrogatepass"))


def _split(text: str) -> tuple[list[str], list[int]]:
    """Lines with their terminators (the last has none, maybe empty) and their start offsets."""
    parts = _EOL.split(text)  # content, terminator, content, ..., content
    lines = [content + eol for content, eol in zip(parts[0:-1:2], parts[1::2], strict=True)]
    lines.append(parts[-1])
    return lines, [0, *accumulate(map(len, lines[:-1]))]


def _content(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


class Document:
    """The text of one open document, kept as a list of lines so an edit costs O(edited lines).

    ``text`` is joined on first read after an edit and cached. Line starts from index ``_shift_from`` on are
    stored ``_shift`` too small: an edit shifts every later line, and deferring that shift makes repeated
    edits near one place cost O(lines touched), not O(lines).
    """

    def __init__(self, uri: str, text: str, version: int = 0, language_id: str = "") -> None:
        self.uri = uri
        self.version = version
        self.language_id = language_id
        self._reset(text)

    def _reset(self, text: str) -> None:
        self._text: str | None = text
        self._length = len(text)
        self._lines, self._starts = _split(text)
        self._shift_from = len(self._starts)
        self._shift = 0

    @property
    def text(self) -> str:
        """The exact current text (read-only: change it with :meth:`apply_change`)."""
        if self._text is None:
            self._text = "".join(self._lines)
        return self._text

    @property
    def length(self) -> int:
        """The length of :attr:`text` in characters, without joining it."""
        return self._length

    @property
    def line_count(self) -> int:
        """Number of lines; text ending with a terminator has an empty last line, and "" has one line."""
        return len(self._lines)

    def _start(self, line: int) -> int:
        start = self._starts[line]
        return start + self._shift if line >= self._shift_from else start

    def line_text(self, line: int) -> str:
        """The text of ``line`` without its terminator; IndexError when the line does not exist."""
        if not 0 <= line < len(self._lines):
            raise IndexError(f"line {line} out of range 0..{len(self._lines) - 1}")
        return _content(self._lines[line])

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
        if line < 0 or character < 0 or line >= len(self._lines):
            return None
        return self._start(line) + _index(_content(self._lines[line]), character, encoding)

    def position_at(self, offset: int, encoding: PositionEncoding) -> tuple[int, int]:
        """The (line, character) of an index into :attr:`text`, clamped into the text.

        An offset inside a line terminator maps to the end of that line.
        """
        offset = min(max(offset, 0), self._length)
        line = self._line_of(offset)
        prefix = _content(self._lines[line])[: offset - self._start(line)]
        return line, _units(prefix, encoding)

    def prefix_suffix(self, offset: int, limit: int | None = None) -> tuple[str, str]:
        """The text before and after ``offset`` (clamped into the text).

        With ``limit``, at most that many characters on each side, without joining the whole document.
        """
        offset = min(max(offset, 0), self._length)
        if limit is None:
            return self.text[:offset], self.text[offset:]
        line = self._line_of(offset)
        column = offset - self._start(line)
        before, after = [self._lines[line][:column]], [self._lines[line][column:]]
        size, index = len(before[0]), line
        while size < limit and index > 0:
            index -= 1
            before.append(self._lines[index])
            size += len(self._lines[index])
        size, index = len(after[0]), line
        while size < limit and index + 1 < len(self._lines):
            index += 1
            after.append(self._lines[index])
            size += len(self._lines[index])
        return "".join(reversed(before))[-limit:] if limit > 0 else "", "".join(after)[:limit]

    def _edit_offset(self, line: int, character: int, encoding: PositionEncoding) -> int:
        if line < 0 or character < 0:
            raise DocumentEditError(f"negative position ({line}, {character})")
        offset = self.offset_at(line, character, encoding)
        return self._length if offset is None else offset

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
        first = self._line_of(start)
        if first > 0 and self._lines[first - 1].endswith("\r"):  # that lone "\r" may pair with a new "\n"
            first -= 1
        stop = self._line_of(end) + 1  # lines from ``stop`` on keep their text
        base = self._start(first)
        old = "".join(self._lines[first:stop])
        lines, starts = _split(f"{old[: start - base]}{text}{old[end - base :]}")
        if stop < len(self._lines):  # the edited text ends with the old terminator of line stop - 1
            lines.pop()
            starts.pop()
        self._move_shift_boundary(stop)
        self._lines[first:stop] = lines
        self._starts[first:stop] = [base + s for s in starts]
        delta = len(text) - (end - start)
        self._shift_from = first + len(lines)
        self._shift = self._shift + delta if self._shift_from < len(self._starts) else 0
        self._length += delta
        self._text = None

    def _snapshot(self) -> tuple[str | None, int, list[str], list[int], int, int]:
        lines, starts = self._lines.copy(), self._starts.copy()
        return self._text, self._length, lines, starts, self._shift_from, self._shift

    def apply_changes(
        self,
        changes: Sequence[tuple[str, Range | None]],
        encoding: PositionEncoding,
        version: int | None = None,
    ) -> None:
        """Apply LSP content changes in order, then set ``version`` (when given).

        All or nothing: if any change is invalid the document is left as it was and DocumentEditError raised.
        """
        # A failing change raises before it mutates anything, so a single change needs no snapshot.
        saved = self._snapshot() if len(changes) > 1 else None
        try:
            for text, range in changes:
                self.apply_change(text, range, encoding)
        except DocumentEditError:
            if saved is not None:
                self._text, self._length, self._lines, self._starts, self._shift_from, self._shift = saved
            raise
        if version is not None:
            self.version = version
