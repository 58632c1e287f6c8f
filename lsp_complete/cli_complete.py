"""The ``complete`` and ``config`` commands: the server's pipeline, run once from the shell."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from lsp_complete import config, prices, tokens
from lsp_complete.core import request
from lsp_complete.core.document import PositionEncoding
from lsp_complete.core.types import Usage
from lsp_complete.engine import Completion, CompletionQuery
from lsp_complete.presets import LOCAL
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
    _print(completions[0], total_ms, as_json, _cost(completions[0], session, text, offset))
    return 0


async def _complete(session: Session, query: CompletionQuery) -> list[Completion]:
    try:
        return await session.complete(query)
    finally:
        await session.aclose()


def _cost(c: Completion, session: Session, text: str, offset: int) -> tuple[float | None, Usage]:
    """Dollars (None = unknown price) and the usage they come from: the reported one, else an estimate.

    The estimate counts, with the shipped tokenizer, the text around the cursor cut to the prompt budget
    (instructions and context snippets left out) and the suggestion; it is marked ``estimated``.
    """
    if c.source == LOCAL:
        return 0.0, c.usage or Usage()
    usage = c.usage
    if usage is None:
        count = tokens.get_counter().count
        budget, share = session.settings.completion.prompt_tokens, session.settings.completion.prefix_share
        prefix, suffix = request.cut(text[:offset], text[offset:], count, budget, share)
        usage = Usage(count(prefix) + count(suffix), 0, count(c.text), estimated=True)
    if c.cost_usd is not None:
        return c.cost_usd, usage
    provider, _, model = c.source.partition("/")
    table, _ = prices.load_prices(session.env)
    return prices.cost(usage, table.lookup(provider, model)), usage


def _print(c: Completion, total_ms: float, as_json: bool, cost_usage: tuple[float | None, Usage]) -> None:
    cost_usd, usage = cost_usage
    record = {
        "text": c.text,
        "source": c.source,
        "latencyMs": round(c.latency_ms, 2),
        "totalMs": round(total_ms, 1),
        "inputTokens": usage.input_tokens,
        "cachedInputTokens": usage.cached_input_tokens,
        "outputTokens": usage.output_tokens,
        "costUsd": cost_usd,
        "estimated": usage.estimated,
    }
    if as_json:
        print(json.dumps(record, ensure_ascii=False))
        return
    approx = "~" if usage.estimated else ""
    cost = f"unknown (no price for {c.source}; see `lsp-complete prices`)"
    if cost_usd is not None:
        cost = f"{approx}${cost_usd:.6f}" + (" estimated" if usage.estimated else "")
    print(c.text)
    print(
        f"-- {c.source} · {c.latency_ms:.1f} ms (process {total_ms:.0f} ms)"
        f" · tokens in {approx}{usage.input_tokens} (cached {usage.cached_input_tokens})"
        f" out {approx}{usage.output_tokens} · cost {cost}",
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
