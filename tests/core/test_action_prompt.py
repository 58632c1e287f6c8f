"""Table tests of the code actions' prompts and of where tests are written."""

from __future__ import annotations

import pytest

from lsp_complete.core.action_prompt import ActionInput, Problem, candidate_test_files, is_test_file, messages
from lsp_complete.core.types import ContextSnippet


def test_fix_prompt_carries_problems_context_and_the_region() -> None:
    data = ActionInput(
        action="fix",
        path="/w/app.py",
        language="python",
        code="def f(:\n    pass\n",
        first_line=9,
        before="import os\n",
        after="x = 1\n",
        problems=(Problem(9, "invalid syntax", "pyright"),),
    )
    system, user = messages(data)
    assert system.role == "system" and "ONLY the corrected" in system.content
    assert "- line 10: invalid syntax [pyright]" in user.content
    assert "lines 10-11" in user.content
    assert user.content.index("import os") < user.content.index("def f(:") < user.content.index("x = 1")


@pytest.mark.parametrize("action", ["explain", "fix", "docstring", "tests"])
def test_every_action_has_a_prompt_with_the_code(action: str) -> None:
    data = ActionInput(action=action, path="p.go", language="go", code="func f() {}\n", first_line=0)
    system, user = messages(data)
    assert "go" in system.content and "func f() {}" in user.content


def test_the_fence_is_longer_than_any_inside_the_code() -> None:
    code = 'doc = """\n```\nexample\n```\n"""\n'
    _, user = messages(ActionInput(action="explain", path="a.py", language="python", code=code, first_line=0))
    assert "````python\n" + code + "````" in user.content


def test_trimmed_selection_is_said_in_the_prompt() -> None:
    data = ActionInput(
        action="explain", path="a.py", language="python", code="x\n", first_line=0, trimmed_from=50_000
    )
    assert "50000 lines" in messages(data)[1].content


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError):
        messages(ActionInput(action="rm", path="a", language="", code="x", first_line=0))


@pytest.mark.parametrize(
    ("path", "language", "roots", "expected"),
    [
        (
            "/w/pkg/mod.py",
            "python",
            ["/w"],
            ["/w/tests/test_mod.py", "/w/pkg/tests/test_mod.py", "/w/pkg/test_mod.py"],
        ),
        ("/w/mod.py", "python", ["/w"], ["/w/tests/test_mod.py", "/w/test_mod.py"]),
        ("/w/x/srv.go", "go", ["/w"], ["/w/x/srv_test.go"]),
        ("/w/src/a.ts", "typescript", [], ["/w/src/__tests__/a.test.ts", "/w/src/a.test.ts"]),
        ("/w/lib.rb", "ruby", ["/w"], ["/w/tests/test_lib.rb", "/w/test_lib.rb"]),
    ],
)
def test_candidate_test_files(path: str, language: str, roots: list[str], expected: list[str]) -> None:
    assert candidate_test_files(path, language, roots) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/w/test_a.py", True), ("/w/a_test.go", True), ("/w/a.spec.ts", True), ("/w/contest.py", False)],
)
def test_is_test_file(path: str, expected: bool) -> None:
    assert is_test_file(path) is expected


def test_related_code_of_other_files_is_in_the_prompt_as_context() -> None:
    data = ActionInput(
        action="fix",
        path="/w/a.py",
        language="python",
        code="total(cart)\n",
        first_line=0,
        related=(ContextSnippet("/w/cart.py", "def total(cart):\n    return sum(cart)"),),
    )
    user = messages(data)[1].content
    assert "Related code in /w/cart.py (context only):" in user
    assert user.index("def total(cart)") < user.index("The region")
