"""The chat prompt of each code action (explain, fix, docstring, tests) and where tests go.

Pure text in, ``ChatMessage`` tuples out. The code is fenced with a fence longer than any inside it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsp_complete.core.types import ChatMessage, ContextSnippet

ACTIONS: tuple[str, ...] = ("explain", "fix", "docstring", "tests")


@dataclass(frozen=True, slots=True)
class Problem:
    """A diagnostic the editor showed, by 0-based line."""

    line: int
    message: str
    source: str = ""
    severity: str = ""


@dataclass(frozen=True, slots=True)
class ActionInput:
    """What one action is about: the region's text and the text just around it."""

    action: str
    path: str
    language: str
    code: str
    first_line: int  # 0-based line of ``code`` in the file
    before: str = ""
    after: str = ""
    problems: tuple[Problem, ...] = ()
    trimmed_from: int | None = None  # lines the selection had before it was cut to the budget
    test_path: str = ""
    related: tuple[ContextSnippet, ...] = ()  # windows of other files that share identifiers with the code


def fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``."""
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * (longest + 1)


def _block(text: str, language: str) -> str:
    f = fence(text)
    return f"{f}{language}\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}{f}"


_SYSTEM = {
    "explain": (
        "You are a senior {language} engineer explaining code to a colleague. Answer in Markdown: first a "
        "one-paragraph summary, then how it works step by step, then any bugs, edge cases or risks you see. "
        "Be concise and concrete; quote identifiers in backticks."
    ),
    "fix": (
        "You are a senior {language} engineer fixing code. Reply with ONLY the corrected version of the "
        "region between the markers, in one fenced code block: the whole region, same indentation, nothing "
        "outside it, no explanation. Change as little as needed to fix the listed problems."
    ),
    "docstring": (
        "You are a senior {language} engineer documenting code. Reply with ONLY the region between the "
        "markers in one fenced code block, with an idiomatic docstring or doc comment added to each "
        "function or class that lacks one. Do not change any other line."
    ),
    "tests": (
        "You are a senior {language} engineer writing unit tests. Reply with ONLY test code in one fenced "
        "code block, for {test_path}: the imports it needs and focused tests of the behaviour of the "
        "region between the markers, including edge cases. Use {framework}."
    ),
}
_FRAMEWORK = {
    "python": "pytest",
    "javascript": "the test runner the file's imports suggest (default: node:test)",
    "typescript": "the test runner the file's imports suggest (default: vitest)",
    "go": "the standard testing package",
    "rust": "#[cfg(test)] tests",
}


def messages(data: ActionInput) -> tuple[ChatMessage, ...]:
    """The system and user messages for ``data.action``."""
    if data.action not in _SYSTEM:
        raise ValueError(f"unknown action {data.action!r}")
    language = data.language or "code"
    system = _SYSTEM[data.action].format(
        language=language,
        test_path=data.test_path or "a new test file",
        framework=_FRAMEWORK.get(data.language, "the usual test framework of the language"),
    )
    parts = [f"File: {data.path} ({language})"]
    if data.trimmed_from is not None:
        parts.append(f"(The selection had {data.trimmed_from} lines; only the part shown fits the budget.)")
    if data.problems:
        listed = "\n".join(
            f"- line {p.line + 1}: {p.message}" + (f" [{p.source}]" if p.source else "")
            for p in data.problems
        )
        parts.append(f"Problems reported by the editor:\n{listed}")
    for snippet in data.related:
        parts.append(f"Related code in {snippet.path} (context only):\n" + _block(snippet.text, language))
    if data.before:
        parts.append("Code before the region (context, do not repeat):\n" + _block(data.before, language))
    last = data.first_line + max(1, data.code.count("\n") + (0 if data.code.endswith("\n") else 1))
    parts.append(
        f"The region (lines {data.first_line + 1}-{last}), between the markers:\n"
        f"<<<REGION\n{_block(data.code, language)}\nREGION>>>"
    )
    if data.after:
        parts.append("Code after the region (context, do not repeat):\n" + _block(data.after, language))
    return ChatMessage("system", system), ChatMessage("user", "\n\n".join(parts))


_TEST_NAME = {
    "python": ("test_{stem}.py", "tests"),
    "go": ("{stem}_test.go", ""),
    "javascript": ("{stem}.test{ext}", "__tests__"),
    "typescript": ("{stem}.test{ext}", "__tests__"),
    "javascriptreact": ("{stem}.test{ext}", "__tests__"),
    "typescriptreact": ("{stem}.test{ext}", "__tests__"),
}


def candidate_test_files(path: str, language: str, roots: Sequence[str] = ()) -> list[str]:
    """Where the tests of ``path`` usually live, most likely first; the last one is "next to it".

    The caller takes the first that exists, else creates the last one.
    """
    directory, name = posixpath.split(path)
    stem, ext = posixpath.splitext(name)
    pattern, folder = _TEST_NAME.get(language, ("test_{stem}{ext}", "tests"))
    test_name = pattern.format(stem=stem, ext=ext)
    out: list[str] = []
    root = next((r for r in sorted(roots, key=len, reverse=True) if path.startswith(r.rstrip("/") + "/")), "")
    if folder:
        if root:
            out.append(posixpath.join(root, folder, test_name))
        out.append(posixpath.join(directory, folder, test_name))
    out.append(posixpath.join(directory, test_name))
    return list(dict.fromkeys(out))


def is_test_file(path: str) -> bool:
    """True for a file that is itself a test file (no tests are written for tests)."""
    name = posixpath.basename(path)
    return bool(re.match(r"test_|.*(_test|\.test|\.spec)\.", name))
