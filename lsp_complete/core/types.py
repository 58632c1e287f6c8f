"""Plain values shared across the core, the providers and the engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens one upstream request consumed.

    ``input_tokens`` includes ``cached_input_tokens``; ``estimated`` is True when the counts come from our
    tokenizer rather than from the provider's usage report.
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class ContextSnippet:
    """A window of another file offered to the model as context."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """What is sent to one model, independent of the wire format.

    FIM wire formats (``openai-completions`` with a suffix, ``mistral-fim``, ``ollama``, ``llamacpp-infill``)
    read ``prompt`` as the prefix and ``suffix`` as the text after the cursor. A raw template prompt has the
    template already applied in ``prompt`` and ``suffix`` is None. Chat wire formats read ``messages``.
    """

    model: str
    prompt: str = ""
    suffix: str | None = None
    messages: tuple[ChatMessage, ...] = ()
    snippets: tuple[ContextSnippet, ...] = ()
    max_tokens: int = 128
    temperature: float = 0.0
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of streamed answer text."""

    text: str


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The stream ended properly (terminator seen); usage when the provider reported it."""

    usage: Usage | None = None
    finish_reason: str | None = None


StreamEvent = TextDelta | StreamEnd
