"""lsp_complete.core.prompt: budget split, FIM templates, chat prompts and answer parsing, file headers."""

from __future__ import annotations

import pytest

from lsp_complete.core.prompt import (
    FIM_TEMPLATES,
    chat_messages,
    comment_header,
    cursor_marker,
    parse_chat_answer,
    split_budget,
)
from lsp_complete.core.types import ContextSnippet

PRE = "l1\nl2\nl3\ncur"  # prefix lines cost 3 each with count=len
SUF = "R\nm1\nm2\nm3"  # suffix lines ("\nm1") cost 3 each
BRACES = "if (a) {\n    b();\n  }\n  return c;"


@pytest.mark.parametrize(
    ("prefix", "suffix", "budget", "share", "expected"),
    [
        ("a\nbb\nccc\ncur", "rest\nxx\nyyy\n", 1000, 0.5, ("a\nbb\nccc\ncur", "rest\nxx\nyyy\n")),
        (PRE, SUF, 0, 0.5, ("cur", "R")),
        (PRE, SUF, -5, 0.5, ("cur", "R")),
        ("x\n" + "y" * 50, "z" * 40 + "\nq", 10, 0.5, ("y" * 50, "z" * 40)),  # cursor lines always kept
        (PRE, SUF, 4 + 6, 0.5, ("l3\ncur", "R\nm1")),
        (PRE, SUF, 4 + 9, 0.5, ("l2\nl3\ncur", "R\nm1")),  # both sides' leftovers pooled, prefix first
        (PRE, SUF, 4 + 12, 0.5, ("l2\nl3\ncur", "R\nm1\nm2")),
        ("cur", SUF, 4 + 6, 0.5, ("cur", "R\nm1\nm2")),  # prefix has no lines: its share flows to the suffix
        (PRE, "R", 4 + 6, 0.5, ("l2\nl3\ncur", "R")),  # and the other way round
        (PRE, SUF, 4 + 6, 1.0, ("l2\nl3\ncur", "R")),
        (PRE, SUF, 4 + 6, 0.0, ("cur", "R\nm1\nm2")),
        (PRE, SUF, 4 + 6, 7.0, ("l2\nl3\ncur", "R")),  # share clamped to [0, 1]
        ("l1\nlong_line_here\nl3\ncur", "R", 4 + 8, 1.0, ("l3\ncur", "R")),  # whole lines, contiguous
        ("a\nb\n", "\nc\nd", 4, 0.5, ("b\n", "\nc")),  # cursor at a line start / end
        ("", "", 10, 0.5, ("", "")),
        ("p\r\nq\r\ncur", "R\r\nm", 100, 0.5, ("p\r\nq\r\ncur", "R\r\nm")),
    ],
)
def test_split_budget(prefix: str, suffix: str, budget: int, share: float, expected: tuple[str, str]) -> None:
    assert split_budget(prefix, suffix, len, budget, share) == expected
    assert split_budget(prefix, suffix, len, budget, share) == expected  # deterministic


def test_split_budget_counts_only_the_lines_it_needs() -> None:
    prefix = "x = compute(1, 2, 3)\n" * 500_000 + "    return "  # ~10 MB
    suffix = "\n" + "y = 2\n" * 500_000
    counted: list[int] = []

    def count(text: str) -> int:
        counted.append(len(text))
        return len(text.split()) + 1

    p, s = split_budget(prefix, suffix, count, 200, 0.75)
    assert p.endswith("x = compute(1, 2, 3)\n    return ") and p.startswith("x =")
    assert s.startswith("\ny = 2") and prefix.endswith(p) and suffix.startswith(s)
    assert sum(counted) < 2_000
    assert sum(count(line) for line in p.splitlines(keepends=True)) <= 200


@pytest.mark.parametrize(
    ("name", "expected", "stops"),
    [
        ("qwen", "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>", {"<|endoftext|>", "<|file_sep|>"}),
        (
            "deepseek",
            "<\uff5cfim\u2581begin\uff5c>P<\uff5cfim\u2581hole\uff5c>S<\uff5cfim\u2581end\uff5c>",
            {"<\uff5cend\u2581of\u2581sentence\uff5c>", "<|EOT|>", "<\uff5cfim\u2581hole\uff5c>"},
        ),
        ("starcoder", "<fim_prefix>P<fim_suffix>S<fim_middle>", {"<|endoftext|>", "<file_sep>"}),
        ("codellama", "<PRE> P <SUF>S <MID>", {"<EOT>", "</s>"}),
        ("codestral", "[SUFFIX]S[PREFIX]P", {"</s>", "[PREFIX]", "[SUFFIX]"}),
        ("codegemma", "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>", {"<|file_separator|>", "<eos>"}),
    ],
)
def test_fim_templates(name: str, expected: str, stops: set[str]) -> None:
    template = FIM_TEMPLATES[name]
    assert template.render("P", "S") == expected
    assert stops <= set(template.stop)
    tricky = template.render("{suffix}{prefix}", "{prefix}")  # braces in the code are literal text
    assert "{suffix}{prefix}" in tricky and tricky.count("{prefix}") == 2


def test_qwen_stops_and_file_header() -> None:
    qwen = FIM_TEMPLATES["qwen"]
    assert len(qwen.stop) == 9
    assert qwen.render("P", "S", filename="src/a.py") == (
        "<|file_sep|>src/a.py\n<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"
    )
    assert FIM_TEMPLATES["codellama"].render("P", "S", filename="a.py") == "<PRE> P <SUF>S <MID>"


def test_cursor_marker_avoids_text() -> None:
    assert cursor_marker("a", "b") == "<CURSOR>"
    assert cursor_marker("x = '<CURSOR>'", "") == "<|CURSOR|>"
    assert cursor_marker("<CURSOR><|CURSOR|>", "<<<CURSOR>>>") == "⟦CURSOR⟧"


def test_chat_messages() -> None:
    snippets = (ContextSnippet("lib/util.py", "def helper():\n    pass\n"),)
    system, user = chat_messages("def f(x):\n    ", "\n\nf(1)\n", "python", "src/main.py", snippets)
    assert system.role == "system" and user.role == "user"
    assert "ONLY" in system.content and "<CURSOR>" in system.content and "fence" in system.content
    assert "def f(x):\n    <CURSOR>\n\nf(1)\n" in user.content
    assert user.content.index("lib/util.py") < user.content.index("src/main.py")
    assert "def helper():" in user.content


def test_chat_messages_marker_and_fences_adapt() -> None:
    system, user = chat_messages("s = '<CURSOR>'\n```\n", "", "markdown", "README.md")
    assert "<|CURSOR|>" in system.content and "<|CURSOR|>" in user.content
    assert "````markdown\n" in user.content


@pytest.mark.parametrize(
    ("answer", "prefix", "suffix", "expected"),
    [
        ("return x", "def f(x):\n    ", "\n", "return x"),
        ("```python\nreturn x\n```", "def f(x):\n    ", "", "return x"),
        ("Here is the code:\n```py\nreturn x\n```\nThis returns x.", "def f(x):\n    ", "", "return x"),
        ("```python\nreturn x", "def f(x):\n    ", "", "return x"),  # stream cut before the fence closed
        ("~~~\nreturn x\n~~~", "", "", "return x"),
        ("```js\r\nfoo();\r\n```", "", "", "foo();"),
        ("```\nfirst()\n```\nor\n```\nsecond()\n```", "", "", "first()"),
        ("def foo(a, b):", "def foo(", "", "a, b):"),  # echo of the typed part of the cursor line
        ("def foo(self):", "class A:\n    def foo(", "", "self):"),
        ("def f(x):\n    return x", "import os\ndef f(x):\n    ", "", "return x"),  # echo of whole lines
        ("import os\ndef f(x):\n    return x", "import os\ndef f(x):\n    ", "", "return x"),
        ("    return x", "def f(x):\n    ", "", "return x"),
        ("return x<CURSOR>", "def f(x):\n    ", "", "return x"),
        ("<CURSOR>compute()", "y = ", "", "compute()"),
        ("return x\n\ndef g():\n    pass", "def f(x):\n    ", "\n\ndef g():\n    pass\n", "return x"),
        ("x)", "print(", ")\n", "x"),  # the rest of the cursor line is already there
        (")", "print(", ")\n", ""),
        ("a,\n    b\n)", "f(\n    ", ")\n", "a,\n    b"),
        ("return x\n\n", "def f(x):\n    ", "", "return x"),
        (BRACES + "\n}", "function f() {\n  ", "\n}\n", BRACES),  # a "}" line must match exactly
        ("b = 2", "a = 1\n", "b = 2\n", ""),  # only repeats the next line
        ("\n    return 1", "def f():", "", "\n    return 1"),  # a leading newline is the insertion
        ("", "x", "y", ""),
        ("total += n", "for n in xs:\n    tot", "", "al += n"),
    ],
)
def test_parse_chat_answer(answer: str, prefix: str, suffix: str, expected: str) -> None:
    assert parse_chat_answer(answer, prefix, suffix) == expected


def test_parse_chat_answer_keeps_a_marker_that_is_real_text() -> None:
    prefix = "html = '<CURSOR>' + "
    assert parse_chat_answer("'<CURSOR>'<|CURSOR|>", prefix, "") == "'<CURSOR>'"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("python", "# src/a.b"),
        ("shellscript", "# src/a.b"),
        ("ruby", "# src/a.b"),
        ("yaml", "# src/a.b"),
        ("toml", "# src/a.b"),
        ("c", "// src/a.b"),
        ("typescriptreact", "// src/a.b"),
        ("go", "// src/a.b"),
        ("rust", "// src/a.b"),
        ("java", "// src/a.b"),
        ("lua", "-- src/a.b"),
        ("sql", "-- src/a.b"),
        ("haskell", "-- src/a.b"),
        ("html", "<!-- src/a.b -->"),
        ("markdown", "<!-- src/a.b -->"),
        ("xml", "<!-- src/a.b -->"),
        ("clojure", "; src/a.b"),
        ("scheme", "; src/a.b"),
        ("css", "/* src/a.b */"),
        ("latex", "% src/a.b"),
        ("Python", "# src/a.b"),
        ("plaintext", ""),
        ("", ""),
    ],
)
def test_comment_header(language: str, expected: str) -> None:
    assert comment_header("src/a.b", language) == expected


def test_comment_header_refuses_paths_that_break_the_comment() -> None:
    assert comment_header("a-->b.html", "html") == ""
    assert comment_header("a\nb.py", "python") == ""
