"""Keystroke to visible ghost text in real VS Code, against the fake provider, with a same-run baseline.

Editor: the packaged extension in code-server, driven in headless Chromium (tests/editors/vscode_scenario.py):
for each sample the driver types ``vN = `` on a new line and measures from the LAST keystroke to the fake
provider's text being rendered as ghost text (requestAnimationFrame polling). Baseline, in the same run:
the same server process alone over stdio (pytest-lsp, VS Code's capabilities) with the same config and
fake, timing ``didChange`` + an automatic ``textDocument/inlineCompletion`` to its answer; so
editor - baseline is what VS Code, the language client and the rendering add. Both include the server's
debounce (completion.debounce_ms, default 75 ms). Needs .ci/install-vscode-deps.

Run: ``python benchmarks/bench_vscode_ghost.py [--samples 20]``.
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

from tests.e2e.harness import edit, inline, lsp_session, open_doc, sealed_env
from tests.editors import vscode_scenario as scenario
from tests.fake_provider import FakeProvider, Reply


async def baseline(samples: int, tmp: Path) -> list[float]:
    """Server alone: didChange then automatic inlineCompletion, ms to the answer (first one dropped)."""
    times: list[float] = []
    with FakeProvider(Reply(text=scenario.GHOST, chunks=2)) as fake:
        home = tmp / "home"
        home.mkdir()
        env = sealed_env(home, scenario.config_toml(fake.url, fake.url))
        async with lsp_session(env) as (client, _):
            uri = (tmp / "demo.py").as_uri()
            open_doc(client, uri, scenario.SOURCE)
            for i in range(samples + 1):
                typed = f"    v{i} = "
                end = len(scenario.SOURCE) if i == 0 else len(f"    v{i - 1} = ")
                edit(client, uri, i + 2, (i, end), (i, end), "\n" + typed)
                line = i + 1
                started = time.perf_counter()
                result = await inline(client, uri, line, len(typed), invoked=False)
                elapsed = (time.perf_counter() - started) * 1000
                assert result.items and result.items[0].insert_text == scenario.GHOST, result
                if i:
                    times.append(elapsed)
    return times


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{name:<28} median {statistics.median(values):6.0f} ms   p90 {p90:6.0f} ms   (n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "vscode").mkdir()
        outcome = scenario.run(tmp / "vscode", samples=args.samples, full=False, artifacts="vscode-bench")
        if not outcome.result.get("ok"):
            print(outcome.driver.stdout, outcome.driver.stderr, outcome.result.get("error"), file=sys.stderr)
            return 1
        (tmp / "server").mkdir()
        base = asyncio.run(baseline(args.samples, tmp / "server"))
    editor = outcome.result["latenciesMs"][1 : 1 + args.samples]  # the first sample opens the connection
    print(summary("VS Code keystroke->ghost", editor))
    print(summary("server alone (stdio)", base))
    added = statistics.median(editor) - statistics.median(base)
    first = outcome.result["latenciesMs"][0]
    print(f"VS Code + client + rendering add {added:.0f} ms (median difference); first sample {first} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
