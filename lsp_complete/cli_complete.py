"""The ``complete`` and ``config`` commands: the server's pipeline, run once from the shell."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from lsp_complete import config, tokens
from lsp_complete.core.document import PositionEncoding
from lsp_complete.engine import Completion, CompletionQuery
from lsp_complete.session import Session

LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".cpp": "cpp",
    ".rb": "ruby",
    ".lua": "lua",
    ".sh": "shellscript",
}


def parse_location(location: str) -> tuple[Path, int, int]:
    """``PATH:LINE:COL`` (1-based) split into its parts; ValueError with a one-line reason."""
    path, _, rest = location.rpartition(":")
    path, _, line = path.rpartition(":")
    if not path or not line.isdigit() or not rest.isdigit() or int(line) < 1 or int(rest) < 1:
        raise ValueError(f"expected PATH:LINE:COL with 1-based numbers, got {location!r}")
    return Path(path), int(line), int(rest)


def run(location: str, as_json: bool = False) -> int:
    """Complete once at ``location`` and print the suggestion and what it cost."""
    try:
        path, line, column = parse_location(location)
        text = path.read_text(encoding="utf-8")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        print(f"lsp-complete: error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    session = Session(os.environ)
    if _config_errors(session.startup_problems, session):
        return 2
    uri = path.resolve().as_uri()
    session.open_document(uri, text, 1, LANGUAGES.get(path.suffix.lower(), path.suffix.lstrip(".")))
    doc = session.documents[uri]
    offset = doc.offset_at(line - 1, column - 1, PositionEncoding.UTF32)
    if offset is None:
        print(f"lsp-complete: error: {path} has no line {line}", file=sys.stderr)
        return 2
    if session.is_excluded(uri):
        print(f"lsp-complete: {path} matches a secret-file pattern; it is never completed", file=sys.stderr)
        return 1
    tokens.warm_up()
    query = CompletionQuery(uri=uri, offset=offset, version=1, kind="inline", invoked=True)
    completions = asyncio.run(_complete(session, query))
    total_ms = (time.perf_counter() - started) * 1000
    if not completions:
        print("lsp-complete: no suggestion at this position", file=sys.stderr)
        return 1
    _print(completions[0], total_ms, as_json)
    return 0


async def _complete(session: Session, query: CompletionQuery) -> list[Completion]:
    try:
        return await session.complete(query)
    finally:
        await session.aclose()


def _print(c: Completion, total_ms: float, as_json: bool) -> None:
    usage = c.usage
    record = {
        "text": c.text,
        "source": c.source,
        "latencyMs": round(c.latency_ms, 2),
        "totalMs": round(total_ms, 1),
        "inputTokens": usage.input_tokens if usage else 0,
        "cachedInputTokens": usage.cached_input_tokens if usage else 0,
        "outputTokens": usage.output_tokens if usage else 0,
        "costUsd": c.cost_usd if c.cost_usd is not None else (0.0 if c.source == "local" else None),
    }
    if as_json:
        print(json.dumps(record, ensure_ascii=False))
        return
    cost = "unknown" if record["costUsd"] is None else f"${record['costUsd']:.6f}"
    print(c.text)
    print(
        f"-- {c.source} · {c.latency_ms:.1f} ms (process {total_ms:.0f} ms)"
        f" · tokens in {record['inputTokens']}"
        f" (cached {record['cachedInputTokens']}) out {record['outputTokens']} · cost {cost}",
    )


def _config_errors(problems: tuple[str, ...], session: Session) -> bool:
    for problem in problems:
        print(f"lsp-complete: {problem}", file=sys.stderr)
    return config.load(session.env).has_file_errors


def run_config() -> int:
    """Print the resolved configuration and where each value came from (keys only as present/missing)."""
    result = config.load(os.environ)
    print(config.describe(result.settings, os.environ))
    for problem in result.problems:
        print(f"lsp-complete: {problem}", file=sys.stderr)
    return 2 if result.has_file_errors else 0
