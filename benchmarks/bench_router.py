"""Router overhead per request and ledger write cost per request.

* ``direct``: build the request, stream an in-process fake provider (no HTTP, answers at once), clean the
  answer: the work a completion needs without any guard.
* ``router``: the same through ``Router.complete`` (breaker, budget hold and settle, ledger row in a real
  SQLite WAL file in a temp dir, hedging machinery, cost) against the same in-process provider.
* ``guarded_stream``: ``Router.guarded_stream`` versus ``Provider.stream`` directly.
* ``ledger``: ``Ledger.record`` alone (one transaction per row).

The prompt is ~800 characters (40 lines) and counted with tiktoken, as in the server once it has loaded
the vocabulary.

The overhead is router minus direct, both measured in the same run. Figures are medians and p99 in µs,
of wall-clock time and of this thread's CPU time (on a loaded machine the wall p99 is mostly the
scheduler preempting the process; the CPU p99 is what the code costs).
Run: ``python benchmarks/bench_router.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lsp_complete import config, tokens  # noqa: E402
from lsp_complete.core import postprocess, request  # noqa: E402
from lsp_complete.core.types import ModelRequest, StreamEnd, StreamEvent, TextDelta, Usage  # noqa: E402
from lsp_complete.guard import timeouts_for  # noqa: E402
from lsp_complete.ledger import Ledger, LedgerEntry  # noqa: E402
from lsp_complete.router import Router  # noqa: E402

DATA = request.PromptInput(
    prefix="def add(a, b):\n    " * 40, suffix="\n\nprint(add(1, 2))\n", language_id="python", path="/w/a.py"
)
CONFIG = """
[providers.fake]
api = "openai-completions"
base_url = "http://127.0.0.1:9/v1"
[tiers]
fast = ["fake/coder", "local"]
[budget]
daily_usd = 100000.0
monthly_usd = 1000000.0
[prices."fake/coder"]
input_per_mtok = 0.3
output_per_mtok = 0.9
"""


class InProcessProvider:
    """Answers every request at once with two deltas and usage; no I/O."""

    name = "fake"
    api = "openai-completions"

    async def stream(self, req: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        yield TextDelta("return a")
        yield TextDelta(" + b")
        yield StreamEnd(Usage(input_tokens=400, output_tokens=4), "stop")

    async def aclose(self) -> None:
        return None


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


Samples = tuple[list[float], list[float]]  # wall-clock µs, CPU µs of this thread


async def _time(n: int, once: Callable[[], Awaitable[object]]) -> Samples:
    for _ in range(max(50, n // 20)):  # warm-up
        await once()
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        await once()
        cpu.append((time.thread_time_ns() - start_cpu) / 1000.0)
        wall.append((time.perf_counter_ns() - start) / 1000.0)
    return wall, cpu


def _row(name: str, samples: Samples) -> dict[str, float | str]:
    wall, cpu = samples
    return {
        "case": name,
        "median_us": round(statistics.median(wall), 1),
        "p99_us": round(_pct(wall, 0.99), 1),
        "cpu_median_us": round(statistics.median(cpu), 1),
        "cpu_p99_us": round(_pct(cpu, 0.99), 1),
    }


async def main(n: int) -> list[dict[str, float | str]]:
    tokens.warm_up()  # as the server does at start: holds count the prompt with tiktoken
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "config.toml").write_text(CONFIG, encoding="utf-8")
        env = {"HOME": tmp, "XDG_STATE_HOME": f"{tmp}/state", "LSP_COMPLETE_CONFIG": f"{tmp}/config.toml"}
        loaded = config.load(env)
        assert not loaded.problems, loaded.problems
        settings = loaded.settings
        router = Router(settings, env)
        candidates = config.resolve_tier(settings, "fast", env)
        provider_config = candidates[0][0]
        fake = InProcessProvider()
        for task in ("completion", "explain"):  # the router's pool gets the in-process provider
            router._guard._pool[(provider_config.name, timeouts_for(settings, task))] = (
                provider_config,
                fake,
            )
        c = settings.completion

        async def direct() -> object:
            req = request.build(
                DATA, "coder", provider_config.prompt_style, provider_config.api, c.max_tokens
            )
            raw = ""
            async for event in fake.stream(req):
                if isinstance(event, TextDelta):
                    raw += event.text
            text = request.interpret(raw, DATA, provider_config.prompt_style, provider_config.api)
            return postprocess.clean(text, DATA.suffix, c.max_lines, True)

        async def routed() -> object:
            answer = await router.complete(candidates, DATA, lambda: None)
            assert answer is not None and answer.provider == "fake"
            return answer

        req = request.build(DATA, "coder", provider_config.prompt_style, provider_config.api, c.max_tokens)

        async def stream_direct() -> object:
            return [e async for e in fake.stream(req)]

        async def stream_guarded() -> object:
            return [
                e async for e in router.guarded_stream("explain", "premium", provider_config, "coder", req)
            ]

        rows = []
        base = await _time(n, direct)
        full = await _time(n, routed)
        rows += [_row("direct (build+stream+clean)", base), _row("Router.complete", full)]
        sdirect = await _time(n, stream_direct)
        sguard = await _time(n, stream_guarded)
        rows += [_row("Provider.stream", sdirect), _row("Router.guarded_stream", sguard)]
        overhead: dict[str, float | str] = {"case": "router overhead (complete - direct)"}
        for key in ("median_us", "p99_us", "cpu_median_us", "cpu_p99_us"):
            overhead[key] = round(float(rows[1][key]) - float(rows[0][key]), 1)
        rows.append(overhead)
        await router.aclose()

        ledger = Ledger(home / "bench.sqlite3")
        entry = LedgerEntry(
            time.time(), "completion", "fast", "fake", "coder", 400, 0, 4, 1e-4, False, 80.0, 120.0, "ok"
        )

        async def write() -> object:
            return ledger.record(entry)

        rows.append(_row("Ledger.record (one row, WAL)", await _time(n, write)))
        ledger.close()
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(main(args.requests))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'':<38} {'wall median':>12} {'wall p99':>10} {'CPU median':>11} {'CPU p99':>10}  (µs)")
        for r in result:
            cells = (r["median_us"], r["p99_us"], r["cpu_median_us"], r["cpu_p99_us"])
            print(f"{r['case']:<38} {cells[0]:>12} {cells[1]:>10} {cells[2]:>11} {cells[3]:>10}")
