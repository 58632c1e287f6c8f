"""Reading the workspace folder for the offline completer: size-capped, secret files never opened."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from lsp_complete.core.secrets import ExclusionRules

logger = logging.getLogger(__name__)

IGNORE_FILE = ".lsp-complete-ignore"
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024
MAX_FILES = 5000
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "dist",
        "build",
        "target",
        ".tox",
        ".idea",
        ".vscode",
    }
)
TEXT_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".ts",
        ".tsx",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".rb",
        ".php",
        ".swift",
        ".scala",
        ".lua",
        ".sh",
        ".bash",
        ".zsh",
        ".sql",
        ".html",
        ".css",
        ".scss",
        ".vue",
        ".svelte",
        ".md",
        ".rst",
        ".txt",
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".ex",
        ".exs",
        ".erl",
        ".hs",
        ".ml",
        ".clj",
        ".el",
        ".vim",
        ".dart",
        ".r",
        ".jl",
        ".zig",
        ".nim",
    }
)


def read_ignore_files(roots: Sequence[str]) -> dict[str, str]:
    """The ``.lsp-complete-ignore`` files directly in each root, by directory."""
    found: dict[str, str] = {}
    for root in roots:
        candidate = Path(root, IGNORE_FILE)
        try:
            found[root] = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return found


def scan(
    roots: Sequence[str], rules: ExclusionRules, max_total: int = MAX_TOTAL_BYTES
) -> Iterator[tuple[str, str]]:
    """(path, text) of the workspace's source files, skipping secrets, vendored trees and big files."""
    total = 0
    files = 0
    for root in roots:
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                path = os.path.join(directory, name)
                if Path(name).suffix.lower() not in TEXT_SUFFIXES or rules.is_excluded(path):
                    continue
                text = _read(path)
                if text is None:
                    continue
                total += len(text)
                files += 1
                if total > max_total or files > MAX_FILES:
                    logger.info(
                        "workspace index capped at %d bytes in %d files", total - len(text), files - 1
                    )
                    return
                yield path, text


def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None
