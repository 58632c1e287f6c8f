"""Upstream requests in flight, per document: shared by identical requests, kept while they can still
serve the newest request, aborted (closing the HTTP stream) as soon as they cannot.

A ``Flight`` is one ``router.complete`` call running as its own task, for the document text it was built
from (``text``, cursor ``offset``). Requests await it through ``asyncio.shield`` so that one waiter going
away (superseded, ``$/cancelRequest``) never cancels the upstream call for the others; the flight is
cancelled only by ``abort``/``prune``, which closes the provider's stream (``contextlib.aclosing`` in the
router) and so the connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lsp_complete.core import reuse

logger = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["Flight", "Flights"]


@dataclass(eq=False)
class Flight(Generic[T]):
    """One upstream request: its key, the text it was asked for, its task and who wants it."""

    uri: str
    key: str
    text: str
    offset: int
    task: asyncio.Task[T | None]
    newest_gen: int  # the newest request generation waiting on it
    waiters: int = 0
    aborted: bool = field(default=False)
    speculative: bool = False  # asked ahead for an accepted suggestion: not pruned by typing

    def typed_to(self, text: str, offset: int | None) -> str | None:
        """The characters typed on since this flight was asked for, if it can still serve ``text``."""
        return reuse.typed_since(self.text, self.offset, text, offset)


class Flights(Generic[T]):
    """The flights of every document, indexed by request key for sharing."""

    def __init__(self) -> None:
        self._by_key: dict[str, Flight[T]] = {}
        self._by_doc: dict[str, list[Flight[T]]] = {}
        self.started = 0
        self.shared = 0
        self.aborted = 0

    def of(self, uri: str) -> list[Flight[T]]:
        """The flights of ``uri``, oldest first."""
        return list(self._by_doc.get(uri, ()))

    def same(self, key: str) -> Flight[T] | None:
        """The flight sending exactly ``key``, if one is running."""
        flight = self._by_key.get(key)
        return flight if flight is not None and not flight.task.done() else None

    def extendable(self, uri: str, text: str, offset: int) -> tuple[Flight[T], str] | None:
        """The newest running flight of ``uri`` whose text the user has since only typed on (non-empty)."""
        for flight in reversed(self._by_doc.get(uri, ())):
            if flight.task.done():
                continue
            typed = flight.typed_to(text, offset)
            if typed:
                return flight, typed
        return None

    def start(
        self,
        uri: str,
        key: str,
        text: str,
        offset: int,
        generation: int,
        work: Callable[[], Awaitable[T | None]],
        max_inflight: int,
    ) -> Flight[T]:
        """Start ``work`` as a new flight; first abort the oldest flights of ``uri`` beyond
        ``max_inflight - 1`` (those no current request waits for go before the others)."""
        running = [f for f in self._by_doc.get(uri, ()) if not f.task.done()]
        excess = len(running) - max(1, max_inflight) + 1
        if excess > 0:
            victims = sorted(running, key=lambda f: (f.newest_gen >= generation, f.newest_gen))
            for victim in victims[:excess]:
                self.abort(victim, "more than max_inflight requests in flight")

        async def run() -> T | None:
            return await work()

        task: asyncio.Task[T | None] = asyncio.ensure_future(run())
        flight = Flight(uri, key, text, offset, task, generation)
        self._by_key[key] = flight
        self._by_doc.setdefault(uri, []).append(flight)
        task.add_done_callback(lambda _: self._finished(flight))
        self.started += 1
        return flight

    async def wait(self, flight: Flight[T], generation: int) -> T | None:
        """The flight's result for a request of ``generation``; None when it was aborted or failed."""
        flight.waiters += 1
        flight.newest_gen = max(flight.newest_gen, generation)
        try:
            return await asyncio.shield(flight.task)
        except asyncio.CancelledError:
            if flight.task.cancelled():
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
                return None  # the flight was aborted, not this waiter
            raise
        finally:
            flight.waiters -= 1

    async def wait_unless(
        self, flight: Flight[T], generation: int, superseded: asyncio.Future[None]
    ) -> T | None:
        """``wait``, but None as soon as ``superseded`` is done (the flight runs on for the others)."""
        waiter = asyncio.ensure_future(self.wait(flight, generation))
        either: set[asyncio.Future[Any]] = {waiter, superseded}
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not waiter.done():
                waiter.cancel()
        if not waiter.done() or waiter.cancelled():
            return None
        return waiter.result()

    def abort(self, flight: Flight[T], why: str) -> None:
        """Cancel the upstream call of ``flight`` (its waiters get None)."""
        if flight.task.done() or flight.aborted:
            return
        flight.aborted = True
        self.aborted += 1
        logger.debug("aborting an upstream request for %s: %s", flight.uri, why)
        flight.task.cancel()

    def prune(
        self, uri: str, text: str, offset: int | None, generation: int, keep_typed_on: bool = True
    ) -> None:
        """Abort the flights of ``uri`` that no request of ``generation`` or newer waits for and that cannot
        serve ``text`` (with the cursor at ``offset`` when known): the user edited elsewhere, deleted,
        moved on to another line, or did not type at all since (``offset`` unknown). Without
        ``keep_typed_on`` (typing-through off) only a flight for exactly ``text`` at ``offset`` is kept."""
        for flight in list(self._by_doc.get(uri, ())):
            if flight.task.done() or flight.speculative or flight.newest_gen >= generation:
                continue
            typed = flight.typed_to(text, offset)
            if typed is None or (offset is None and not typed) or (typed and not keep_typed_on):
                self.abort(flight, "the document moved on")

    def abort_document(self, uri: str) -> None:
        """Abort every flight of a closed document."""
        for flight in list(self._by_doc.get(uri, ())):
            self.abort(flight, "document closed")

    def abort_all(self) -> None:
        """Abort everything (shutdown)."""
        for flights in list(self._by_doc.values()):
            for flight in flights:
                self.abort(flight, "shutdown")

    def _finished(self, flight: Flight[T]) -> None:
        if self._by_key.get(flight.key) is flight:
            del self._by_key[flight.key]
        flights = self._by_doc.get(flight.uri)
        if flights is not None and flight in flights:
            flights.remove(flight)
            if not flights:
                del self._by_doc[flight.uri]
        if not flight.task.cancelled() and flight.task.exception() is not None:
            logger.error("an upstream request failed: %s", flight.task.exception())
