"""What the engine remembers between requests: the exact cache of cleaned answers (keyed by what the
model saw) and the suggestions shown recently (typing-through and backspace), with the keys of both.

``completion.cache`` switches the exact cache (and in-flight sharing, in the engine) and
``completion.typing_through`` the shown-suggestion memory; the benchmark's baselines turn them off.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsp_complete.config import ProviderConfig
from lsp_complete.core import cache, reuse
from lsp_complete.core.request import PromptInput
from lsp_complete.pipeline.prompting import prompt_parts
from lsp_complete.presets import CompletionSettings

__all__ = ["Memory", "models_of"]


def models_of(candidates: Sequence[tuple[ProviderConfig, str]]) -> str:
    """The tier's candidates as one string (``provider/model,...``) with each provider's prompt style."""
    return ",".join(f"{cfg.name}/{model}/{cfg.api}/{cfg.prompt_style}" for cfg, model in candidates)


class Memory:
    """Exact cache + typing-through, sized from the settings."""

    def __init__(self, c: CompletionSettings) -> None:
        self.configure(c)
        self.served_from_memory = 0

    def configure(self, c: CompletionSettings) -> None:
        """New settings: empty memories sized for them (answers of other models must not be served)."""
        self._c = c
        self.exact = cache.CompletionCache(c.cache_entries, int(c.cache_mb * 1_000_000))
        self.shown = cache.TypingThrough()

    @staticmethod
    def variant(data: PromptInput, c: CompletionSettings) -> str:
        """What else changes the answer: snippets, language, path and the answer limits."""
        snippet_parts = [p for s in data.snippets for p in (s.path, s.text)]
        return cache.digest(data.language_id, data.path, str(c.max_lines), str(c.max_tokens), *snippet_parts)

    def key(self, uri: str, models: str, data: PromptInput) -> cache.CacheKey:
        """The exact-cache key of ``data`` for ``models``."""
        return cache.cache_key(uri, models, data.prefix, data.suffix, variant=self.variant(data, self._c))

    @staticmethod
    def flight_key(uri: str, models: str, data: PromptInput, c: CompletionSettings) -> str:
        """Equal exactly when two requests would send the same thing to the same models."""
        limits = f"{c.max_lines}|{c.max_tokens}"
        return cache.digest(uri, models, limits, *prompt_parts(data))

    def typed_through(self, uri: str, before_cursor: str) -> str | None:
        """The rest of a shown suggestion the user is typing through (or backspaced into), if any."""
        if not self._c.typing_through:
            return None
        rest = self.shown.lookup(uri, before_cursor)
        if rest is not None and reuse.plausible(rest):
            self.served_from_memory += 1
            return rest
        return None

    def cached(self, key: cache.CacheKey) -> str | None:
        """The cached answer for ``key`` ("" = the model had nothing to add), None on a miss or when off."""
        if not self._c.cache:
            return None
        found = self.exact.get(key)
        if found is not None:
            self.served_from_memory += 1
        return found

    def store(self, uri: str, key: cache.CacheKey, before_cursor: str, text: str) -> None:
        """Remember an upstream answer (already cleaned; "" when it had nothing usable)."""
        if self._c.cache:
            self.exact.put(key, text)
        if text and self._c.typing_through:
            self.shown.remember(uri, before_cursor, text)

    def forget(self, uri: str) -> None:
        """A closed document."""
        self.exact.forget(uri)
        self.shown.forget(uri)
