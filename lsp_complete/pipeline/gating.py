"""Per-document request gating: generations (a newer request supersedes an older one) and the debounce
wait, adaptive (``core.debounce``, fed by the session's didChange) or fixed.

Each request gets a generation and a ``Ticket``; the next request for the same document sets the older
ticket's ``superseded`` future, which wakes the older request wherever it waits (debounce or an upstream
answer) so it is answered empty at once, without an upstream call of its own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from lsp_complete.core.debounce import DebouncePolicies
from lsp_complete.presets import CompletionSettings

__all__ = ["Gatekeeper", "Ticket"]

_TAIL = 2000  # characters before the cursor the debounce looks at (its line)


@dataclass(eq=False)
class Ticket:
    """One request's place in its document's sequence."""

    uri: str
    generation: int
    superseded: asyncio.Future[None] = field(repr=False)

    @property
    def is_superseded(self) -> bool:
        """True once a newer request for the same document arrived."""
        return self.superseded.done()


class Gatekeeper:
    """Generations and debounce of every document."""

    def __init__(self, c: CompletionSettings) -> None:
        self._generation: dict[str, int] = {}
        self._newest: dict[str, Ticket] = {}
        self.superseded = 0
        self.configure(c)

    def configure(self, c: CompletionSettings) -> None:
        """Adopt new settings (typing rhythms start over)."""
        self._c = c
        self._policies = DebouncePolicies(
            min_ms=float(min(c.debounce_min_ms, c.debounce_ms)),
            base_ms=float(c.debounce_ms),
            max_ms=float(max(c.debounce_max_ms, c.debounce_ms)),
        )

    def keystroke(self, uri: str, now: float) -> None:
        """The user changed ``uri`` at ``now`` (monotonic seconds)."""
        self._policies.for_doc(uri).observe_keystroke(now)

    def forget(self, uri: str) -> None:
        """A closed document."""
        self._policies.forget(uri)
        self._generation.pop(uri, None)
        ticket = self._newest.pop(uri, None)
        if ticket is not None and not ticket.superseded.done():
            ticket.superseded.set_result(None)

    def generation(self, uri: str) -> int:
        """The newest generation handed out for ``uri`` (0 before the first request)."""
        return self._generation.get(uri, 0)

    def admit(self, uri: str) -> Ticket:
        """A ticket for a new request; the previous request for ``uri`` is superseded."""
        generation = self._generation.get(uri, 0) + 1
        self._generation[uri] = generation
        previous = self._newest.get(uri)
        if previous is not None and not previous.superseded.done():
            previous.superseded.set_result(None)
            self.superseded += 1
        ticket = Ticket(uri, generation, asyncio.get_running_loop().create_future())
        self._newest[uri] = ticket
        return ticket

    def release(self, ticket: Ticket) -> None:
        """The request of ``ticket`` is answered."""
        if self._newest.get(ticket.uri) is ticket:
            del self._newest[ticket.uri]

    def delay_s(self, uri: str, text: str, offset: int, invoked: bool, now: float) -> float:
        """Seconds to wait before asking upstream; 0 for an invoked request."""
        if invoked:
            return 0.0
        if not self._c.adaptive_debounce or self._c.debounce_ms == 0:  # 0: no wait at all
            return self._c.debounce_ms / 1000.0
        before = text[max(0, offset - _TAIL) : offset]
        return self._policies.for_doc(uri).delay_ms(now, before) / 1000.0

    @staticmethod
    async def wait(ticket: Ticket, seconds: float) -> bool:
        """Wait ``seconds`` unless superseded first; True when the request is still the newest."""
        if seconds > 0 and not ticket.is_superseded:
            await asyncio.wait({ticket.superseded}, timeout=seconds)
        return not ticket.is_superseded
