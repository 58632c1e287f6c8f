"""The prompt of one request: token budgets for prefix, suffix and other files' snippets, in an order
that keeps the start of the prompt stable from one keystroke to the next.

Budget (``completion.prompt_tokens``, counted with tiktoken): ``context_share`` of it for cross-file
snippets when any are chosen, the rest for the text around the cursor, of which ``prefix_share`` goes
before the cursor and the rest after (unused tokens move to the other side), cut at line boundaries.
Before counting, the text is clipped to a few characters per budget token on each side, so a 10 MB
single-line file is neither counted nor sent whole.

Snippets come from other open and recently edited documents (``note``), never from excluded files: a
document the session marks excluded is never noted, and every snippet is checked again against the
current exclusion rules when it is ranked (the rules can change after a file was noted).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from lsp_complete.core import context, request, reuse
from lsp_complete.core.types import ContextSnippet
from lsp_complete.presets import CompletionSettings

__all__ = ["CHARS_PER_TOKEN", "PromptBuilder"]

CHARS_PER_TOKEN = 6
"""Characters kept per budget token on each side before counting (code averages 3-4 per token)."""
MAX_CONTEXT_FILE_CHARS = 100_000
MAX_CONTEXT_FILES = 20
"""Files kept in the context index, most recently edited or opened first (Copilot ranks about 20 recent
files). Each indexed 1,000-line file costs about 0.7 MB of windows and postings, so 200 open files must
not all be indexed."""

TextFn = Callable[[], str]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the prompt is for: the document's path, language, text and the cursor offset."""

    path: str
    language_id: str
    text: str
    offset: int


class PromptBuilder:
    """Keeps the cross-file index and builds ``PromptInput``s."""

    def __init__(self, count: Callable[[str], int]) -> None:
        self._count = count
        self.index = context.ContextIndex(max_files=MAX_CONTEXT_FILES, max_file_chars=MAX_CONTEXT_FILE_CHARS)
        self._pending: dict[str, tuple[TextFn, float]] = {}
        self.roots: list[str] = []
        self._counted: LRUCache[str, int] = LRUCache(maxsize=256)  # snippet texts repeat across keystrokes

    def _count_snippet(self, text: str) -> int:
        found = self._counted.get(text)
        if found is None:
            found = self._counted[text] = self._count(text)
        return found

    def note(self, path: str, text: TextFn, recency: float) -> None:
        """``path`` (a document that may be used as context) changed or was visited at ``recency``.

        The text is read and indexed lazily, when another document's prompt needs it.
        """
        self._pending[path] = (text, recency)

    def forget(self, path: str) -> None:
        """``path`` may no longer be used as context (excluded, deleted)."""
        self._pending.pop(path, None)
        self.index.remove(path)

    def _flush(self, skip: str) -> None:
        """Index the noted files, only the ``MAX_CONTEXT_FILES`` most recent (older ones would be evicted)."""
        waiting = sorted((p for p in self._pending if p != skip), key=lambda p: -self._pending[p][1])
        for path in waiting[MAX_CONTEXT_FILES:]:
            del self._pending[path]
        for path in reversed(waiting[:MAX_CONTEXT_FILES]):  # oldest first: the index evicts the oldest
            text, recency = self._pending.pop(path)
            self.index.update(path, text(), recency)

    def _display(self, path: str) -> str:
        for root in self.roots:
            if root and path.startswith(root.rstrip(os.sep) + os.sep):
                return os.path.relpath(path, root)
        return path

    def snippets(
        self,
        cursor: Cursor,
        before: str,
        after: str,
        c: CompletionSettings,
        excluded: Callable[[str], bool],
    ) -> list[ContextSnippet]:
        """The cross-file snippets for the cursor, in prompt order (one per file, by path)."""
        if c.context_snippets <= 0 or c.context_share <= 0:
            return []
        self._flush(skip=cursor.path)
        window = context.cursor_window(before, after)
        ranked = self.index.rank_scored(window, c.context_snippets * 2, exclude_path=cursor.path)
        allowed = [
            ContextSnippet(self._display(s.path), s.text) for s in ranked if not excluded(s.path)
        ]
        budget = int(c.prompt_tokens * c.context_share)
        return context.fit_snippets(allowed, self._count_snippet, budget, max_count=c.context_snippets)

    def build(
        self, cursor: Cursor, c: CompletionSettings, excluded: Callable[[str], bool]
    ) -> request.PromptInput:
        """The prompt input for ``cursor`` under the settings ``c``."""
        total = max(1, c.prompt_tokens)
        before, after = reuse.clip_around(cursor.text, cursor.offset, total * CHARS_PER_TOKEN)
        chosen = self.snippets(cursor, before, after, c, excluded)
        code_budget = total - int(total * c.context_share) if chosen else total
        prefix, suffix = request.cut(before, after, self._count, code_budget, c.prefix_share)
        return request.PromptInput(
            prefix=prefix,
            suffix=suffix,
            language_id=cursor.language_id,
            path=self._display(cursor.path),
            snippets=tuple(chosen),
        )


def prompt_parts(data: request.PromptInput) -> Sequence[str]:
    """Every text of a prompt input, for keys."""
    parts = [data.prefix, data.suffix, data.language_id, data.path]
    for snippet in data.snippets:
        parts += (snippet.path, snippet.text)
    return parts
