"""From a document, a range and the editor's diagnostics to what one action sends and edits.

Everything here is synchronous and cheap; token counts use the shipped tokenizer once it is loaded (a
character estimate before), and only the lines that are kept are counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from lsp_complete.accounting import count_tokens
from lsp_complete.core import action_prompt, blocks, context
from lsp_complete.core.action_prompt import ActionInput, Problem
from lsp_complete.core.blocks import Region
from lsp_complete.core.types import ChatMessage, ContextSnippet, ModelRequest

#: Tokens of the region itself, and of the code shown around it, in one prompt.
REGION_TOKENS = 6000
CONTEXT_TOKENS = 1500
RELATED_TOKENS = 1200  # windows of other open files, for the actions that reason about the code
RELATED_ACTIONS = ("explain", "fix")
TASK_OF = {"explain": "explain", "fix": "fix", "docstring": "docstring", "tests": "tests"}
Range = tuple[tuple[int, int], tuple[int, int]]


class PlanError(Exception):
    """The action cannot run on this input; the message is for the user."""


@dataclass(frozen=True)
class Plan:
    """One action on one document version, ready to send."""

    action: str
    uri: str
    path: str
    version: int
    text: str
    lines: tuple[str, ...]
    region: Region
    messages: tuple[ChatMessage, ...]
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def task(self) -> str:
        """The ``[tasks]`` key of this action."""
        return TASK_OF[self.action]

    def request(self, model: str, max_tokens: int) -> ModelRequest:
        """The request for ``model``."""
        return ModelRequest(model=model, messages=self.messages, max_tokens=max_tokens, temperature=0.0)

    def cache_key(self, provider: str, model: str) -> str:
        """Same code, same action, same model (and the same prompt around it)."""
        digest = hashlib.sha256()
        for part in (self.action, provider, model, *(m.role + "\0" + m.content for m in self.messages)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\1")
        return digest.hexdigest()


def region_of(lines: Sequence[str], selection: Range | None) -> Region | None:
    """The selected lines, or the block around the cursor (an empty selection is a cursor)."""
    if selection is not None and selection[0] != selection[1]:
        return blocks.selection(lines, selection[0], selection[1])
    line = selection[0][0] if selection is not None else 0
    if line >= len(lines):
        return None  # past the last line: nothing there to act on
    return blocks.enclosing_block(lines, line)


def build(
    action: str,
    uri: str,
    path: str,
    language: str,
    text: str,
    version: int,
    selection: Range | None,
    problems: Sequence[Problem] = (),
    test_path: str = "",
    region_tokens: int = REGION_TOKENS,
    others: Sequence[tuple[str, str]] = (),
) -> Plan:
    """The plan of ``action``; raises ``PlanError`` when there is nothing to act on."""
    if action not in action_prompt.ACTIONS:
        raise PlanError(f"unknown action {action!r}")
    lines = blocks.split_lines(text)
    region = region_of(lines, selection)
    if region is None:
        where = f"line {selection[0][0] + 1}" if selection else "the start"
        raise PlanError(f"nothing to {action} at {where} of {path}: select some code first")
    notes: list[str] = []
    focus = min((p.line for p in problems if region.start <= p.line < region.end), default=region.start)
    kept = blocks.fit(lines, region, focus, count_tokens, region_tokens)
    if kept != region:
        notes.append(
            f"the selection has {len(region)} lines; only lines {kept.start + 1}-{kept.end} "
            f"({len(kept)} lines) fit the prompt budget of {region_tokens} tokens and were used"
        )
    before, after = blocks.context_around(lines, kept, count_tokens, CONTEXT_TOKENS)
    inside = tuple(p for p in problems if kept.start <= p.line < kept.end)
    code = "".join(lines[kept.start : kept.end])
    related: tuple[ContextSnippet, ...] = ()
    if action in RELATED_ACTIONS and others:
        ranked = context.rank_snippets(code, ((p, t, 0.0) for p, t in others), exclude_path=path)
        related = tuple(context.fit_snippets(ranked, count_tokens, RELATED_TOKENS, max_count=2))
    data = ActionInput(
        action=action,
        path=path,
        language=language,
        code=code,
        first_line=kept.start,
        before="".join(lines[before.start : before.end]),
        after="".join(lines[after.start : after.end]),
        problems=inside,
        trimmed_from=len(region) if kept != region else None,
        test_path=test_path,
        related=related,
    )
    return Plan(
        action=action,
        uri=uri,
        path=path,
        version=version,
        text=text,
        lines=tuple(lines),
        region=kept,
        messages=action_prompt.messages(data),
        notes=tuple(notes),
        problems=inside,
    )
