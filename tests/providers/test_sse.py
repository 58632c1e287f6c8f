"""The SSE decoder: table cases, and one fixture stream split at every byte and fed byte by byte."""

from __future__ import annotations

import pytest

from lsp_complete.providers.sse import SSEDecoder, SSEEvent

FIXTURE = (
    "\ufeff: keep-alive\r\n\r\n".encode()
    + 'data: {"t": "hé"}\r\n\r\n'.encode()
    + "data: 😀 漢字\n\n".encode()
    + b"event: delta\ndata: line1\ndata: line2\nid: 7\n\n"
    + b"data:no-space\r\rdata:  two spaces\r\n\r\n"
    + b": OPENROUTER PROCESSING\n"
    + b"retry: 100\nunknown: x\ndata: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent("message", '{"t": "hé"}', None),
    SSEEvent("message", "😀 漢字", None),
    SSEEvent("delta", "line1\nline2", "7"),
    SSEEvent("message", "no-space", "7"),
    SSEEvent("message", " two spaces", "7"),
    SSEEvent("message", "[DONE]", "7"),
]


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.flush()


def test_fixture_in_one_chunk() -> None:
    assert decode([FIXTURE]) == EXPECTED


@pytest.mark.parametrize("cut", range(len(FIXTURE) + 1))
def test_fixture_split_at_every_byte(cut: int) -> None:
    assert decode([FIXTURE[:cut], FIXTURE[cut:]]) == EXPECTED


def test_fixture_fed_byte_by_byte() -> None:
    assert decode([FIXTURE[i : i + 1] for i in range(len(FIXTURE))]) == EXPECTED


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        pytest.param([b"data: a\n\n"], [SSEEvent(data="a")], id="lf"),
        pytest.param([b"data: a\r\n\r\n"], [SSEEvent(data="a")], id="crlf"),
        pytest.param([b"data: a\r\r"], [SSEEvent(data="a")], id="cr"),
        pytest.param([b"data: a\r", b"\n\r", b"\n"], [SSEEvent(data="a")], id="crlf-split-twice"),
        pytest.param([b"data: a\r", b"\ndata: b\n\n"], [SSEEvent(data="a\nb")], id="cr-then-lf-is-one-eol"),
        pytest.param([b"data\n\n"], [SSEEvent(data="")], id="field-without-colon"),
        pytest.param([b"data:\ndata:\n\n"], [SSEEvent(data="\n")], id="empty-data-lines"),
        pytest.param([b"event: ping\n\n"], [], id="event-without-data-not-dispatched"),
        pytest.param([b": only a comment\n\n"], [], id="comment-only"),
        pytest.param([b"data: tail"], [SSEEvent(data="tail")], id="flush-dispatches-unterminated"),
        pytest.param([b"data: a\n", b"\n"], [SSEEvent(data="a")], id="blank-line-in-next-chunk"),
        pytest.param([b"id: 1\0x\ndata: a\n\n"], [SSEEvent(data="a")], id="id-with-nul-ignored"),
        pytest.param(
            [b"id: 3\ndata: a\n\nid\ndata: b\n\n"],
            [SSEEvent(data="a", id="3"), SSEEvent(data="b", id="")],
            id="empty-id-resets",
        ),
        pytest.param(
            ["data: ▁｜\n\n".encode()[:7], "data: ▁｜\n\n".encode()[7:]],
            [SSEEvent(data="▁｜")],
            id="split-inside-multibyte",
        ),
        pytest.param([b"data: \xff\n\n"], [SSEEvent(data="\ufffd")], id="invalid-utf8-replaced"),
        pytest.param([b"data: a\n\ndata: b\n\n"], [SSEEvent(data="a"), SSEEvent(data="b")], id="two-events"),
        pytest.param(
            [b"event: error\ndata: {}\n\ndata: x\n\n"],
            [SSEEvent("error", "{}"), SSEEvent("message", "x")],
            id="event-name-resets",
        ),
    ],
)
def test_table(chunks: list[bytes], expected: list[SSEEvent]) -> None:
    assert decode(chunks) == expected
