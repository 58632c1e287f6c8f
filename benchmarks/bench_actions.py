"""Time from picking a code action to its first streamed text, minus the provider's own time.

The real server runs over stdio (pytest-lsp client, Neovim's capabilities) against the fake Anthropic
provider on 127.0.0.1, which waits ``--provider-ms`` before its first byte. Each run asks
``lspComplete.explain`` on a fresh function (no cache hit) and measures, on the client, the time from
sending ``workspace/executeCommand`` to the first ``$/lspComplete/explanation`` notification carrying text
(the first streamed text; the Markdown file is written before that notification is sent). The baseline,
in the same run, is our own Anthropic provider streaming the same kind of request straight from this
process: its time to first text is the provider's own time. Overhead = action - baseline, per run.

Run: ``python benchmarks/bench_actions.py [--runs 30] [--provider-ms 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lsp_complete import providers
from lsp_complete.core.types import ChatMessage, ModelRequest, TextDelta
from tests.e2e.actions_client import action_session, command, config, keys
from tests.e2e.harness import open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

ANSWER = "## Summary\n\nThis function adds numbers.\n" * 4


def source(i: int) -> str:
    body = "    result = 0\n    for item in items:\n        result += item\n    return result\n"
    return f"def total_{i}(items):\n{body}"


async def baseline(url: str, runs: int) -> list[float]:
    provider = providers.build_provider("anthropic", "anthropic", url, keys()["ANTHROPIC_API_KEY"])
    out = []
    try:
        for i in range(runs):
            req = ModelRequest(
                model="claude-sonnet-4-6", messages=(ChatMessage("user", source(i)),), max_tokens=1024
            )
            started = time.perf_counter()
            first = None
            async for event in provider.stream(req):
                if first is None and isinstance(event, TextDelta):
                    first = time.perf_counter()
            assert first is not None
            out.append((first - started) * 1000)
    finally:
        await provider.aclose()
    return out


async def actions(url: str, runs: int, home: Path) -> list[float]:
    env = sealed_env(home, config(url), **keys())
    out = []
    async with action_session(env, home) as (client, recorder):
        for i in range(runs):
            uri = (home / f"m{i}.py").as_uri()
            open_doc(client, uri, source(i))
            recorder.first_text.clear()
            started = time.perf_counter()
            pending = asyncio.ensure_future(command(client, "lspComplete.explain", {"uri": uri}))
            await asyncio.wait_for(recorder.first_text.wait(), 30)
            out.append((time.perf_counter() - started) * 1000)
            result = await pending
            assert result["ok"] and not result["cached"], result
    return out


def row(name: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=10)
    return f"| {name} | {statistics.median(values):.1f} | {q[8]:.1f} | {min(values):.1f} |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--provider-ms", type=float, default=100.0)
    args = parser.parse_args()
    reply = Reply(text=ANSWER, chunks=8, delay_before_s=args.provider_ms / 1000)
    with FakeProvider(reply) as fake, tempfile.TemporaryDirectory() as tmp:
        base = await baseline(fake.url, args.runs)
        action = await actions(fake.url, args.runs, Path(tmp))
    # Pair the i-th runs: both saw the same fake, the same delay, the same request size.
    overhead = [a - b for a, b in zip(action, base, strict=True)]
    print(f"{args.runs} runs, fake provider waits {args.provider_ms:.0f} ms before its first byte\n")
    print("| ms | median | p90 | min |\n|---|---|---|---|")
    print(row("pick -> first streamed text", action))
    print(row("provider alone (baseline)", base))
    print(row("overhead (action - baseline)", overhead))


if __name__ == "__main__":
    asyncio.run(main())
