"""Process-level timings: server start to initialize response, and ``lsp-complete complete`` end to end.

Every figure is a median over repeated runs, next to a baseline measured in the same run (the time to
start a bare Python interpreter), so numbers from noisy machines stay comparable.
Run: ``python benchmarks/bench_cli.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_provider import FakeProvider, Reply  # noqa: E402

NAMES = ["user", "order", "item", "price", "total", "cart", "stock", "report", "batch", "event"]


def five_thousand_lines(path: Path) -> tuple[int, int]:
    """A seeded 5,000-line Python file; returns a 1-based (line, column) after a repeated prefix."""
    rng = random.Random(7)
    lines = []
    while len(lines) < 4990:
        a, b = rng.sample(NAMES, 2)
        lines += [
            f"def update_{a}_{b}(self, {a}, {b}):",
            f"    self.{a}_{b} = {a}.merge({b})",
            f"    return self.{a}_{b}",
            "",
        ]
    lines = [*lines[:4999], "    self.order_total = order.merge(total)", "    self.order_to"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(lines), len(lines[-1]) + 1


def timed(cmd: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, input=stdin, capture_output=True, check=True, timeout=120)
    return (time.perf_counter() - started) * 1000


def frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def initialize_ms(env: dict[str, str]) -> float:
    """From process start to the initialize response on stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lsp_complete"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(
        frame(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        )
    )
    proc.stdin.flush()
    header = proc.stdout.readline()  # blocks until the response starts
    elapsed = (time.perf_counter() - started) * 1000
    assert header.lower().startswith(b"content-length")
    proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.close()
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update(HOME=tmp, XDG_CONFIG_HOME=str(home / "cfg"), LSP_COMPLETE_CONFIG=str(home / "none.toml"))
        big = home / "big.py"
        line, col = five_thousand_lines(big)
        location = f"{big}:{line}:{col}"
        complete = [sys.executable, "-m", "lsp_complete", "complete", location]
        rows = {
            "python -c pass (baseline)": [timed([sys.executable, "-c", "pass"], env) for _ in range(runs)],
            "start to initialize response": [initialize_ms(env) for _ in range(runs)],
            "complete, 5,000-line file, offline": [timed(complete, env) for _ in range(runs)],
        }
        with FakeProvider() as fake:
            fake.default_reply = Reply(text="tal = order.merge(total)", chunks=4)
            config = home / "fake.toml"
            config.write_text(
                f'[providers.fake]\napi = "openai-completions"\nbase_url = "{fake.url}"\n'
                '[tiers]\nfast = ["fake/coder"]\n',
                encoding="utf-8",
            )
            fake_env = dict(env, LSP_COMPLETE_CONFIG=str(config))
            rows["complete, 5,000-line file, fake provider"] = [
                timed(complete, fake_env) for _ in range(runs)
            ]
    base = statistics.median(rows["python -c pass (baseline)"])
    print(f"| measurement ({runs} runs) | median ms | p90 ms | x baseline |")
    print("|---|---:|---:|---:|")
    for name, values in rows.items():
        values.sort()
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        median = statistics.median(values)
        print(f"| {name} | {median:.0f} | {p90:.0f} | {median / base:.1f} |")


if __name__ == "__main__":
    main()
