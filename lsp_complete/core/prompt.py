"""Prompt building: budget split, FIM templates, chat prompts and their answers, file-name headers.

Pure: token counting is a parameter (``count``), so this module never imports a tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lsp_complete.core.types import ChatMessage, ContextSnippet

__all__ = [
    "FIM_TEMPLATES",
    "FimTemplate",
    "chat_messages",
    "comment_header",
    "cursor_marker",
    "parse_chat_answer",
    "split_budget",
]

Count = Callable[[str], int]


def _take_prefix_lines(prefix: str, end: int, count: Count, budget: int) -> tuple[int, int]:
    """Extend a prefix cut backwards from ``end`` by whole lines while they fit: (new start, tokens used)."""
    used = 0
    while end > 0:
        start = prefix.rfind("\n", 0, end - 1) + 1  # prefix[end - 1] is the newline ending the line
        cost = count(prefix[start:end])
        if used + cost > budget:
            break
        used += cost
        end = start
    return end, used


def _take_suffix_lines(suffix: str, start: int, count: Count, budget: int) -> tuple[int, int]:
    """Extend a suffix cut forwards from ``start`` by whole lines while they fit: (new end, tokens used)."""
    used = 0
    while start < len(suffix):
        nl = suffix.find("\n", start + 1)  # suffix[start] is the newline that starts the line
        end = len(suffix) if nl < 0 else nl
        cost = count(suffix[start:end])
        if used + cost > budget:
            break
        used += cost
        start = end
    return start, used


def split_budget(
    prefix: str, suffix: str, count: Count, budget_tokens: int, prefix_share: float
) -> tuple[str, str]:
    """Keep the end of ``prefix`` and the start of ``suffix`` within ``budget_tokens``, cutting at lines.

    The cursor's own line is always kept whole (the prefix's last line and the suffix's first line), even
    past the budget. The prefix may use ``prefix_share`` of the budget and the suffix the rest; whatever one
    side leaves unused then goes to the other (prefix first). A line is taken only whole and only if every
    line between it and the cursor was taken. Lines are counted one by one from the cursor outwards, so the
    cost depends on the lines kept, not on the size of the texts; the total is the sum of the per-line counts.
    """
    share = min(max(prefix_share, 0.0), 1.0)
    budget = max(budget_tokens, 0)
    p_cut = prefix.rfind("\n") + 1  # the prefix's last (partial) line starts here
    s_cut = suffix.find("\n")  # the suffix's first (partial) line ends here
    s_cut = len(suffix) if s_cut < 0 else s_cut
    left = budget - count(prefix[p_cut:]) - count(suffix[:s_cut])
    if left > 0:
        p_budget = int(left * share)
        p_cut, p_used = _take_prefix_lines(prefix, p_cut, count, p_budget)
        s_cut, s_used = _take_suffix_lines(suffix, s_cut, count, left - p_budget)
        spare = left - p_used - s_used
        p_cut, p_more = _take_prefix_lines(prefix, p_cut, count, spare)
        s_cut, _ = _take_suffix_lines(suffix, s_cut, count, spare - p_more)
    return prefix[p_cut:], suffix[:s_cut]


@dataclass(frozen=True, slots=True)
class FimTemplate:
    """A raw fill-in-the-middle prompt format of one model family (provider-apis.md §9)."""

    name: str
    template: str  # with {prefix} and {suffix}; literal text everywhere else
    stop: tuple[str, ...]
    file_header: str = ""  # with {filename}; put before the template when a file name is given

    def render(self, prefix: str, suffix: str, filename: str | None = None) -> str:
        """The prompt text. ``filename`` is used only by formats that have a file marker (qwen); for the
        others put ``comment_header(path, language)`` at the top of the prefix instead."""
        head = self.file_header.replace("{filename}", filename) if filename and self.file_header else ""
        before, _, rest = self.template.partition("{prefix}")
        if "{suffix}" in before:  # suffix-first formats (codestral)
            first, _, middle = before.partition("{suffix}")
            return head + first + suffix + middle + prefix + rest
        middle, _, after = rest.partition("{suffix}")
        return head + before + prefix + middle + suffix + after


_QWEN_MARKERS = ("<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>")
_DEEPSEEK_MARKERS = ("<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>")

FIM_TEMPLATES: Mapping[str, FimTemplate] = MappingProxyType(
    {
        t.name: t
        for t in (
            FimTemplate(
                "qwen",
                "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
                ("<|endoftext|>", *_QWEN_MARKERS, "<|file_sep|>", "<|im_start|>", "<|im_end|>"),
                file_header="<|file_sep|>{filename}\n",
            ),
            FimTemplate(
                "deepseek",
                "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
                ("<｜end▁of▁sentence｜>", "<|EOT|>", *_DEEPSEEK_MARKERS),
            ),
            FimTemplate(
                "starcoder",
                "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
                ("<|endoftext|>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
            ),
            FimTemplate("codellama", "<PRE> {prefix} <SUF>{suffix} <MID>", ("<EOT>", "</s>")),
            # BOS (<s>) is left to the server's tokenizer, which adds it to raw prompts.
            FimTemplate("codestral", "[SUFFIX]{suffix}[PREFIX]{prefix}", ("</s>", "[PREFIX]", "[SUFFIX]")),
            FimTemplate(
                "codegemma",
                "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
                ("<|file_separator|>", "<end_of_turn>", "<eos>"),
            ),
        )
    }
)
"""Raw FIM formats by family name; exact markers and stop strings from provider-apis.md §9."""


_MARKERS = ("<CURSOR>", "<|CURSOR|>", "<<<CURSOR>>>", "⟦CURSOR⟧", "<|fill-here|>", "@@CURSOR_7f3a@@")


def cursor_marker(prefix: str, suffix: str) -> str:
    """The first marker of a fixed list that occurs in neither text (the same answer for the same texts)."""
    for marker in _MARKERS:
        if marker not in prefix and marker not in suffix:
            return marker
    n = 0
    while f"@@CURSOR_{n}@@" in prefix or f"@@CURSOR_{n}@@" in suffix:
        n += 1
    return f"@@CURSOR_{n}@@"


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * (longest + 1)


def chat_messages(
    prefix: str, suffix: str, language: str, path: str, snippets: Sequence[ContextSnippet] = ()
) -> tuple[ChatMessage, ...]:
    """A system and a user message asking a chat model for the text to insert at the cursor."""
    marker = cursor_marker(prefix, suffix)
    system = (
        f"You are a code completion engine. Reply with ONLY the code to insert at {marker}: "
        "no explanation, no markdown fences, and do not repeat code that is already before or after "
        f"{marker}. Keep the indentation of the surrounding code. If nothing fits, reply with nothing."
    )
    parts: list[str] = []
    for snippet in snippets:
        fence = _fence(snippet.text)
        parts.append(f"File {snippet.path} (context):\n{fence}\n{snippet.text}\n{fence}\n")
    body = f"{prefix}{marker}{suffix}"
    fence = _fence(body)
    parts.append(f"File {path} ({language}); complete at {marker}:\n{fence}{language}\n{body}\n{fence}")
    return ChatMessage("system", system), ChatMessage("user", "\n".join(parts))


_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_OPEN_FENCE = re.compile(r"\A\s*(`{3,}|~{3,})[^\n]*\n")


def _unfence(answer: str) -> str:
    match = _FENCED.search(answer)
    if match:
        return match.group(2).removesuffix("\n")
    opened = _OPEN_FENCE.match(answer)  # a stream cut before its closing fence
    return answer[opened.end() :] if opened else answer


def _drop_prefix_echo(answer: str, prefix: str) -> str:
    lines = answer.split("\n")
    cut = prefix.rfind("\n")
    current = prefix[cut + 1 :]
    start = cut
    for _ in range(50):  # at most the 50 lines before the cursor's, without splitting a huge prefix
        if start <= 0:
            break
        start = prefix.rfind("\n", 0, start)
    before = prefix[start + 1 : cut].split("\n") if cut >= 0 else []
    for k in range(min(len(before), len(lines) - 1), 0, -1):
        echoed = lines[:k]
        if any(s.strip() for s in echoed) and [s.strip() for s in echoed] == [s.strip() for s in before[-k:]]:
            lines = lines[k:]
            break
    first = lines[0]
    if current.strip() and first.lstrip().startswith(current.lstrip()):
        lines[0] = first.lstrip()[len(current.lstrip()) :]
    elif current and first.startswith(current):
        lines[0] = first[len(current) :]
    return "\n".join(lines)


def _same_line(a: str, b: str) -> bool:
    short = len(b.strip()) < 4 or not re.search(r"\w", b)  # brackets: indentation must agree too
    return a.rstrip() == b.rstrip() if short else a.strip() == b.strip()


def _drop_suffix_echo(answer: str, suffix: str) -> str:
    eol = suffix.find("\n")
    rest = (suffix if eol < 0 else suffix[:eol]).strip()
    if rest and answer.rstrip().endswith(rest):  # repeats the rest of the cursor's line
        answer = answer.rstrip()[: -len(rest)]
    target, start = "", 0
    for _ in range(20):  # the first non-blank line among the next 20, without splitting a huge suffix
        end = suffix.find("\n", start)
        line = suffix[start:] if end < 0 else suffix[start:end]
        if line.strip() or end < 0:
            target = line
            break
        start = end + 1
    if target.strip():
        lines = answer.split("\n")
        for i in range(len(lines)):
            if _same_line(lines[i], target):
                return "\n".join(lines[:i])
    return answer


def parse_chat_answer(answer: str, prefix: str, suffix: str) -> str:
    """The text to insert, from a chat model's answer to ``chat_messages(prefix, suffix, ...)``.

    Takes the first fenced block when there is one (prose around it is dropped), removes the cursor
    marker, a leading echo of the prefix's last lines and of the cursor line already typed, and cuts where
    the answer starts repeating the suffix (its first non-blank line, or the rest of the cursor line).
    """
    text = _unfence(answer.replace("\r\n", "\n"))
    for marker in (*_MARKERS, cursor_marker(prefix, suffix)):
        if marker not in prefix and marker not in suffix:
            text = text.replace(marker, "")
    text = _drop_prefix_echo(text, prefix)
    text = _drop_suffix_echo(text, suffix)
    return re.sub(r"\n\s*\Z", "", text)


_HASH = "python shellscript sh bash zsh fish ruby perl r yaml toml dockerfile makefile powershell elixir \
nim julia coffeescript cmake graphql nix terraform gitignore properties starlark crystal"
_SLASH = "c cpp objective-c objective-cpp csharp java javascript javascriptreact typescript typescriptreact \
go rust swift kotlin scala dart php groovy zig jsonc proto solidity glsl hlsl verilog d fsharp less scss \
cuda vue svelte"
_DASH = "lua sql haskell elm ada vhdl purescript agda idris plsql"
_ANGLE = "html markdown xml svg xsl xhtml"
_SEMI = "lisp clojure scheme racket commonlisp emacs-lisp elisp fennel ini asm nasm"
_PERCENT = "latex tex bibtex erlang matlab prolog octave"
_WRAP: dict[str, tuple[str, str]] = {
    **{lang: ("# ", "") for lang in _HASH.split()},
    **{lang: ("// ", "") for lang in _SLASH.split()},
    **{lang: ("-- ", "") for lang in _DASH.split()},
    **{lang: ("<!-- ", " -->") for lang in _ANGLE.split()},
    **{lang: ("; ", "") for lang in _SEMI.split()},
    **{lang: ("% ", "") for lang in _PERCENT.split()},
    "css": ("/* ", " */"),
    "ocaml": ("(* ", " *)"),
    "vim": ('" ', ""),
    "bat": ("REM ", ""),
    "fortran": ("! ", ""),
}


def comment_header(path: str, language_id: str) -> str:
    """``path`` as a one-line comment in the syntax of LSP ``language_id`` (no newline); "" when unknown."""
    wrap = _WRAP.get(language_id.lower())
    if wrap is None or "\n" in path:
        return ""
    start, end = wrap
    if end and end.strip() in path:
        return ""
    return f"{start}{path}{end}"
