"""Conversions between lsprotocol types and our plain values (offsets, edits, completions)."""

from __future__ import annotations

from lsprotocol import types

from lsp_complete.core.document import Document, PositionEncoding
from lsp_complete.engine import Completion

_ENCODINGS = {
    types.PositionEncodingKind.Utf8: PositionEncoding.UTF8,
    types.PositionEncodingKind.Utf16: PositionEncoding.UTF16,
    types.PositionEncodingKind.Utf32: PositionEncoding.UTF32,
}

Change = tuple[str, tuple[int, int, int, int] | None]


def encoding_of(kind: types.PositionEncodingKind | str | None) -> PositionEncoding:
    """Our encoding for a negotiated ``PositionEncodingKind`` (UTF-16 when absent or unknown)."""
    if kind is None:
        return PositionEncoding.UTF16
    try:
        return _ENCODINGS[types.PositionEncodingKind(kind)]
    except ValueError:
        return PositionEncoding.UTF16


def content_change(change: types.TextDocumentContentChangeEvent) -> Change:
    """An LSP content change as (text, range or None for a full replacement)."""
    if isinstance(change, types.TextDocumentContentChangePartial):
        r = change.range
        return change.text, (r.start.line, r.start.character, r.end.line, r.end.character)
    return change.text, None


def offset_of(doc: Document, position: types.Position, encoding: PositionEncoding) -> int | None:
    """A position as an offset into the document text, or None when the line does not exist."""
    return doc.offset_at(position.line, position.character, encoding)


def position_of(doc: Document, offset: int, encoding: PositionEncoding) -> types.Position:
    """An offset into the document text as an LSP position."""
    line, character = doc.position_at(offset, encoding)
    return types.Position(line=line, character=character)


def range_of(doc: Document, start: int, end: int, encoding: PositionEncoding) -> types.Range:
    """Offsets ``start``..``end`` as an LSP range."""
    return types.Range(start=position_of(doc, start, encoding), end=position_of(doc, end, encoding))


def inline_list(
    doc: Document, completions: list[Completion], encoding: PositionEncoding
) -> types.InlineCompletionList:
    """Inline (ghost text) items; each range covers exactly the text it replaces."""
    items = [
        types.InlineCompletionItem(
            insert_text=c.text,
            range=range_of(doc, c.start, c.end, encoding),
            command=types.Command(title="accepted", command="lspComplete.accepted", arguments=[c.id]),
        )
        for c in completions
    ]
    return types.InlineCompletionList(items=items)


def _word_start(text: str, offset: int) -> int:
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start


def completion_list(
    doc: Document, completions: list[Completion], encoding: PositionEncoding
) -> types.CompletionList:
    """Menu items whose textEdit covers the word being typed plus what the completion replaces.

    Starting the edit at the word's start lets clients filter the item against what the user typed.
    """
    items = []
    text = doc.text
    for index, c in enumerate(completions):
        start = _word_start(text, c.start)
        new_text = text[start : c.start] + c.text
        first_line = new_text.strip().splitlines()[0] if new_text.strip() else new_text
        items.append(
            types.CompletionItem(
                label=first_line[:80],
                kind=types.CompletionItemKind.Text,
                detail=f"lsp-complete ({c.source})",
                documentation=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=f"```\n{new_text}\n```"
                ),
                filter_text=new_text,
                sort_text=f"0{index:03d}",
                preselect=index == 0,
                text_edit=types.TextEdit(range=range_of(doc, start, c.end, encoding), new_text=new_text),
                insert_text_format=types.InsertTextFormat.PlainText,
                command=types.Command(title="accepted", command="lspComplete.accepted", arguments=[c.id]),
            )
        )
    return types.CompletionList(is_incomplete=True, items=items)
