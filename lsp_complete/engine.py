"""Async orchestration of one completion: gate -> debounce -> prompt -> route -> answer (no LSP types).

The engine works on a snapshot of the document taken when the request arrived; the LSP layer drops the
answer if the document changed meanwhile. A newer request for the same document supersedes an older
one: the older is answered empty and its upstream work is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from lsp_complete.config import Settings, resolve_tier, tier_for_task
from lsp_complete.core import gate, request
from lsp_complete.core.local import LocalIndex
from lsp_complete.core.types import Usage
from lsp_complete.router import Router

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


class Engine:
    """Runs completions for a session; owns the router and the offline index."""

    def __init__(self, settings: Settings, env: dict[str, str], count: Callable[[str], int]) -> None:
        self.settings = settings
        self._env = env
        self._count = count
        self.router = Router(settings, env)
        self.local = LocalIndex()
        self.local_lock = threading.Lock()
        self._generation: dict[str, int] = {}
        self._shown: dict[str, str] = {}
        self._indexed: LRUCache[str, str] = LRUCache(maxsize=16)  # last text indexed per path
        self._listener: StatusListener | None = None
        self.accepted = 0
        self._background: set[asyncio.Future[None]] = set()

    def set_status_listener(self, listener: StatusListener | None) -> None:
        """Who hears about the tier/provider/latency after each completion."""
        self._listener = listener

    def reconfigure(self, settings: Settings) -> None:
        """Adopt new settings; providers whose configuration changed are closed in the background."""
        self.settings = settings
        for stale in self.router.reconfigure(settings):
            if _loop_running():
                task = asyncio.ensure_future(stale.aclose())
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    async def complete(self, query: CompletionQuery, snap: Snapshot) -> list[Completion]:
        """Suggestions at ``query``; empty when superseded, gated out or nobody answered."""
        generation = self._generation.get(query.uri, 0) + 1
        self._generation[query.uri] = generation
        if not gate.worth_requesting(snap.text, query.offset, query.invoked):
            return []
        delay = 0 if query.invoked else self.settings.completion.debounce_ms / 1000.0
        if delay:
            await asyncio.sleep(delay)
        if self._generation.get(query.uri) != generation:
            return []  # a newer request for this document arrived while we waited
        work = asyncio.ensure_future(self._complete(query, snap))
        try:
            return await work
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the client cancelled this request: RequestCancelled
            return []

    async def _complete(self, query: CompletionQuery, snap: Snapshot) -> list[Completion]:
        c = self.settings.completion
        started = time.perf_counter()
        prefix, suffix = request.cut(
            snap.text[: query.offset], snap.text[query.offset :], self._count, c.prompt_tokens, c.prefix_share
        )
        data = request.PromptInput(prefix=prefix, suffix=suffix, language_id=snap.language_id, path=snap.path)
        tier = tier_for_task(self.settings, "completion")
        candidates = resolve_tier(self.settings, tier, self._env)

        def local() -> str | None:
            with self.local_lock:
                if self._indexed.get(snap.path) != snap.text:  # index this document's latest text
                    self.local.update(snap.path, snap.text, is_open=True)
                    self._indexed[snap.path] = snap.text
                return self.local.complete(snap.path, snap.text, query.offset, max_lines=min(3, c.max_lines))

        answer = await self.router.complete(candidates, data, local)
        if answer is None:
            self._notify(tier, None, None, (time.perf_counter() - started) * 1000, False)
            return []
        completion = Completion(
            text=answer.text,
            start=query.offset,
            end=query.offset,
            source=answer.provider
            if answer.provider == answer.model
            else f"{answer.provider}/{answer.model}",
            id=uuid.uuid4().hex[:12],
            latency_ms=(time.perf_counter() - started) * 1000,
            usage=answer.usage,
            cost_usd=answer.cost_usd,
        )
        self._remember(completion)
        self._notify(tier, answer.provider, answer.model, completion.latency_ms, bool(answer.failures))
        return [completion]

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
        """Close every HTTP client."""
        await self.router.aclose()


def _spend(status: dict[str, Any]) -> dict[str, Any]:
    return {k: status[k] for k in ("spentTodayUsd", "dailyCapUsd")}


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
