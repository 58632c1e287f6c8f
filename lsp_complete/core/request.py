"""From a cursor in a document to the ModelRequest one model gets, by prompt style (pure).

Styles: ``fim`` (the wire format takes prefix and suffix natively), ``chat`` (an instruction prompt for
chat-only models), ``template:<name>`` (raw FIM special tokens for self-hosted open-weight coders).
``auto`` picks ``fim`` for wire formats with a suffix field and ``chat`` for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lsp_complete.core import prompt
from lsp_complete.core.types import ContextSnippet, ModelRequest

FIM_APIS = frozenset({"openai-completions", "mistral-fim", "ollama", "llamacpp-infill"})


@dataclass(frozen=True, slots=True)
class PromptInput:
    """The cursor's surroundings, already cut to the token budget."""

    prefix: str
    suffix: str
    language_id: str
    path: str
    snippets: tuple[ContextSnippet, ...] = ()


def resolve_style(style: str, api: str) -> str:
    """The concrete style for a configured ``style`` (``auto`` or explicit) and a wire format."""
    if style == "auto":
        return "fim" if api in FIM_APIS else "chat"
    return style


def cut(
    prefix: str,
    suffix: str,
    count: Callable[[str], int],
    budget_tokens: int,
    prefix_share: float,
) -> tuple[str, str]:
    """Prefix and suffix cut at line boundaries to the token budget."""
    return prompt.split_budget(prefix, suffix, count, budget_tokens, prefix_share)


def _with_snippets(prefix: str, snippets: Sequence[ContextSnippet], language_id: str) -> str:
    """Context snippets ahead of the prefix, each headed by its path as a comment.

    Snippets come first so that the start of the prompt stays the same while the user types.
    """
    parts = [f"{prompt.comment_header(s.path, language_id)}\n{s.text.rstrip()}\n\n" for s in snippets]
    return "".join(parts) + prefix


def build(
    data: PromptInput, model: str, style: str, api: str, max_tokens: int, stop: Sequence[str] = ()
) -> ModelRequest:
    """The request for ``model`` in the concrete style for ``api``."""
    concrete = resolve_style(style, api)
    if concrete == "chat":
        messages = prompt.chat_messages(data.prefix, data.suffix, data.language_id, data.path, data.snippets)
        return ModelRequest(model=model, messages=messages, max_tokens=max_tokens, stop=tuple(stop))
    full_prefix = _with_snippets(data.prefix, data.snippets, data.language_id)
    if concrete.startswith("template:"):
        template = prompt.FIM_TEMPLATES[concrete.removeprefix("template:")]
        return ModelRequest(
            model=model,
            prompt=template.render(full_prefix, data.suffix, data.path or None),
            max_tokens=max_tokens,
            stop=(*template.stop, *stop),
        )
    return ModelRequest(
        model=model, prompt=full_prefix, suffix=data.suffix, max_tokens=max_tokens, stop=tuple(stop)
    )


def interpret(answer: str, data: PromptInput, style: str, api: str) -> str:
    """The insertion a model's raw answer stands for (chat answers need parsing, FIM answers do not)."""
    if resolve_style(style, api) == "chat":
        return prompt.parse_chat_answer(answer, data.prefix, data.suffix)
    return answer
