"""The base-protocol reader: headers and bodies off a byte stream, handed to the JSON-RPC protocol.

pygls's own loop matches ``Content-Length`` case-sensitively and loses its place for good on a lower-case
header; this one reads header names case-insensitively, answers unparsable JSON with a ParseError, and
skips a message whose length header is missing or wrong instead of stopping.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Awaitable
from typing import Protocol

from pygls.exceptions import JsonRpcException, JsonRpcParseError
from pygls.protocol import JsonRPCProtocol

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024 * 1024


class AsyncReader(Protocol):
    """What the loop reads from (pygls's StdinAsyncReader or an asyncio.StreamReader)."""

    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


def parse_headers(lines: list[bytes]) -> dict[str, str]:
    """Header lines (without the blank separator) to a dict with lower-case names."""
    headers: dict[str, str] = {}
    for raw in lines:
        name, sep, value = raw.decode("ascii", "replace").partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


def content_length(headers: dict[str, str]) -> int | None:
    """The body length a header block announces, or None when it is absent or not a sane number."""
    value = headers.get("content-length", "")
    if not value.isdigit():
        return None
    length = int(value)
    return length if 0 < length <= MAX_BODY_BYTES else None


async def read_messages(stop_event: threading.Event, reader: AsyncReader, protocol: JsonRPCProtocol) -> None:
    """Read framed messages until end of input or until ``stop_event`` is set."""
    while not stop_event.is_set():
        header_lines: list[bytes] = []
        while True:
            line = await reader.readline()
            if not line:
                return
            line = line.rstrip(b"\r\n")
            if not line:
                if header_lines:
                    break
                continue  # stray blank line between messages
            header_lines.append(line)
        length = content_length(parse_headers(header_lines))
        if length is None:
            logger.error("message without a usable Content-Length header: %r", header_lines[:4])
            continue
        body = await reader.readexactly(length)
        if len(body) < length:
            return
        handle_body(body, protocol)


def handle_body(body: bytes, protocol: JsonRPCProtocol) -> None:
    """Parse one body and dispatch it; a body that is not JSON gets a ParseError answer."""
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except JsonRpcException as exc:
        # A notification (or a response) whose params could not be read: nothing to answer.
        logger.error("dropped an unreadable notification: %s", exc)
        return
    except (ValueError, UnicodeDecodeError) as exc:
        logger.error("unparsable message body (%s): %.200r", exc, body)
        protocol._send_response(None, error=JsonRpcParseError(str(exc)).to_response_error())  # type: ignore[arg-type]
        return
    try:
        protocol.handle_message(message)
    except Exception:
        logger.exception("failed to handle a message")
