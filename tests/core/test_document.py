"""Tables for positions and edits in core.document, and a seeded random comparison with a naive model."""

from __future__ import annotations

import random
import re

import pytest

from lsp_complete.core.document import Document, DocumentEditError, PositionEncoding

U8, U16, U32 = PositionEncoding.UTF8, PositionEncoding.UTF16, PositionEncoding.UTF32
ALL = [U8, U16, U32]


# -- a naive reference: rebuild the line table from scratch, count units one character at a time ----------


def _unit(ch: str, encoding: PositionEncoding) -> int:
    if encoding is U16:
        return 2 if ord(ch) > 0xFFFF else 1
    if encoding is U8:
        return len(ch.encode("utf-8", "surrogatepass"))
    return 1


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end before terminator) for every line."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    ends = [m.start() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text)]
    return list(zip(starts, ends, strict=True))


def naive_offset(text: str, line: int, character: int, encoding: PositionEncoding) -> int | None:
    lines = _lines(text)
    if line >= len(lines):
        return None
    start, end = lines[line]
    units = 0
    for index in range(start, end):
        units += _unit(text[index], encoding)
        if units > character:
            return index
    return end


def naive_position(text: str, offset: int, encoding: PositionEncoding) -> tuple[int, int]:
    for line, (start, end) in reversed(list(enumerate(_lines(text)))):
        if start <= offset:
            return line, sum(_unit(ch, encoding) for ch in text[start : min(offset, end)])
    raise AssertionError("unreachable")


def naive_apply(text: str, new: str, rng: tuple[int, int, int, int], encoding: PositionEncoding) -> str:
    start = naive_offset(text, rng[0], rng[1], encoding)
    end = naive_offset(text, rng[2], rng[3], encoding)
    start = len(text) if start is None else start
    end = len(text) if end is None else end
    assert start <= end
    return text[:start] + new + text[end:]


# -- conversion tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "line", "character", "offset"),
    [
        pytest.param("a😀b", U16, 0, 1, 1, id="utf16-before-emoji"),
        pytest.param("a😀b", U16, 0, 2, 1, id="utf16-mid-surrogate-rounds-down"),
        pytest.param("a😀b", U16, 0, 3, 2, id="utf16-after-emoji"),
        pytest.param("a😀b", U16, 0, 4, 3, id="utf16-eol"),
        pytest.param("a😀b", U16, 0, 99, 3, id="utf16-past-eol-clamps"),
        pytest.param("a😀b", U8, 0, 3, 1, id="utf8-mid-emoji-rounds-down"),
        pytest.param("a😀b", U8, 0, 5, 2, id="utf8-after-emoji"),
        pytest.param("a😀b", U32, 0, 2, 2, id="utf32-code-points"),
        pytest.param("漢字", U8, 0, 3, 1, id="utf8-cjk"),
        pytest.param("漢字", U8, 0, 5, 1, id="utf8-cjk-mid"),
        pytest.param("漢字", U16, 0, 1, 1, id="utf16-cjk"),
        pytest.param("e\u0301x", U16, 0, 1, 1, id="combining-mark-is-its-own-unit"),
        pytest.param("e\u0301x", U8, 0, 3, 2, id="utf8-combining-mark-two-bytes"),
        pytest.param("x\r\ny", U16, 0, 1, 1, id="crlf-line-end"),
        pytest.param("x\r\ny", U16, 0, 2, 1, id="crlf-never-between-cr-and-lf"),
        pytest.param("x\r\ny", U16, 1, 0, 3, id="crlf-next-line"),
        pytest.param("x\r\ny", U16, 2, 0, None, id="line-past-last-is-none"),
        pytest.param("x\ry\nz", U32, 2, 1, 5, id="lone-cr-ends-a-line"),
        pytest.param("x\n", U16, 1, 0, 2, id="empty-last-line"),
        pytest.param("a\u2028b", U16, 0, 2, 2, id="u2028-is-not-a-terminator"),
        pytest.param("😀😀x", U16, 0, 3, 1, id="utf16-second-pair-mid"),
        pytest.param("😀😀x", U16, 0, 5, 3, id="utf16-after-pairs"),
        pytest.param("\ud800😀", U16, 0, 2, 1, id="utf16-mid-pair-after-lone-surrogate"),
        pytest.param("\ud800x", U16, 0, 1, 1, id="lone-surrogate-one-utf16-unit"),
        pytest.param("\ud800x", U8, 0, 3, 1, id="lone-surrogate-three-utf8-bytes"),
        pytest.param("\ud800x", U8, 0, 2, 0, id="lone-surrogate-mid-rounds-down"),
        pytest.param("\ud83d\ude00", U16, 0, 1, 1, id="split-surrogates-are-two-chars"),
        pytest.param("ab", U16, -1, 0, None, id="negative-line"),
        pytest.param("", U8, 0, 5, 0, id="empty-text"),
    ],
)
def test_offset_at(
    text: str, encoding: PositionEncoding, line: int, character: int, offset: int | None
) -> None:
    assert Document("file:///t", text).offset_at(line, character, encoding) == offset


@pytest.mark.parametrize(
    ("text", "encoding", "offset", "position"),
    [
        pytest.param("a😀b", U16, 2, (0, 3), id="utf16-after-emoji"),
        pytest.param("a😀b", U8, 2, (0, 5), id="utf8-after-emoji"),
        pytest.param("a😀b", U32, 3, (0, 3), id="utf32-eol"),
        pytest.param("漢字", U8, 2, (0, 6), id="utf8-cjk"),
        pytest.param("e\u0301", U16, 2, (0, 2), id="combining"),
        pytest.param("e\u0301", U8, 2, (0, 3), id="utf8-combining"),
        pytest.param("x\r\ny", U16, 2, (0, 1), id="between-cr-and-lf-clamps-to-line-end"),
        pytest.param("x\r\ny", U16, 3, (1, 0), id="after-crlf"),
        pytest.param("x\r\n", U16, 3, (1, 0), id="eof-after-crlf"),
        pytest.param("x\r\ny", U16, 99, (1, 1), id="past-eof-clamps"),
        pytest.param("x\r\ny", U16, -4, (0, 0), id="negative-clamps"),
        pytest.param("\ud800", U16, 1, (0, 1), id="lone-surrogate-utf16"),
        pytest.param("\ud800", U8, 1, (0, 3), id="lone-surrogate-utf8"),
    ],
)
def test_position_at(text: str, encoding: PositionEncoding, offset: int, position: tuple[int, int]) -> None:
    assert Document("file:///t", text).position_at(offset, encoding) == position


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", [""]),
        ("a\n", ["a", ""]),
        ("a\r\nb\rc\n\n", ["a", "b", "c", "", ""]),
        ("\r\r\n\n", ["", "", "", ""]),
        ("a\u2028b\x0cc\x85", ["a\u2028b\x0cc\x85"]),
    ],
)
def test_lines(text: str, lines: list[str]) -> None:
    doc = Document("file:///t", text)
    assert doc.line_count == len(lines)
    assert [doc.line_text(i) for i in range(doc.line_count)] == lines
    with pytest.raises(IndexError):
        doc.line_text(len(lines))


# -- edit tables --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "rng", "new", "after", "line_count"),
    [
        pytest.param("abc", (0, 1, 0, 2), "X", "aXc", 1, id="replace"),
        pytest.param("abc", (0, 3, 0, 3), "\n", "abc\n", 2, id="newline-at-eof"),
        pytest.param("ab\ncd", (0, 10, 0, 10), "!", "ab!\ncd", 2, id="char-past-eol-clamps"),
        pytest.param("ab\r\ncd", (0, 5, 1, 0), "", "abcd", 1, id="join-crlf-lines"),
        pytest.param("ab", (5, 0, 9, 9), "x", "abx", 1, id="lines-past-eof-clamp-to-end"),
        pytest.param("ab", (0, 1, 7, 0), "", "a", 1, id="delete-to-past-eof"),
        pytest.param("a\rX\nb", (1, 0, 1, 1), "", "a\r\nb", 2, id="deletion-merges-cr-and-lf"),
        pytest.param("a\rb", (1, 0, 1, 0), "\n", "a\r\nb", 2, id="insert-lf-after-cr-merges"),
        pytest.param("a\nb", (0, 1, 0, 1), "\r", "a\r\nb", 2, id="insert-cr-before-lf-merges"),
        pytest.param("a\r\nb", (0, 1, 0, 1), "\r", "a\r\r\nb", 3, id="insert-cr-before-crlf"),
        pytest.param("x😀y", (0, 0, 0, 2), "", "😀y", 1, id="utf16-mid-pair-range-rounds-down"),
        pytest.param("", (0, 0, 0, 0), "a\r\nb\n", "a\r\nb\n", 3, id="insert-into-empty"),
        pytest.param("a\nb\nc", (0, 0, 2, 1), "z", "z", 1, id="replace-everything"),
    ],
)
def test_apply_change(
    before: str, rng: tuple[int, int, int, int], new: str, after: str, line_count: int
) -> None:
    doc = Document("file:///t", before)
    doc.apply_change(new, rng, U16)
    assert doc.text == after
    assert doc.line_count == line_count
    assert [doc.offset_at(i, 0, U16) for i in range(line_count)] == [s for s, _ in _lines(after)]


@pytest.mark.parametrize(
    "rng",
    [
        pytest.param((0, 2, 0, 1), id="reversed-chars"),
        pytest.param((1, 0, 0, 0), id="reversed-lines"),
        pytest.param((-1, 0, 0, 0), id="negative-line"),
        pytest.param((0, 0, 0, -1), id="negative-char"),
    ],
)
def test_invalid_edit_raises_and_changes_nothing(rng: tuple[int, int, int, int]) -> None:
    doc = Document("file:///t", "abc\ndef", version=3)
    with pytest.raises(DocumentEditError):
        doc.apply_change("X", rng, U16)
    assert doc.text == "abc\ndef"


def test_apply_changes_is_all_or_nothing() -> None:
    doc = Document("file:///t", "abc\ndef\n", version=1)
    doc.apply_change("ZZ\n", (0, 0, 0, 0), U16)  # leaves a deferred shift of the later lines behind
    with pytest.raises(DocumentEditError):
        doc.apply_changes([("1\n2\n", (3, 0, 3, 0)), ("x", (1, 1, 0, 0))], U16, version=2)
    assert (doc.text, doc.version, doc.line_count) == ("ZZ\nabc\ndef\n", 1, 4)
    assert doc.position_at(7, U16) == (2, 0)
    doc.apply_changes([("1\n", (1, 0, 1, 0)), ("!", (4, 0, 4, 0)), ("whole", None)], U16, version=5)
    assert (doc.text, doc.version, doc.line_count) == ("whole", 5, 1)
    doc.apply_changes([("\n+", (0, 5, 0, 5))], U16, version=6)
    assert (doc.text, doc.line_text(1)) == ("whole\n+", "+")


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        pytest.param(3, None, ("ab\n", "cd\r\nef"), id="whole"),
        pytest.param(-1, None, ("", "ab\ncd\r\nef"), id="negative-clamps"),
        pytest.param(50, None, ("ab\ncd\r\nef", ""), id="past-end-clamps"),
        pytest.param(4, 2, ("\nc", "d\r"), id="limit-crosses-lines"),
        pytest.param(4, 100, ("ab\nc", "d\r\nef"), id="limit-larger-than-text"),
        pytest.param(4, 0, ("", ""), id="limit-zero"),
        pytest.param(9, 3, ("\nef", ""), id="limit-at-eof"),
    ],
)
def test_prefix_suffix(offset: int, limit: int | None, expected: tuple[str, str]) -> None:
    doc = Document("file:///t", "ab\ncd\r\nef")
    assert doc.prefix_suffix(offset, limit) == expected


# -- random edits against the naive model ----------------------------------------------------------------

PIECES = [
    *("a", "bc", " ", "def", "😀", "𝔘", "漢字", "e\u0301"),
    *("\n", "\r\n", "\r", "\ud800", "\udc00", "\u2028"),
]


def _random_text(rand: random.Random, pieces: int) -> str:
    return "".join(rand.choice(PIECES) for _ in range(pieces))


def _random_position(rand: random.Random, doc: Document) -> tuple[int, int]:
    roll = rand.random()
    if roll < 0.05:
        return doc.line_count + rand.randrange(3), rand.randrange(5)  # past the last line
    line = doc.line_count - 1 if roll < 0.15 else rand.randrange(doc.line_count)
    return line, rand.randrange(len(doc.line_text(line)) * 4 + 3)  # sometimes past the line end


@pytest.mark.parametrize("encoding", ALL, ids=lambda e: e.value)
def test_random_edits_match_naive_model(encoding: PositionEncoding) -> None:
    rand = random.Random(f"document-{encoding.value}")
    text = "\n".join(_random_text(rand, rand.randrange(12)) for _ in range(5000))
    doc = Document("file:///big", text)
    for step in range(1000):
        (l1, c1), (l2, c2) = sorted([_random_position(rand, doc), _random_position(rand, doc)])
        if rand.random() < 0.1:
            l1, c1 = l2, c2 = doc.line_count, 0  # insert at the very end
        new = _random_text(rand, rand.choice([0, 1, 1, 2, 5]))
        start = naive_offset(text, l1, c1, encoding)
        end = naive_offset(text, l2, c2, encoding)
        if start is not None and end is not None and start > end:
            with pytest.raises(DocumentEditError):
                doc.apply_change(new, (l1, c1, l2, c2), encoding)
            continue
        text = naive_apply(text, new, (l1, c1, l2, c2), encoding)
        doc.apply_change(new, (l1, c1, l2, c2), encoding)
        assert doc.text == text, f"step {step}"
        assert doc.line_count == len(_lines(text))
        line, character = _random_position(rand, doc)
        assert doc.offset_at(line, character, encoding) == naive_offset(text, line, character, encoding)
        offset = rand.randrange(len(text) + 1)
        assert doc.position_at(offset, encoding) == naive_position(text, offset, encoding)
    starts = [s for s, _ in _lines(text)]
    assert [doc.offset_at(i, 0, encoding) for i in range(doc.line_count)] == starts
    assert [doc.line_text(i) for i in range(doc.line_count)] == [text[s:e] for s, e in _lines(text)]
    for _ in range(50):
        offset, limit = rand.randrange(len(text) + 1), rand.randrange(200)
        expected = (text[max(0, offset - limit) : offset], text[offset : offset + limit])
        assert doc.prefix_suffix(offset, limit) == expected
