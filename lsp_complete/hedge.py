"""Failover with hedging over a run of upstream candidates: the first useful answer wins.

``race`` starts the first candidate. If it has not produced a first token by its hedge delay (its
observed p90 time-to-first-token), the next candidate starts alongside it; at most two run at once.
When one fails or has nothing useful, the next one starts (failover before the first token). The first
useful answer wins; the others are cancelled and awaited, so their (billed) ledger rows are written before
``race`` returns. Cancelling ``race`` itself cancels and awaits every attempt it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Outcome", "race"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T_co]):
    """One attempt's result: ``value`` when useful, else ``failure`` says why not."""

    value: T_co | None = None
    failure: str | None = None


Start = Callable[[C, asyncio.Event], Awaitable[Outcome[T]]]


async def race(
    candidates: Sequence[C],
    start: Start[C, T],
    hedge_delay_s: Callable[[C], float] | None,
) -> tuple[T | None, list[str]]:
    """The first useful value along ``candidates`` and the failures seen; ``hedge_delay_s`` None = no hedging.

    ``start(candidate, first_token)`` runs one attempt and must set ``first_token`` when text arrives.
    """
    pending = list(candidates)
    running: dict[asyncio.Task[Outcome[T]], tuple[C, asyncio.Event, float]] = {}
    failures: list[str] = []
    loop = asyncio.get_running_loop()

    def launch() -> None:
        candidate = pending.pop(0)
        event = asyncio.Event()
        task = asyncio.ensure_future(start(candidate, event))
        delay = hedge_delay_s(candidate) if hedge_delay_s is not None and pending else float("inf")
        running[task] = (candidate, event, loop.time() + delay)

    try:
        if pending:
            launch()
        while running:
            timeout = None
            if len(running) == 1 and pending:
                _, event, hedge_at = next(iter(running.values()))
                if not event.is_set() and hedge_at != float("inf"):
                    timeout = max(hedge_at - loop.time(), 0.0)
            done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if not done:  # the hedge delay passed without a first token: start the next one too
                _, event, _ = next(iter(running.values()))
                if not event.is_set():
                    launch()
                continue
            for task in done:
                running.pop(task)
                error = task.exception()
                if error is not None:  # a bug in ``start``: count it as that candidate's failure
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                outcome = task.result()
                if outcome.value is not None:
                    return outcome.value, failures
                if outcome.failure:
                    failures.append(outcome.failure)
            if not running and pending:
                launch()
        return None, failures
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
