"""``ActionService``: the editor-neutral entry point of code actions (the LSP layer converts and calls in).

``offers`` builds the menu without any model call; ``run`` does one action end to end: plan, model call
(``runner``), then either the explanation file or an edit that is checked against the document's version,
rebased when the document changed elsewhere, refused when the region changed. Anything that cannot be
applied safely is shown to the user instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lsp_complete.actions import offers as menu
from lsp_complete.actions import outputs, plan
from lsp_complete.actions.outputs import ExplanationFile
from lsp_complete.actions.runner import ActionFailed, Outcome, Runner, chat_candidates
from lsp_complete.config import ProviderConfig, resolve_tier, tier_for_task
from lsp_complete.core import answer, edits
from lsp_complete.core.action_prompt import Problem
from lsp_complete.core.blocks import split_lines
from lsp_complete.core.secrets import path_from_uri
from lsp_complete.session import Session

logger = logging.getLogger(__name__)

CUT_REASONS = ("length", "max_tokens")
MAX_CONTEXT_FILE_CHARS = 200_000


@dataclass(frozen=True)
class FileChange:
    """Offset edits ``(start, end, new text)`` of one file at ``version`` (None: not open in the editor)."""

    uri: str
    version: int | None
    text: str
    changes: tuple[tuple[int, int, str], ...]
    create: bool = False


class ActionUI(Protocol):
    """What an action needs from the editor."""

    supports_create: bool

    def message(self, text: str, level: str = "info") -> None: ...

    def progress(self, text: str) -> None: ...

    def explanation(self, uri: str, text: str, done: bool) -> None: ...

    async def show_document(self, uri: str) -> bool: ...

    async def apply(self, changes: Sequence[FileChange], label: str) -> bool: ...


@dataclass(frozen=True)
class ActionResult:
    """What happened, for the command's answer."""

    ok: bool
    message: str
    applied: bool = False
    uri: str | None = None
    source: str | None = None
    cached: bool = False

    def as_json(self) -> dict[str, Any]:
        """The JSON answer of ``workspace/executeCommand``."""
        return {
            "ok": self.ok,
            "message": self.message,
            "applied": self.applied,
            "uri": self.uri,
            "source": self.source,
            "cached": self.cached,
        }


class ActionService:
    """Menu and runs of code actions for one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.runner = Runner(session.engine.router)
        self._lines: tuple[str, int, list[str]] | None = None  # (uri, version, lines) of the last listing

    # The menu ------------------------------------------------------------------------------------
    def offers(
        self, uri: str, selection: plan.Range | None, problems: Sequence[Problem], only: Sequence[str] | None
    ) -> list[menu.Offer]:
        """The action list; empty for unopened, out-of-sync or secret documents. Never calls a model."""
        doc = self.session.document(uri)
        if doc is None or uri in self.session.desynced or self.session.is_excluded(uri):
            return []
        tiers = {a: self._tier(a) for a in menu.VERB}
        first = {a: (t, c[0] if c else None) for a, (t, c) in tiers.items()}
        router = self.session.engine.router
        return menu.offers(
            self._split(uri, doc.version, doc.text),
            selection,
            problems,
            path_from_uri(uri),
            first,
            router.worst_case_usd,
            self.session.settings.premium.max_tokens,
            only,
        )

    def _others(self, uri: str) -> list[tuple[str, str]]:
        """Other open documents that may be used as context (never secret or out-of-sync ones)."""
        session = self.session
        return [
            (path_from_uri(u), d.text)
            for u, d in session.documents.items()
            if u != uri
            and u not in session.desynced
            and not session.is_excluded(u)
            and len(d.text) <= MAX_CONTEXT_FILE_CHARS
        ]

    def _split(self, uri: str, version: int, text: str) -> list[str]:
        """The lines of a document version (editors ask for the menu at every cursor move)."""
        if self._lines is None or self._lines[:2] != (uri, version):
            self._lines = (uri, version, split_lines(text))
        return self._lines[2]

    def _tier(self, action: str) -> tuple[str, list[tuple[ProviderConfig, str]]]:
        settings = self.session.settings
        tier = tier_for_task(settings, plan.TASK_OF[action])
        return tier, chat_candidates(resolve_tier(settings, tier, self.session.env))

    # One run -------------------------------------------------------------------------------------
    async def run(
        self, action: str, uri: str, selection: plan.Range | None, problems: Sequence[Problem], ui: ActionUI
    ) -> ActionResult:
        """Do ``action``; every refusal is a result with a message (also shown), never an exception."""
        try:
            return await self._run(action, uri, selection, problems, ui)
        except (plan.PlanError, ActionFailed) as exc:
            return _refuse(ui, str(exc))

    async def _run(
        self, action: str, uri: str, selection: plan.Range | None, problems: Sequence[Problem], ui: ActionUI
    ) -> ActionResult:
        session = self.session
        doc = session.document(uri)
        if doc is None:
            return _refuse(ui, f"{uri} is not open in the editor; open it and try again")
        if session.is_excluded(uri):
            return _refuse(
                ui, f"{path_from_uri(uri)} is a secret or excluded file: its content is never sent"
            )
        if uri in session.desynced:
            return _refuse(
                ui, f"{path_from_uri(uri)} is out of sync with the editor; reopen it and try again"
            )
        path = path_from_uri(uri)
        target = None
        if action == "tests":
            open_texts = outputs.open_paths({u: d.text for u, d in session.documents.items()})
            target = outputs.test_target(path, doc.language_id, session.roots, open_texts)
        the_plan = plan.build(
            action,
            uri,
            path,
            doc.language_id,
            doc.text,
            doc.version,
            selection,
            problems,
            test_path=target.path if target else "",
            others=self._others(uri),
        )
        for note in the_plan.notes:
            ui.message(note, "warning")
        tier, candidates = self._tier(action)
        if not candidates:
            return _refuse(
                ui,
                f"no chat model is available in the {tier!r} tier for {action}: set a provider's "
                "API key, or add a chat model to [tiers] in your config",
            )
        self.runner.set_router(session.engine.router)
        p = session.settings.premium
        if action == "explain":
            return await self._explain(the_plan, tier, candidates, ui)
        sink = _ProgressSink(ui)
        outcome = await self.runner.run(the_plan, tier, candidates, p.max_tokens, p.total_timeout_s, sink)
        source = f"{outcome.provider}/{outcome.model}"
        if outcome.finish_reason in CUT_REASONS:
            return await self._show_instead(
                the_plan, outcome, "the answer was cut off at the length limit", ui
            )
        if action == "tests":
            assert target is not None
            return await self._tests(the_plan, outcome, target, ui)
        new = answer.replacement_for(outcome.text, the_plan.lines, the_plan.region)
        if isinstance(new, answer.Unusable):
            return await self._show_instead(the_plan, outcome, new.message, ui)
        line_edits = edits.minimal_edits(the_plan.lines, the_plan.region, new)
        return await self._apply(the_plan, line_edits, source, outcome.cached, ui)

    async def _explain(
        self, the_plan: plan.Plan, tier: str, candidates: Sequence[tuple[ProviderConfig, str]], ui: ActionUI
    ) -> ActionResult:
        p = self.session.settings.premium
        file = ExplanationFile(self.session.env, the_plan.path, the_plan.action)
        sink = _ExplainSink(file, ui)
        try:
            outcome = await self.runner.run(the_plan, tier, candidates, p.max_tokens, p.total_timeout_s, sink)
            if outcome.finish_reason in CUT_REASONS:
                file.append("\n\n*(cut off at the length limit)*\n")
            if not file.text.strip():
                return _refuse(ui, "the model's answer was empty")
        finally:
            file.close()
            await sink.shown()
        ui.explanation(file.uri, file.text, True)
        if not sink.shown_ok:
            await ui.show_document(file.uri)
        source = f"{outcome.provider}/{outcome.model}"
        return ActionResult(
            True,
            f"explanation by {source} in {file.path}",
            uri=file.uri,
            source=source,
            cached=outcome.cached,
        )

    async def _show_instead(
        self, the_plan: plan.Plan, outcome: Outcome, reason: str, ui: ActionUI
    ) -> ActionResult:
        source = f"{outcome.provider}/{outcome.model}"
        file = ExplanationFile(self.session.env, the_plan.path, the_plan.action)
        try:
            file.replace(
                f"*lsp-complete: {reason}; nothing was changed. The answer of {source}:*\n\n{outcome.text}"
            )
        finally:
            file.close()
        if outcome.text.strip():
            await ui.show_document(file.uri)
        return _refuse(ui, f"{reason}; nothing was changed", uri=file.uri, source=source)

    async def _apply(
        self, the_plan: plan.Plan, line_edits: list[edits.LineEdit], source: str, cached: bool, ui: ActionUI
    ) -> ActionResult:
        doc = self.session.document(the_plan.uri)
        if doc is None:
            return _refuse(ui, f"{the_plan.path} was closed while the model was working; nothing was changed")
        text, lines = the_plan.text, the_plan.lines
        if doc.version != the_plan.version:
            rebased = edits.rebase(line_edits, the_plan.region, the_plan.text, doc.text)
            if rebased is None:
                return _refuse(
                    ui,
                    f"the code changed while {source} was working on it; nothing was changed "
                    "(run the action again)",
                    source=source,
                )
            line_edits, text, lines = rebased, doc.text, tuple(split_lines(doc.text))
        changes = tuple((*edits.offsets(lines, e), e.text) for e in line_edits)
        change = FileChange(the_plan.uri, doc.version, text, changes)
        label = f"lsp-complete: {the_plan.action} by {source}"
        if not await ui.apply([change], label):
            return _refuse(
                ui, "the editor did not apply the edit (the document may have changed)", source=source
            )
        n = sum(e.end - e.start for e in line_edits) or len(line_edits)
        return ActionResult(
            True,
            f"{the_plan.action}: {n} line(s) changed by {source}",
            applied=True,
            uri=the_plan.uri,
            source=source,
            cached=cached,
        )

    async def _tests(
        self, the_plan: plan.Plan, outcome: Outcome, target: outputs.TestTarget, ui: ActionUI
    ) -> ActionResult:
        source = f"{outcome.provider}/{outcome.model}"
        code = answer.code_of(outcome.text)
        if isinstance(code, answer.Unusable):
            return await self._show_instead(the_plan, outcome, code.message, ui)
        uri = Path(target.path).as_uri()
        open_doc = next(
            (d for u, d in self.session.documents.items() if path_from_uri(u) == target.path), None
        )
        if target.exists:
            text = open_doc.text if open_doc is not None else target.text
            gap = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
            version = open_doc.version if open_doc is not None else None
            change = FileChange(
                open_doc.uri if open_doc else uri, version, text, ((len(text), len(text), gap + code),)
            )
        elif ui.supports_create:
            change = FileChange(uri, None, "", ((0, 0, code),), create=True)
        else:
            Path(target.path).parent.mkdir(parents=True, exist_ok=True)
            Path(target.path).write_text(code, encoding="utf-8")
            await ui.show_document(uri)
            return ActionResult(True, f"tests by {source} written to {target.path}", True, uri, source)
        if not await ui.apply([change], f"lsp-complete: tests by {source}"):
            return _refuse(ui, f"the editor did not apply the tests to {target.path}", source=source)
        await ui.show_document(change.uri)
        return ActionResult(
            True, f"tests by {source} written to {target.path}", True, change.uri, source, outcome.cached
        )


def _refuse(ui: ActionUI, message: str, uri: str | None = None, source: str | None = None) -> ActionResult:
    logger.info("action not done: %s", message)
    ui.message(message, "warning")
    return ActionResult(False, message, uri=uri, source=source)


class _ProgressSink:
    def __init__(self, ui: ActionUI) -> None:
        self._ui = ui
        self._chars = 0

    def delta(self, text: str) -> None:
        before, self._chars = self._chars, self._chars + len(text)
        if before // 200 != self._chars // 200 or before == 0:
            self._ui.progress(f"receiving the answer ({self._chars} characters)")

    def restart(self, reason: str) -> None:
        self._chars = 0
        self._ui.message(f"{reason}; starting over with the next model", "warning")


class _ExplainSink:
    """Streams into the file and the custom notification; shows the file once text arrived."""

    def __init__(self, file: ExplanationFile, ui: ActionUI) -> None:
        self._file = file
        self._ui = ui
        self._show: asyncio.Future[bool] | None = None
        self.shown_ok = False

    def delta(self, text: str) -> None:
        self._file.append(text)
        self._ui.explanation(self._file.uri, self._file.text, False)
        if self._show is None:
            self._show = asyncio.ensure_future(self._ui.show_document(self._file.uri))
        last = self._file.text.rstrip().rpartition("\n")[2].strip()
        self._ui.progress(f"{len(self._file.text)} characters: {last[:60]}")

    def restart(self, reason: str) -> None:
        self._file.reset()
        self._ui.message(f"{reason}; starting over with the next model", "warning")
        self._ui.explanation(self._file.uri, "", False)

    async def shown(self) -> None:
        if self._show is not None:
            try:
                self.shown_ok = bool(await self._show)
            except Exception as exc:  # the client failing showDocument must not fail the action
                logger.info("showDocument failed: %s", exc)
