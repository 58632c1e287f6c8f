"""The pipeline benchmark cannot rot: its trace generator, its oracle, and one tiny replay end to end.

Structure and sanity only; the benchmark's timing figures are never asserted here.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from benchmarks import pipeline_metrics as metrics
from benchmarks import pipeline_report
from benchmarks.pipeline_run import replay_config
from benchmarks.pipeline_trace import PAUSE_MIN_MS, Trace, corpus, generate, summary
from lsp_complete import tokens
from tests.fake_provider.oracle import Oracle, Timing

TRUTH = "def area(w, h):\n    return w * h\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n"


def test_traces_are_seeded_and_every_step_is_a_state_of_the_region() -> None:
    texts = corpus()
    assert len(texts) >= 5 and all(name.startswith("lsp_complete/") for name in texts)
    pinned = corpus(rev="HEAD")  # a git revision gives the same kind of corpus, read from history
    assert len(pinned) >= 5 and all(name.startswith("lsp_complete/") for name in pinned)
    trace = generate(texts, seed=3, files=3, chars_per_file=200)
    assert trace == generate(texts, seed=3, files=3, chars_per_file=200)
    assert trace != generate(texts, seed=4, files=3, chars_per_file=200)
    assert len({seg.name for seg in trace.segments}) == 3
    for seg in trace.segments:
        assert seg.truth[seg.end] == "\n" and (seg.start == 0 or seg.truth[seg.start - 1] == "\n")
        assert all(0 <= s.typed <= len(seg.target) and s.delay_ms > 0 for s in seg.steps)
        assert (seg.steps[-1].typed, seg.steps[-1].junk) == (len(seg.target), "")
        assert seg.document(seg.target) == seg.truth
    facts = summary(trace)
    assert (
        facts["typos"] > 0 and facts["pauses_500ms"] > 0 and facts["keystrokes"] >= facts["characters"] // 2
    )
    steps = [s for seg in trace.segments for s in seg.steps]
    assert any(b.typed < a.typed for a, b in itertools.pairwise(steps))  # backspaces
    assert all(s.delay_ms >= PAUSE_MIN_MS for s in steps if s.pause)


@pytest.mark.parametrize(
    ("prompt", "suffix", "expected"),
    [
        ("def area(w, h):\n    return w", "\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n", " * h"),
        ("def area(w, h):\n    return w * h\n", "\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n", ""),
        ("def area(w, h):\n    return w * h\n\n\ndef perimeter(w, h):", "\n", "\n    return 2 * (w + h)"),
        ("def area(w, h):\n    return w * q", "\n", "h"),  # a typo: the guess from before it, misplaced
        ("import nothing_like_it\n", "", "pass"),  # not in any registered file
    ],
)
def test_oracle_answers_the_true_middle(prompt: str, suffix: str, expected: str) -> None:
    oracle = Oracle({"shapes.py": TRUTH}, timing=Timing(median_s=0.2, p90_s=0.5))
    answer = oracle.answer(prompt, suffix)
    assert answer.text == expected
    assert 0 < answer.ttft_s <= oracle.timing.max_s
    assert answer == oracle.answer(prompt, suffix)  # seeded by position: the same in every configuration


def test_oracle_defects_change_the_answer() -> None:
    oracle = Oracle({"shapes.py": TRUTH}, defect_rate=1.0)
    answer = oracle.answer("def area(w, h):\n    return w", "\n")
    assert answer.defect is not None and answer.text != " * h"


@pytest.mark.e2e
async def test_tiny_replay_end_to_end(tmp_path: Path) -> None:
    texts = corpus()
    full = generate(texts, seed=5, files=1, chars_per_file=30)
    seg = full.segments[0]
    fast = tuple(dataclasses.replace(s, delay_ms=min(s.delay_ms, 700.0) / 3) for s in seg.steps[:45])
    trace = Trace(full.seed, (dataclasses.replace(seg, steps=fast),))
    run = await replay_config(
        "ours", trace, tmp_path, Timing(median_s=0.02, p90_s=0.05), defects=0.0, settle_s=0.0
    )
    assert len(run.log.keystrokes) > 0
    assert run.upstream, "the server asked the oracle at least once"
    assert any(u.answer is not None and u.answer.name == seg.name for u in run.upstream)
    assert all(u.received > 0 for u in run.upstream)
    figures = metrics.analyse(
        run, trace, metrics.price("deepseek/deepseek-flash"), tokens.get_counter().count
    )
    assert figures["keystrokes"] == len(run.log.keystrokes)
    assert figures["requests_per_char"] is not None and figures["requests_per_char"] > 0
    assert figures["prompt_tokens_p50"] is not None and figures["prompt_tokens_p50"] > 0
    assert figures["cost_usd"] > 0 and figures["usd_per_hour_cached"] <= figures["usd_per_hour"]
    for share in ("pause_share", "through_share", "acceptance", "prompt_vs_whole_p50"):
        assert figures[share] is None or 0 <= figures[share] <= 1.5
    res = {"runs": {"ours": figures}, "latency": {}, "memory": None}
    table = pipeline_report.table(res)
    assert table.startswith("| metric | ours | naive | fixed-350 | target | met? |")
    assert "upstream requests per typed character" in table
