"""Async orchestration of one completion (no LSP types); the steps live in ``lsp_complete.pipeline``.

On a request: supersede the document's older request (answered empty at once) and abort upstream calls
that cannot serve this one -> gate (``core.gate``) -> typing-through memory -> debounce (adaptive per
document, fed by ``observe_change``) -> prompt with budgets and cross-file snippets -> exact cache ->
an identical request in flight, or one the user has typed on from (kept and shared when its answer
starts with the typed characters) -> a new upstream call via ``router.complete`` (at most
``max_inflight`` per document). The engine works on a snapshot of the document taken when the request
arrived; the LSP layer drops the answer if the document changed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from lsp_complete.config import ProviderConfig, Settings, resolve_tier, tier_for_task
from lsp_complete.core import gate, request, reuse
from lsp_complete.core.local import LocalIndex
from lsp_complete.core.types import Usage
from lsp_complete.pipeline import speculation
from lsp_complete.pipeline.flights import Flight, Flights
from lsp_complete.pipeline.gating import Gatekeeper, Ticket
from lsp_complete.pipeline.memory import Memory, models_of
from lsp_complete.pipeline.prompting import Cursor, PromptBuilder
from lsp_complete.router import Answer, Router

logger = logging.getLogger(__name__)

StatusListener = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class CompletionQuery:
    """What the editor asked for: a position in a document at a version."""

    uri: str
    offset: int
    version: int
    kind: str  # "inline" | "menu"
    invoked: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The document as it was when the request arrived."""

    uri: str
    path: str
    text: str
    language_id: str


@dataclass(frozen=True, slots=True)
class Completion:
    """One suggestion: insert ``text`` in place of ``text[start:end]`` of the snapshot."""

    text: str
    start: int
    end: int
    source: str
    id: str
    latency_ms: float
    usage: Usage | None = None
    cost_usd: float | None = None


TextFn = Callable[[], str]
Candidates = tuple[tuple[ProviderConfig, str], ...]
_EVERYONE = 1 << 62  # a generation newer than any request: prune regardless of waiters


def _source(answer: Answer) -> str:
    return answer.provider if answer.provider == answer.model else f"{answer.provider}/{answer.model}"


class Engine:
    """Runs completions for a session; owns the router, the offline index and the pipeline state."""

    def __init__(self, settings: Settings, env: dict[str, str], count: Callable[[str], int]) -> None:
        self.settings = settings
        self._env = env
        self._count = count
        self.router = Router(settings, env)
        self.local = LocalIndex()
        self.local_lock = threading.Lock()
        self._shown: dict[str, str] = {}
        self._indexed: LRUCache[str, str] = LRUCache(maxsize=16)  # last text indexed per path
        self._listener: StatusListener | None = None
        self.accepted = 0
        self._background: set[asyncio.Future[None]] = set()
        self.gates = Gatekeeper(settings.completion)
        self.memory = Memory(settings.completion)
        self.flights: Flights[Answer] = Flights()
        self.prompts = PromptBuilder(count)
        self._texts: dict[str, TextFn] = {}  # uri -> the current text of an open document
        self._excluded: Callable[[str], bool] = lambda path: False
        self.speculated = 0
        self._origins: dict[str, tuple[str, str, float | None]] = {}  # uri -> last upstream answer's source

    def set_status_listener(self, listener: StatusListener | None) -> None:
        """Who hears about the tier/provider/latency after each completion."""
        self._listener = listener

    def set_exclusion(self, excluded: Callable[[str], bool]) -> None:
        """The session's verdict on which paths must never be used as context (checked at every use)."""
        self._excluded = excluded

    def set_roots(self, roots: list[str]) -> None:
        """Workspace folders: snippet headers show paths relative to them."""
        self.prompts.roots = list(roots)

    def reconfigure(self, settings: Settings) -> None:
        """Adopt new settings; providers whose configuration changed are closed in the background."""
        self.settings = settings
        self.gates.configure(settings.completion)
        self.memory.configure(settings.completion)  # answers of other models or limits must not be served
        for stale in self.router.reconfigure(settings):
            if _loop_running():
                task = asyncio.ensure_future(stale.aclose())
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    # Documents (called by the session) ---------------------------------------------------------------
    def observe_open(self, uri: str, path: str, text: TextFn, excluded: bool) -> None:
        """An opened document; ``excluded`` ones are never used as context."""
        self._texts[uri] = text
        if excluded:
            self.prompts.forget(path)
        else:
            self.prompts.note(path, text, time.monotonic())

    def observe_change(self, uri: str, path: str, text: TextFn, excluded: bool) -> None:
        """The user typed in ``uri``: feeds its debounce rhythm and aborts upstream calls it made stale."""
        now = time.monotonic()
        self._texts[uri] = text
        self.gates.keystroke(uri, now)
        if excluded:  # a secret, too large or out-of-sync copy: never context
            self.prompts.forget(path)
        else:
            self.prompts.note(path, text, now)
        if self.flights.of(uri):
            self.flights.prune(uri, text(), None, _EVERYONE, self.settings.completion.typing_through)

    def observe_close(self, uri: str) -> None:
        """A closed document (its text stays usable as recently edited context)."""
        self._texts.pop(uri, None)
        self._origins.pop(uri, None)
        self.gates.forget(uri)
        self.memory.forget(uri)
        self.flights.abort_document(uri)

    # Completions --------------------------------------------------------------------------------------
    async def complete(self, query: CompletionQuery, snap: Snapshot) -> list[Completion]:
        """Suggestions at ``query``; empty when superseded, gated out or nobody answered."""
        ticket = self.gates.admit(query.uri)
        offset = min(max(query.offset, 0), len(snap.text))
        keep = self.settings.completion.typing_through
        self.flights.prune(query.uri, snap.text, offset, ticket.generation, keep)
        try:
            return await self._complete(query, snap, offset, ticket)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                self._cancelled(ticket)
                raise  # the client cancelled this request: RequestCancelled
            return []
        finally:
            self.gates.release(ticket)

    def _cancelled(self, ticket: Ticket) -> None:
        """``$/cancelRequest``: abort its upstream call unless the user has typed on along it since."""
        text = self._texts.get(ticket.uri)
        if text is not None:
            keep = self.settings.completion.typing_through
            self.flights.prune(ticket.uri, text(), None, ticket.generation + 1, keep)

    async def _complete(
        self, query: CompletionQuery, snap: Snapshot, offset: int, ticket: Ticket
    ) -> list[Completion]:
        c = self.settings.completion
        if not gate.worth_requesting(snap.text, offset, query.invoked):
            return []
        started = time.perf_counter()
        before = snap.text[:offset]
        rest = self.memory.typed_through(query.uri, before)
        if rest is not None:
            return [self._from_memory(query.uri, rest, offset, "memory", started)]
        arrived = time.monotonic()
        delay = self.gates.delay_s(query.uri, snap.text, offset, query.invoked, arrived)
        # The prompt is built inside the debounce wait, so its cost is hidden there, and a cache hit is
        # answered without waiting at all.
        cursor = Cursor(snap.path, snap.language_id, snap.text, offset)
        data = self.prompts.build(cursor, c, self._excluded)
        tier = tier_for_task(self.settings, "completion")
        candidates = resolve_tier(self.settings, tier, self._env)
        models = models_of(candidates)
        key = self.memory.key(query.uri, models, data)
        hit = self.memory.cached(key)
        if hit is not None:
            return [self._from_memory(query.uri, hit, offset, "cache", started)] if hit else []
        if not await self.gates.wait(ticket, delay - (time.monotonic() - arrived)):
            return []  # a newer request for this document arrived while we waited
        flight_key = Memory.flight_key(query.uri, models, data, c)
        flight = self.flights.same(flight_key) if c.cache else None
        if flight is not None:
            self.flights.shared += 1
        if flight is None and c.typing_through:
            found = self.flights.extendable(query.uri, snap.text, offset)
            if found is not None:  # the user typed on since an upstream call: its answer may still fit
                answer = await self._await(found[0], ticket)
                rest = reuse.rest_after_typing(answer.text, found[1]) if answer else None
                if ticket.is_superseded:
                    return []
                if answer is not None and rest:
                    self.flights.shared += 1
                    return [self._completion(rest, offset, _source(answer), started, answer)]
        if flight is None:

            def work() -> Coroutine[Any, Any, Answer | None]:
                return self._ask(query.uri, snap, offset, data, candidates, tier, key)

            flight = self.flights.start(
                query.uri, flight_key, snap.text, offset, ticket.generation, work, c.max_inflight
            )
        answer = await self._await(flight, ticket)
        if answer is None or ticket.is_superseded:
            return []
        return [self._completion(answer.text, offset, _source(answer), started, answer)]

    async def _await(self, flight: Flight[Answer], ticket: Ticket) -> Answer | None:
        """The flight's answer, or None as soon as ``ticket`` is superseded (the flight runs on)."""
        return await self.flights.wait_unless(flight, ticket.generation, ticket.superseded)

    async def _ask(
        self,
        uri: str,
        snap: Snapshot,
        offset: int,
        data: request.PromptInput,
        candidates: Candidates,
        tier: str,
        key: Any,
        speculative: bool = False,
    ) -> Answer | None:
        """One upstream call (the body of a flight): route, check, remember, report."""
        c = self.settings.completion
        started = time.perf_counter()

        def local() -> str | None:
            with self.local_lock:
                if self._indexed.get(snap.path) != snap.text or snap.path not in self.local:  # latest text
                    self.local.update(snap.path, snap.text, is_open=True)
                    self._indexed[snap.path] = snap.text
                return self.local.complete(snap.path, snap.text, offset, max_lines=min(3, c.max_lines))

        try:
            answer = await self.router.complete(candidates, data, local)
        except Exception as exc:  # the router turns provider failures into None; anything else is a bug
            logger.error("completion failed: %s: %s", type(exc).__name__, exc)
            answer = None
        if answer is not None and not reuse.plausible(answer.text):
            logger.info("dropped an answer that is only whitespace or garbage (%d chars)", len(answer.text))
            answer = None
        latency = (time.perf_counter() - started) * 1000
        if answer is None:
            self._notify(tier, None, None, latency, False)
            return None
        self.memory.store(uri, key, snap.text[:offset], answer.text)
        self._origins[uri] = (answer.provider, answer.model, answer.cost_usd)
        self._notify(tier, answer.provider, answer.model, latency, bool(answer.failures))
        if c.speculative and not speculative:
            asyncio.get_running_loop().call_soon(self._speculate, uri, snap, offset, answer.text)
        return answer

    def _speculate(self, uri: str, snap: Snapshot, offset: int, shown: str) -> None:
        """Ask now for the suggestion after ``shown``, as if it were accepted (only within budget)."""
        if not speculation.budget_allows(self.router.status()) or uri not in self._texts:
            return
        c = self.settings.completion
        text, at = speculation.as_accepted(snap.text, offset, shown)
        after = Snapshot(snap.uri, snap.path, text, snap.language_id)
        data = self.prompts.build(Cursor(snap.path, snap.language_id, text, at), c, self._excluded)
        tier = tier_for_task(self.settings, "completion")
        candidates = resolve_tier(self.settings, tier, self._env)
        models = models_of(candidates)
        key = self.memory.key(uri, models, data)
        flight_key = Memory.flight_key(uri, models, data, c)
        if self.memory.exact.get(key) is not None or self.flights.same(flight_key) is not None:
            return

        def work() -> Coroutine[Any, Any, Answer | None]:
            return self._ask(uri, after, at, data, candidates, tier, key, speculative=True)

        flight = self.flights.start(
            uri, flight_key, text, at, self.gates.generation(uri), work, c.max_inflight
        )
        flight.speculative = True
        self.speculated += 1

    def _from_memory(self, uri: str, text: str, offset: int, source: str, started: float) -> Completion:
        """A suggestion served without an upstream call; the ledger gets a $0 row with what it saved
        (about what the document's last upstream answer cost)."""
        completion = self._completion(text, offset, source, started)
        origin = self._origins.get(uri)
        if origin is not None:
            provider, model, cost = origin
            self.router.record_cache_hit(
                provider, model, saved_usd=cost or 0.0, latency_ms=completion.latency_ms
            )
        return completion

    def _completion(
        self, text: str, offset: int, source: str, started: float, answer: Answer | None = None
    ) -> Completion:
        completion = Completion(
            text=text,
            start=offset,
            end=offset,
            source=source,
            id=uuid.uuid4().hex[:12],
            latency_ms=(time.perf_counter() - started) * 1000,
            usage=answer.usage if answer is not None else None,
            cost_usd=answer.cost_usd if answer is not None else None,
        )
        self._remember(completion)
        return completion

    def stats(self) -> dict[str, int]:
        """Pipeline counters since start (for logs and the benchmark)."""
        return {
            "superseded": self.gates.superseded,
            "upstreamStarted": self.flights.started,
            "upstreamShared": self.flights.shared,
            "upstreamAborted": self.flights.aborted,
            "servedFromMemory": self.memory.served_from_memory,
            "speculative": self.speculated,
        }

    def _remember(self, completion: Completion) -> None:
        self._shown[completion.id] = completion.source
        while len(self._shown) > 256:
            self._shown.pop(next(iter(self._shown)))

    def record_accepted(self, completion_id: str) -> None:
        """The editor reports that the user accepted a suggestion we showed."""
        source = self._shown.pop(completion_id, None)
        if source is not None:
            self.accepted += 1
            logger.info("accepted a suggestion from %s", source)

    def _notify(
        self, tier: str, provider: str | None, model: str | None, latency: float, degraded: bool
    ) -> None:
        if self._listener is None:
            return
        self._listener(
            {
                "tier": tier,
                "provider": provider,
                "model": model,
                "latencyMs": round(latency, 1),
                "degraded": degraded,
                "paused": not self.settings.completion.enabled,
                **_spend(self.router.status()),
            }
        )

    async def aclose(self) -> None:
        """Abort upstream calls and close every HTTP client."""
        self.flights.abort_all()
        await self.router.aclose()


def _spend(status: dict[str, Any]) -> dict[str, Any]:
    return {k: status[k] for k in ("spentTodayUsd", "dailyCapUsd")}


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
