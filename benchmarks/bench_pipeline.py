"""The completion-pipeline benchmark (issue 4, section 6): real server over stdio, oracle fake provider.

    python benchmarks/bench_pipeline.py            # default run, about 2-3 minutes
    python benchmarks/bench_pipeline.py --quick    # about 40 seconds
    python benchmarks/bench_pipeline.py --json results.json

1. A seeded typist (``pipeline_trace``) rewrites regions of several of this repository's own
   ``lsp_complete/**/*.py`` files: bursts, pauses of 0.5-4 s, typos and backspaces.
2. The trace is replayed (``pipeline_replay``) against one server process per configuration, all
   at the same time: ``ours`` (the shipped defaults), ``naive`` (no debounce, no cache, whole-file
   prompt) and ``fixed-350`` (350 ms fixed debounce, no typing-through), set through the
   ``completion.*`` keys of INTERFACES.md in a temporary config file; plus ``ours+speculative`` when
   this build knows ``completion.speculative`` and ``ours+whole-file-prompt`` (not in --quick).
   Each has its own fake provider on 127.0.0.1 whose ``Oracle`` answers the file's true continuation
   after a lognormal time to first token (median 250 ms, p90 600 ms), with injected defects in
   ``--defects`` of the answers.
3. Server-added latency: invoked requests (no debounce) at distinct positions of a 5,000-line file,
   one at a time; added = (fake provider received - client sent) + (client received - fake stream end),
   all on CLOCK_MONOTONIC.
4. Memory: VmRSS of the shipped configuration with 200 open 1,000-line files.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pipeline_metrics as metrics
from benchmarks import pipeline_report as report_md
from benchmarks.pipeline_run import CONFIGS, has_key, latency_config, memory, merge, replay_config
from benchmarks.pipeline_trace import Trace, corpus, generate, summary
from lsp_complete import tokens
from tests.fake_provider.oracle import Timing


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run (about 40 s; latency of ours only)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--files", type=int, help="files edited in the session (default 4, quick 2)")
    ap.add_argument("--chars", type=int, help="characters typed per file (default 150, quick 50)")
    ap.add_argument(
        "--sessions", type=int, help="typing sessions (seeds) replayed at once (default 3, quick 1)"
    )
    ap.add_argument("--corpus-rev", help="take the source files from this git revision (stable traces)")
    ap.add_argument("--defects", type=float, default=0.2, help="share of oracle answers with a defect")
    ap.add_argument("--latency-samples", type=int, help="default 300, quick 60")
    ap.add_argument("--model", default="deepseek/deepseek-flash", help="price table entry for the cost")
    ap.add_argument("--no-memory", action="store_true", help="skip the 200-file memory measurement")
    ap.add_argument("--json", type=Path, help="also write the results here")
    return ap.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement; returns the results object."""
    quick = args.quick
    texts = corpus(rev=args.corpus_rev)
    files, chars = args.files or (2 if quick else 4), args.chars or (50 if quick else 150)
    sessions = args.sessions or (1 if quick else 3)
    traces = [generate(texts, args.seed + i, files, chars) for i in range(sessions)]
    trace = Trace(args.seed, tuple(seg for t in traces for seg in t.segments))
    names = list(CONFIGS)
    if has_key("speculative"):
        default = _default("speculative")
        CONFIGS["ours+speculative" if not default else "ours-speculative"] = {"speculative": not default}
        names.append(next(n for n in CONFIGS if n.startswith("ours") and n != "ours"))
    if not quick:  # the prompt budget's own effect: the same pipeline with a whole-file prompt
        CONFIGS["ours+whole-file-prompt"] = {"prompt_tokens": CONFIGS["naive"]["prompt_tokens"]}
        names.append("ours+whole-file-prompt")
    timing = Timing()
    counter = tokens.get_counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp_name:
        tmp = Path(tmp_name)
        jobs = [
            replay_config(n, t, tmp / f"session-{i}", timing, args.defects)
            for i, t in enumerate(traces)
            for n in names
        ]
        # Memory is not a timing figure: --quick measures it while the replays run (its indexing takes
        # CPU from them); the default run measures it after them. Latency always runs alone.
        mem_job = asyncio.ensure_future(memory(texts, tmp)) if quick and not args.no_memory else None
        done = await asyncio.gather(*jobs)
        runs = [merge([r for r in done if r.name == n]) for n in names]
        if mem_job is not None:
            mem = await mem_job
        else:
            mem = None if args.no_memory else await memory(texts, tmp)
        replay_s = time.perf_counter() - started
        samples = args.latency_samples or (60 if quick else 300)
        lat = {}
        for name in ("ours",) if quick else ("ours", "naive", "fixed-350"):
            lat[name] = await latency_config(
                name, texts, tmp, samples if name == "ours" else samples // 3, args.seed
            )
    price = metrics.price(args.model)
    res: dict[str, Any] = {
        "command": "python benchmarks/bench_pipeline.py" + (" --quick" if quick else ""),
        "seed": args.seed,
        "sessions": sessions,
        "corpus_rev": args.corpus_rev,
        "trace": summary(trace),
        "defects": args.defects,
        "model": args.model,
        "price_per_mtok": vars(price),
        "timing": vars(timing),
        "configs": {n: CONFIGS[n] for n in names},
        "runs": {r.name: metrics.analyse(r, trace, price, counter.count) for r in runs},
        "latency": {n: metrics.latency_figures(v, counter.count) for n, v in lat.items()},
        "memory": mem,
        "replay_s": round(replay_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    return res


def _default(key: str) -> Any:
    from lsp_complete import presets

    return presets.default_value(f"completion.{key}")


def report(res: dict[str, Any]) -> str:
    """The table plus the notes a reader needs to judge it."""
    t, runs = res["trace"], res["runs"]
    lines = [report_md.table(res), ""]
    spec = report_md.variants_table(res)
    if spec:
        lines += [spec, ""]
    lines.append(
        f"Traces: {res['sessions']} session(s) from seed {res['seed']}, {t['files']} files, "
        f"{t['characters']} characters, "
        f"{t['keystrokes']} keystrokes, {t['pauses_500ms']} pauses >= 500 ms, {t['typos']} typos, "
        f"{t['virtual_s']} s of unassisted typing; oracle defects {res['defects'] * 100:.0f} %; "
        f"prices {res['model']} ({res['price_per_mtok']['input']}/{res['price_per_mtok']['cached']}/"
        f"{res['price_per_mtok']['output']} $ per Mtok in/cached/out)."
    )
    for name, r in runs.items():
        lines.append(
            f"- {name}: {r['keystrokes']} keystrokes, {r['upstream_requests']} upstream requests "
            f"({r['aborted_before_first_token']} aborted before their first token), "
            f"{r['shown']} suggestions shown, {r['accepts']} accepted + {r['partial_accepts']} partly, "
            f"{r['accepted_chars']} characters accepted, {r['pauses']} pauses, "
            f"{r['through_keystrokes']} typing-through keystrokes, ${r['cost_usd']:.5f}, "
            f"replay {r['real_s']} s"
            + (f"; server said: {' | '.join(r['messages'])}" if r["messages"] else "")
        )
    for name, v in res["latency"].items():
        lines.append(
            f"- latency {name}: {v['samples']} samples, inbound p50 {v['inbound_p50_ms']:.2f} ms, "
            f"outbound p50 {v['outbound_p50_ms']:.2f} ms, JSON-RPC round trip of an immediate "
            f"answer p50 {v['floor_p50_ms']:.2f} ms; prompt p50 {v['prompt_tokens_p50']} tokens of the "
            f"file's {v['whole_file_tokens']}"
        )
    if res["memory"]:
        m = res["memory"]
        lines.append(
            f"- memory: {m['idle_mb']:.1f} MB idle after warm-up, {m['opened_mb']:.1f} MB once 200 "
            f"1,000-line files are open, {m['loaded_mb']:.1f} MB after completions in 10 of them"
        )
    lines.append(f"Total {res['total_s']} s (replays {res['replay_s']} s, run concurrently).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run and print."""
    args = parse(argv)
    res = asyncio.run(run(args))
    print(report(res))
    if args.json:
        report_md.write_json(res, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
