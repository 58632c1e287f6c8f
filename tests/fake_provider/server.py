"""``FakeProvider``: a real HTTP/1.1 server on 127.0.0.1 that answers like an LLM provider, for tests.

It runs its own asyncio loop on a background thread (``asyncio.start_server`` plus a minimal parser),
serves sequential requests on one keep-alive connection as httpx expects, records every request, and
notices a client that leaves in the middle of a response (``wait_for_disconnect``). Waiting is done with
``threading.Condition``; stalls end when the client leaves or the server stops, so ``stop`` never hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from tests.fake_provider.formats import Format, format_for
from tests.fake_provider.script import Reply, Request

logger = logging.getLogger(__name__)

_READ_SIZE = 65536
_MAX_HEAD = 1 << 20


class _Gone(Exception):
    """The client closed the connection before the response was complete."""


class _Connection:
    """One accepted socket with a read buffer shared by the request parser and the disconnect watcher."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ident: int) -> None:
        self.reader, self.writer, self.ident = reader, writer, ident
        self.buf = bytearray()

    async def fill(self) -> bool:
        data = await self.reader.read(_READ_SIZE)
        self.buf += data
        return bool(data)

    async def read_request(self) -> Request | None:
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            if len(self.buf) > _MAX_HEAD or not await self.fill():
                return None
        lines = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[: end + 4]
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if not await self.fill():
                return None
        body = bytes(self.buf[:length])
        del self.buf[:length]
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return Request(method, target, headers, body, parsed, self.ident)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


#: Computes the reply to a request once the scripted queue is empty (e.g. ``tests.fake_provider.oracle``).
Responder = Callable[[Request], Reply]
#: Hears ``(event, request index, time.perf_counter())`` with event "received", "ended" or "gone".
Observer = Callable[[str, int, float], None]


class FakeProvider:
    """A scripted provider endpoint; ``with FakeProvider() as fake:`` then point a client at ``fake.url``.

    Optional hooks: ``responder`` answers requests the queue does not (instead of ``default``);
    ``observer`` is told when each request arrived and when its response ended or the client left.
    """

    def __init__(
        self,
        default: Reply | None = None,
        *,
        port: int = 0,
        request_log: Path | None = None,
        responder: Responder | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.default_reply = default or Reply()
        self.responder = responder
        self.observer = observer
        self.requests: list[Request] = []
        self.port = port
        self._request_log = request_log
        self._queue: deque[Reply] = deque()
        self._cond = threading.Condition()
        self._next_request = 0
        self._disconnects = 0
        self._seen_disconnects = 0
        self._ids = itertools.count(1)
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._start_error: BaseException | None = None
        self._holds: dict[str, asyncio.Event] = {}

    @property
    def url(self) -> str:
        """The OpenAI-style base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def disconnects(self) -> int:
        """How many times a client left in the middle of a response."""
        with self._cond:
            return self._disconnects

    def respond_with(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order; ``default_reply`` answers once they are used up."""
        with self._cond:
            self._queue.extend(replies)

    def wait_for_request(self, timeout: float) -> Request:
        """The next request not yet returned by this method; ``TimeoutError`` if none arrives in time."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) > self._next_request, timeout):
                raise TimeoutError(f"no request within {timeout}s")
            self._next_request += 1
            return self.requests[self._next_request - 1]

    def wait_for_disconnect(self, timeout: float) -> bool:
        """True once a client has left mid-response (each disconnect is reported once); False on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._disconnects > self._seen_disconnects, timeout):
                return False
            self._seen_disconnects += 1
            return True

    def release(self, name: str) -> None:
        """Let the replies held under ``name`` (``Reply.hold``) go on, now and from now on."""
        loop = self._loop
        assert loop is not None, "release() needs a started fake"
        loop.call_soon_threadsafe(lambda: self._hold(name).set())

    def _hold(self, name: str) -> asyncio.Event:
        return self._holds.setdefault(name, asyncio.Event())

    def start(self) -> FakeProvider:
        """Start serving; returns once the port is bound."""
        self._thread = threading.Thread(target=self._run, name="fake-provider", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            raise self._start_error
        return self

    def stop(self) -> None:
        """Close every connection (ending stalls) and the listener, then end the thread."""
        loop, thread, self._thread = self._loop, self._thread, None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported by start()
            self._start_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _record(self, request: Request) -> int:
        with self._cond:
            self.requests.append(request)
            index = len(self.requests) - 1
            self._cond.notify_all()
        if self._request_log is not None:
            with self._request_log.open("a", encoding="utf-8") as log:
                log.write(json.dumps(request.as_json()) + "\n")
        return index

    def _next_reply(self, request: Request) -> Reply:
        with self._cond:
            if self._queue:
                return self._queue.popleft()
        return self.default_reply if self.responder is None else self.responder(request)

    def _observe(self, event: str, index: int) -> None:
        if self.observer is not None:
            self.observer(event, index, time.perf_counter())

    def _note_disconnect(self) -> None:
        with self._cond:
            self._disconnects += 1
            self._cond.notify_all()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = _Connection(reader, writer, next(self._ids))
        try:
            while (request := await conn.read_request()) is not None:
                index = self._record(request)
                self._observe("received", index)
                keep, gone = await self._respond(conn, request, self._next_reply(request))
                self._observe("gone" if gone else "ended", index)
                if not keep:
                    break
        except (asyncio.CancelledError, ConnectionError):
            pass
        except Exception:
            logger.exception("fake provider: handler failed")
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _respond(self, conn: _Connection, request: Request, reply: Reply) -> tuple[bool, bool]:
        """Answer one request: (keep the connection open, the client left before the end)."""
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch(conn, gone))
        keep = request.headers.get("connection", "").lower() != "close"
        try:
            if reply.hold is not None:
                await _until(self._hold(reply.hold), gone)
            await _pause(gone, reply.delay_before_s)
            fmt = format_for(request.path)
            if reply.status != 200 or reply.error_body is not None:
                await _send_whole(conn, reply.status, reply.error_body, reply.headers)
            elif fmt is None:
                await _send_whole(conn, 404, {"error": {"message": f"no route {request.path}"}}, None)
            elif not (isinstance(request.json, dict) and request.json.get("stream") is True):
                await _send_whole(conn, 200, fmt.body(reply), reply.headers)
            else:
                return await _stream(conn, fmt, reply, request, gone) and keep, False
            return keep, False
        except (_Gone, ConnectionError):
            self._note_disconnect()
            return False, True
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


async def _watch(conn: _Connection, gone: asyncio.Event) -> None:
    """Set ``gone`` when the client closes its side while a response is in progress."""
    with contextlib.suppress(ConnectionError, OSError):
        while await conn.fill():
            pass
    gone.set()


async def _until(event: asyncio.Event, gone: asyncio.Event) -> None:
    """Wait for ``event`` unless the client leaves first (then raise ``_Gone``)."""
    waits = {asyncio.ensure_future(event.wait()), asyncio.ensure_future(gone.wait())}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
    if not event.is_set():
        raise _Gone


async def _pause(gone: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds`` unless the client leaves first (then raise ``_Gone``)."""
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gone.wait(), seconds)
    if gone.is_set():
        raise _Gone


async def _send_whole(conn: _Connection, status: int, body: object, headers: object) -> None:
    if body is None:
        body = {"error": {"message": f"fake error {status}", "type": "fake_error", "code": None}}
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    kind = "text/plain" if isinstance(body, str) else "application/json"
    extra = dict(headers) if isinstance(headers, dict) else {}
    await conn.send(_head(status, {"content-type": kind, "content-length": str(len(raw)), **extra}) + raw)


def _head(status: int, headers: dict[str, str]) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    lines = [f"HTTP/1.1 {status} {phrase}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


async def _stream(
    conn: _Connection, fmt: Format, reply: Reply, request: Request, gone: asyncio.Event
) -> bool:
    """Stream the reply's frames with its faults; False when the connection was closed."""
    chunked = reply.framing == "chunked"
    framing = {"transfer-encoding": "chunked"} if chunked else {"connection": "close"}
    base = {"content-type": fmt.content_type, "cache-control": "no-cache", **framing}
    await conn.send(_head(200, {**base, **dict(reply.headers or {})}))

    async def write(data: bytes) -> None:
        if gone.is_set():
            raise _Gone
        size = reply.write_size or len(data) or 1
        for start in range(0, len(data), size):
            piece = data[start : start + size]
            await conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)

    eol = "\r\n" if reply.crlf else "\n"
    if fmt.content_type == "text/event-stream":  # NDJSON has no comments
        for comment in reply.comments:
            await write(f": {comment}{eol}{eol}".encode())
    frames = fmt.stream(reply, request.json)
    for frame in frames:
        if frame.lead:
            await write(frame.data)
    pieces = [f for f in frames if f.text]
    n = len(pieces)
    stall_at = None if reply.stall_after_chunks is None else min(reply.stall_after_chunks, n)
    drop_at = None if reply.drop_after_chunks is None else min(reply.drop_after_chunks, n)
    error_at = None
    if reply.mid_stream_error is not None:
        error_at = n if reply.error_after_chunks is None else min(reply.error_after_chunks, n)
    for i in range(n + 1):
        if i == stall_at:
            await gone.wait()
            raise _Gone
        if i == drop_at:
            conn.writer.close()
            return False
        if i == error_at and reply.mid_stream_error is not None:
            await write(fmt.error_frame(reply.mid_stream_error, reply.crlf))
            return await _end(conn, chunked)
        if i == n:
            break
        if i:
            await _pause(gone, reply.delay_between_s)
        await write(pieces[i].data)
    for frame in frames:
        if not frame.text and not frame.lead:
            await write(frame.data)
    return await _end(conn, chunked)


async def _end(conn: _Connection, chunked: bool) -> bool:
    """Finish the body: the last chunk, or closing the connection for close-delimited framing."""
    if chunked:
        await conn.send(b"0\r\n\r\n")
        return True
    conn.writer.close()
    return False
