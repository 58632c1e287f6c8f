"""Golden table for the answer cleaner."""

from __future__ import annotations

import pytest

from lsp_complete.core import postprocess


@pytest.mark.parametrize(
    ("raw", "suffix", "max_lines", "finished", "expected"),
    [
        ("x + 1", "", 8, True, "x + 1"),
        ("   ", "", 8, True, ""),
        ("", ")", 8, True, ""),
        ("foo(bar)", ")", 8, True, "foo(bar"),
        ("foo(bar))", "))\n", 8, True, "foo(bar"),
        ("a = [1, 2]", "]", 8, True, "a = [1, 2"),
        ("name", "ing = 1", 8, True, "name"),
        ("a\nb\nc\nd", "", 2, True, "a\nb"),
        ("a\nb\nc", "", 8, False, "a\nb"),
        ("half a li", "", 8, False, ""),
        ("line one\r\nline two", "", 8, True, "line one\nline two"),
        ("x = 1   \n    y = 2  ", "", 8, True, "x = 1\n    y = 2"),
        ("return a\n\ndef g():\n    pass", "\n\ndef g():\n    pass", 8, True, "return a"),
        ("print('hi')", "')", 8, True, "print('hi"),
        ("value", "  # comment", 8, True, "value"),
    ],
)
def test_clean(raw: str, suffix: str, max_lines: int, finished: bool, expected: str) -> None:
    assert postprocess.clean(raw, suffix, max_lines, finished) == expected


# (name, prefix, raw, suffix, expected); max_lines 12, finished
GOLDEN = [
    # Python: block ends
    (
        "py dedent ends the body",
        "def f(x):\n    ",
        "y = x + 1\n    return y\n\ndef g():\n    pass",
        "",
        "y = x + 1\n    return y",
    ),
    ("py colon opens a block", "def f(x):", "\n    return x\n\nprint(f(1))", "", "\n    return x"),
    (
        "py else continues the if",
        "    if x:",
        "\n        a()\n    else:\n        b()\n    c()",
        "",
        "\n        a()\n    else:\n        b()",
    ),
    (
        "py one top-level def",
        "",
        "def f():\n    return 1\n\n\ndef g():\n    return 2",
        "",
        "def f():\n    return 1",
    ),
    (
        "py call arguments close the block",
        "result = compute(",
        "\n    alpha,\n    beta,\n)\nprint(result)",
        "",
        "\n    alpha,\n    beta,\n)",
    ),
    (
        "py statements at the same level stay",
        "def f():\n    ",
        "a = 1\n    b = 2\n    return a + b",
        "",
        "a = 1\n    b = 2\n    return a + b",
    ),
    # Python: echoes and loops
    ("py echo of the previous line", "x = compute()\n", "x = compute()\ny = x * 2", "", "y = x * 2"),
    (
        "py echo with typed indentation",
        "    total = 0\n    ",
        "total = 0\n    for i in items:",
        "",
        "for i in items:",
    ),
    ("py echo mid-line is dropped", "    a.append(1)\n    a.app", "end(1)", "", ""),
    ("short previous line is no echo", "  }\n", "}\nfoo()", "", "}\nfoo()"),
    ("consecutive duplicate lines", "", "a = 1\nb = 2\nb = 2\nb = 2", "", "a = 1\nb = 2"),
    ("a two-line loop", "", "x()\ny()\nx()\ny()\nx()\ny()", "", "x()\ny()"),
    ("a block repeated twice is kept", "", "x()\ny()\nx()\ny()", "", "x()\ny()\nx()\ny()"),
    ("line-end loop on the first line", "", "foo(foo(foo(foo(foo(foo(", "", ""),
    ("line-end loop on a later line", "", "a = 1\nb = self.self.self.self.self.self.", "", "a = 1"),
    (
        "a long unit three times",
        "",
        "ok = 1\nreturn compute_total(compute_total(compute_total(",
        "",
        "ok = 1",
    ),
    (
        "separator comment kept",
        "",
        "# ------------------------------",
        "",
        "# ------------------------------",
    ),
    ("a row of numbers kept", "", "0, 0, 0, 0, 0, 0,", "", "0, 0, 0, 0, 0, 0,"),
    ("a closer loop", "", "}\n}\n}\n}", "", "}"),
    # JS / TS braces
    (
        "js function body then stop",
        "function f(a) {",
        "\n  return a + 1;\n}\n\nfunction g() {\n  return 2;\n}",
        "",
        "\n  return a + 1;\n}",
    ),
    ("js closing brace already below", "function f(a) {", "\n  return a + 1;\n}", "\n}", "\n  return a + 1;"),
    (
        "js object closer kept then stop",
        "const o = {\n  a: 1,\n  ",
        "b: 2,\n};\n\nexport default o;",
        "",
        "b: 2,\n};",
    ),
    (
        "ts inner block brace is not the outer one",
        "function f(x: number) {\n  ",
        "if (x) {\n    y();\n  }\n  return z;\n}",
        "\n}",
        "if (x) {\n    y();\n  }",
    ),
    (
        "js else branch continues",
        "  if (a) {",
        "\n    b();\n  } else {\n    c();\n  }\n  d();",
        "",
        "\n    b();\n  } else {\n    c();\n  }",
    ),
    # closers the suffix already has
    ("py signature before an existing paren", "def f(", "x, y):", ")", "x, y"),
    ("js args before ') {'", "  foo(", "a, b) {", ") {", "a, b"),
    ("closer before more arguments", "call(", "a)", ", c)", "a"),
    ("paren inside a string is no closer", "print(", "')')", ")", "')'"),
    (
        "multi-line args before the closer",
        "result = compute(",
        "\n    alpha,\n    beta,\n)",
        ")",
        "\n    alpha,\n    beta,\n",
    ),
    ("closers the prefix left open are kept", "foo(bar(", "x), y", ")", "x), y"),
    ("open brackets on earlier lines count", "foo(\n    bar(", "x), y", ")", "x), y"),
    ("one closer too many", "foo(bar(", "x)), y", ")", "x"),
    ("another kind of closer is left alone", "f(", "a] + b", ")", "a] + b"),
    # answers that repeat the text after the cursor
    ("equals the rest of the line", "x = ", "compute()", "compute()\n", ""),
    ("equals the rest of the line but spaces", "    ", "return x ", "return x\n", ""),
    ("equals the next lines", "def f():\n", "    a = 1\n    b = 2", "    a = 1\n    b = 2\n", ""),
    ("a start of the suffix is not an echo", "x = ", "comp", "compute()", "comp"),
    # pathological
    ("only newlines", "x = 1\n", "\n\n\n", "", ""),
    ("cut stream keeps whole lines", "def f():\n    ", "a = 1\n    b = 2\n    ret", "", "a = 1\n    b = 2"),
]


@pytest.mark.parametrize(
    ("prefix", "raw", "suffix", "expected"), [row[1:] for row in GOLDEN], ids=[row[0] for row in GOLDEN]
)
def test_clean_with_prefix(prefix: str, raw: str, suffix: str, expected: str) -> None:
    finished = not raw.endswith("ret")
    assert postprocess.clean(raw, suffix, 12, finished, prefix=prefix) == expected


@pytest.mark.parametrize(
    ("line", "brackets"),
    [
        ("f(a[1], {b})", "([]{})"),
        ("s = ')' + \"(\"", ""),
        ("x = 1  # (not code", ""),
        ("y(  // )", "("),
        ("#[derive(Debug)]", "[()]"),
        ("'unterminated ( (", ""),
        ("'esc\\'(' + (", "("),
    ],
)
def test_code_brackets(line: str, brackets: str) -> None:
    assert "".join(ch for _, ch in postprocess.code_brackets(line)) == brackets
