"""Benchmark of the offline ``local`` completer: indexing and completion latency on a synthetic workspace.

Builds a seeded, realistic-looking Python workspace (~2 MB over many modules) plus one 5,000-line file,
indexes it, then completes at 500 random cursor positions of the big file (its current text, cursor in a
line) and prints a markdown table. Run: ``python benchmarks/bench_local.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lsp_complete.core.local import LocalIndex

VERBS = [
    "get",
    "set",
    "load",
    "parse",
    "build",
    "update",
    "fetch",
    "compute",
    "render",
    "validate",
    "apply",
    "merge",
    "send",
    "read",
    "write",
]
NOUNS = [
    "user",
    "request",
    "config",
    "item",
    "record",
    "session",
    "token",
    "buffer",
    "cache",
    "event",
    "order",
    "account",
    "file",
    "node",
]
SUFFIXES = ["", "_id", "_map", "_list", "s", "_count", "_name", "_path"]
MODULES = [
    "os",
    "re",
    "json",
    "time",
    "logging",
    "typing",
    "dataclasses",
    "pathlib",
    "collections",
    "functools",
    "itertools",
]


class Gen:
    """Seeded generator of Python source in a plausible house style."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def noun(self) -> str:
        return self.rng.choice(NOUNS) + self.rng.choice(SUFFIXES)

    def func(self) -> str:
        return f"{self.rng.choice(VERBS)}_{self.rng.choice(NOUNS)}"

    def expr(self, names: list[str]) -> str:
        r = self.rng.random()
        a = self.rng.choice(names)
        if r < 0.3:
            return f"self.{self.func()}({a})"
        if r < 0.5:
            return f"{a}.get({self.noun()!r}, {self.rng.randint(0, 99)})"
        if r < 0.65:
            return f"len({a}) + {self.rng.randint(1, 9)}"
        if r < 0.8:
            return f"[x for x in {a} if x is not None]"
        return f"{self.func()}({a}, {self.rng.choice(names)})"

    def body(self, names: list[str], indent: str, depth: int = 0) -> list[str]:
        lines: list[str] = []
        for _ in range(self.rng.randint(2, 7)):
            r = self.rng.random()
            if r < 0.45:
                target = self.noun()
                lines.append(f"{indent}{target} = {self.expr(names)}")
                names = [*names, target]
            elif r < 0.6 and depth < 2:
                lines.append(f"{indent}if {self.rng.choice(names)} is None:")
                lines += self.body(names, indent + "    ", depth + 1)
            elif r < 0.72 and depth < 2:
                lines.append(f"{indent}for {self.rng.choice(NOUNS)} in {self.rng.choice(names)}:")
                lines += self.body(names, indent + "    ", depth + 1)
            elif r < 0.85:
                lines.append(f"{indent}self.{self.noun()} = {self.expr(names)}")
            else:
                lines.append(f'{indent}logger.debug("{self.func()} %s", {self.rng.choice(names)})')
        lines.append(f"{indent}return {self.rng.choice(names)}")
        return lines

    def module(self, n_lines: int) -> str:
        lines = [f"import {m}" for m in self.rng.sample(MODULES, 4)]
        lines += ["", "logger = logging.getLogger(__name__)", ""]
        while len(lines) < n_lines:
            cls = "".join(w.capitalize() for w in self.func().split("_"))
            lines += ["", f"class {cls}:", f'    """{cls} for the {self.noun()} store."""', ""]
            lines.append("    def __init__(self, config, session=None):")
            lines += [f"        self.{self.noun()} = config.get({self.noun()!r})" for _ in range(3)]
            for _ in range(self.rng.randint(2, 6)):
                args = sorted({self.noun() for _ in range(self.rng.randint(1, 3))})
                lines += ["", f"    def {self.func()}(self, {', '.join(args)}):"]
                lines += self.body(args, "        ")
        return "\n".join(lines[:n_lines]) + "\n"


def main() -> None:
    gen = Gen(20240601)
    workspace: dict[str, str] = {}
    size = 0
    i = 0
    while size < 2_000_000:
        text = gen.module(gen.rng.randint(150, 900))
        workspace[f"pkg/mod_{i}.py"] = text
        size += len(text)
        i += 1
    big = gen.module(5000)

    index = LocalIndex()
    t0 = time.perf_counter()
    for doc_id, text in workspace.items():
        index.update(doc_id, text, is_open=False)
    t_workspace = time.perf_counter() - t0
    reindex = []
    for _ in range(20):
        t0 = time.perf_counter()
        index.update("big.py", big)
        reindex.append(time.perf_counter() - t0)

    # The user is typing a line of the big file: the text right of the cursor on that line is not there
    # yet. The index holds the file as it was before (slightly stale), the completer gets the current text.
    rng = random.Random(7)
    line_starts = [0, *(i + 1 for i, ch in enumerate(big) if ch == "\n")][:-1]
    times: list[float] = []
    proposed = accepted = 0
    for _ in range(500):
        line_start = rng.choice(line_starts)
        eol = big.find("\n", line_start)
        if not big[line_start:eol].strip():
            continue
        first = line_start + len(big[line_start:eol]) - len(big[line_start:eol].lstrip())
        offset = rng.randint(first, eol)
        current = big[:offset] + big[eol:]
        t0 = time.perf_counter()
        proposal = index.complete("big.py", current, offset)
        times.append((time.perf_counter() - t0) * 1000)
        if proposal:
            proposed += 1
            accepted += big.startswith(proposal, offset)
    times.sort()
    q = statistics.quantiles(times, n=100)
    print("| metric | value |\n|---|---|")
    big_kb = len(big) / 1e3
    print(
        f"| workspace | {len(workspace)} files, {size / 1e6:.2f} MB; big file 5,000 lines, {big_kb:.0f} KB |"
    )
    print(f"| index workspace (cold) | {t_workspace * 1000:.0f} ms |")
    print(f"| re-index 5,000-line file (median of 20) | {statistics.median(reindex) * 1000:.1f} ms |")
    print(f"| indexed size | {index.size_bytes / 1e6:.2f} MB |")
    print(f"| completions timed | {len(times)} |")
    print(f"| complete median | {statistics.median(times):.3f} ms |")
    print(f"| complete p90 | {q[89]:.3f} ms |")
    print(f"| complete p99 | {q[98]:.3f} ms |")
    print(f"| proposals made | {proposed} / {len(times)} |")
    print(f"| proposals equal to the real next text | {accepted} / {proposed} |")


if __name__ == "__main__":
    main()
