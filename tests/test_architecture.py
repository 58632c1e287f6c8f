"""The import rules of ARCHITECTURE.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lsp_complete"
MODULES = sorted(PACKAGE.rglob("*.py"))

HOME = {"httpx": "providers", "pygls": "lsp", "lsprotocol": "lsp"}
CORE_ALLOWED_INTERNAL = ("lsp_complete.core", "lsp_complete.errors")


def imports_of(path: Path) -> set[str]:
    """Every module name imported by the file at ``path``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def area(path: Path) -> str:
    """The subpackage a module belongs to ('' for top-level modules)."""
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else ""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_rules(path: Path) -> None:
    top_levels = {name.split(".")[0] for name in imports_of(path)}
    for library, home in HOME.items():
        if library in top_levels:
            assert area(path) == home, f"{path.name} imports {library}, which only {home}/ may import"
    if area(path) == "core":
        forbidden = top_levels & {
            "httpx",
            "pygls",
            "lsprotocol",
            "asyncio",
            "socket",
            "subprocess",
            "tiktoken",
            "threading",
            "urllib.request",
            "os",
            "pathlib",
        }
        assert not forbidden, f"core module {path.name} imports {forbidden}"
        internal = {n for n in imports_of(path) if n.startswith("lsp_complete")}
        assert all(n.startswith(CORE_ALLOWED_INTERNAL) for n in internal), internal


def test_rules_see_every_package() -> None:
    assert {area(p) for p in MODULES} >= {"", "core", "lsp", "providers"}


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import httpx\nfrom pygls.server import Server\n", encoding="utf-8")
    assert imports_of(sample) == {"httpx", "pygls.server"}
