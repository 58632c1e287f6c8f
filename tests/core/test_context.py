"""Cross-file snippet ranking and fitting."""

from __future__ import annotations

import pytest

from lsp_complete.core.context import (
    ContextIndex,
    cursor_window,
    fit_snippets,
    identifiers,
    rank_snippets,
)
from lsp_complete.core.types import ContextSnippet


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", set()),
        ("def parse_header(raw): return raw.split()", {"parse_header", "raw", "split"}),
        ("x1 = 2x + _y9", {"x1", "x", "_y9"}),
        ("if (this.count > 0) { return null; }", {"count"}),
        ("naïve = größe", {"naïve", "größe"}),
        ("123 4.5e6", {"e6"}),
    ],
)
def test_identifiers(text: str, expected: set[str]) -> None:
    assert identifiers(text) == expected


@pytest.mark.parametrize(
    ("prefix", "suffix", "before", "after", "expected"),
    [
        ("a\nb\nc", "d\ne\nf", 2, 2, "b\ncd\ne"),
        ("a\nb\nc", "d\ne\nf", 1, 1, "cd"),
        ("c", "d", 20, 5, "cd"),
        ("a\nb\n", "\ne", 1, 2, "\ne"),
        ("a\nb\nc", "d\ne\nf", 10, 10, "a\nb\ncd\ne\nf"),
    ],
)
def test_cursor_window(prefix: str, suffix: str, before: int, after: int, expected: str) -> None:
    assert cursor_window(prefix, suffix, before, after) == expected


def lines(*words_per_line: str) -> str:
    return "\n".join(words_per_line)


FILLER = [f"unrelated_{i}()" for i in range(40)]
ALPHA = [*FILLER[:35], "def parse_header(raw_bytes):", "    fields = raw_bytes.split(sep)", *FILLER[35:]]
BETA = ["def parse_header(raw_bytes):", "    return decode(raw_bytes)"]
GAMMA = ["print(hello_world)"]
CURSOR = "fields = parse_header(raw_bytes)\nfor field in fields:\n    sep"

# (candidates, expected [(path, start_line)], floor, max_snippets, exclude)
RANKING = [
    (
        [("alpha.py", lines(*ALPHA), 0.0), ("beta.py", lines(*BETA), 0.0), ("gamma.py", lines(*GAMMA), 0.0)],
        [("beta.py", 0), ("alpha.py", 20)],  # 2/6 shared vs 4/24 (diluted by the window's other names)
        0.1,
        3,
        None,
    ),
    (
        [("alpha.py", lines(*ALPHA), 0.0), ("gamma.py", lines(*GAMMA), 0.0)],
        [("alpha.py", 20)],
        0.1,
        1,
        None,
    ),
    (
        [("alpha.py", lines(*ALPHA), 0.0), ("beta.py", lines(*BETA), 0.0)],
        [("beta.py", 0)],
        0.1,
        3,
        "alpha.py",
    ),
    ([("gamma.py", lines(*GAMMA), 0.0)], [], 0.1, 3, None),  # below the floor
    ([("gamma.py", lines(*GAMMA), 0.0)], [("gamma.py", 0)], 0.0, 3, None),
    # equal scores: the more recent file first, then the smaller path
    (
        [("b.py", lines(*BETA), 1.0), ("a.py", lines(*BETA), 1.0), ("c.py", lines(*BETA), 2.0)],
        [("c.py", 0), ("a.py", 0), ("b.py", 0)],
        0.1,
        3,
        None,
    ),
    ([("empty.py", "", 0.0), ("punct.py", "{}\n();\n", 0.0)], [], 0.0, 3, None),
]


@pytest.mark.parametrize(("candidates", "expected", "floor", "max_snippets", "exclude"), RANKING)
def test_rank(
    candidates: list[tuple[str, str, float]],
    expected: list[tuple[str, int]],
    floor: float,
    max_snippets: int,
    exclude: str | None,
) -> None:
    index = ContextIndex(window_lines=20, stride=10)
    for path, text, recency in candidates:
        index.update(path, text, recency)
    scored = index.rank_scored(CURSOR, max_snippets=max_snippets, exclude_path=exclude, floor=floor)
    assert [(s.path, s.start_line) for s in scored] == expected
    texts = {path: text for path, text, _ in candidates}
    for s in scored:
        assert s.text == "\n".join(texts[s.path].split("\n")[s.start_line : s.end_line]).rstrip()
    one_shot = rank_snippets(CURSOR, candidates, max_snippets, 20, 10, exclude, floor)
    assert one_shot == [s.snippet() for s in scored]
    assert one_shot == rank_snippets(CURSOR, list(reversed(candidates)), max_snippets, 20, 10, exclude, floor)


@pytest.mark.parametrize(
    ("n_lines", "size", "stride", "starts"),
    [
        (5, 20, 10, [0]),
        (20, 20, 10, [0]),
        (21, 20, 10, [0, 1]),
        (35, 20, 10, [0, 10, 15]),
        (40, 20, 10, [0, 10, 20]),
        (7, 3, 3, [0, 3, 4]),
    ],
)
def test_windows_cover_the_file(n_lines: int, size: int, stride: int, starts: list[int]) -> None:
    text = "\n".join(f"name_{i}" for i in range(n_lines))
    index = ContextIndex(window_lines=size, stride=stride)
    index.update("f.py", text)
    found = []
    for start in starts:
        # a window's own identifiers rank it first among the file's windows
        cursor = " ".join(f"name_{i}" for i in range(start, min(start + size, n_lines)))
        found.append(index.rank_scored(cursor, floor=0.0)[0].start_line)
    assert found == starts


def test_update_recomputes_only_on_change_and_respects_bounds() -> None:
    index = ContextIndex(max_files=2, max_file_chars=50)
    index.update("a.py", "alpha_name = 1", 1.0)
    index.update("a.py", "alpha_name = 1")  # same text: recency kept
    assert index.rank_scored("alpha_name", floor=0.0)[0].recency == 1.0
    index.update("a.py", "beta_name = 1")  # new version: old windows gone
    assert index.rank_scored("alpha_name") == []
    assert index.rank_scored("beta_name")[0].recency == 1.0
    index.touch("a.py", 5.0)
    assert index.rank_scored("beta_name", floor=0.0)[0].recency == 5.0
    index.update("big.py", "x_" * 30)  # too long: not indexed
    assert "big.py" not in index
    index.update("b.py", "beta_name")
    index.update("c.py", "beta_name")  # a third file evicts the least recently updated (a.py)
    assert ("a.py" in index, len(index)) == (False, 2)
    index.remove("b.py")
    assert [s.path for s in index.rank("beta_name", floor=0.0)] == ["c.py"]


def test_rank_on_an_empty_cursor_window() -> None:
    index = ContextIndex()
    index.update("a.py", "alpha_name")
    assert index.rank("(){}", floor=0.0) == []
    assert index.rank("alpha_name", max_snippets=0, floor=0.0) == []


S = {
    name: ContextSnippet(f"{name}.py", " ".join(["w"] * size))
    for name, size in (("big", 10), ("mid", 5), ("small", 2), ("zeta", 1))
}


@pytest.mark.parametrize(
    ("best_first", "budget", "max_count", "expected"),
    [
        (["zeta", "big", "mid"], 100, None, ["big", "mid", "zeta"]),  # sorted by path, not by score
        (["zeta", "big", "mid"], 100, 2, ["big", "zeta"]),
        (["big", "mid", "small"], 12, None, ["mid"]),  # big costs 10+1+4: skipped; mid 5+1+4 fits
        (["big", "mid", "small"], 17, None, ["big"]),  # best first: big takes the room
        (["mid", "small", "big"], 17, None, ["mid", "small"]),
        (["big", "mid", "small"], 5, None, []),
        (["big"], 15, None, ["big"]),
        ([], 100, None, []),
    ],
)
def test_fit(best_first: list[str], budget: int, max_count: int | None, expected: list[str]) -> None:
    chosen = fit_snippets([S[n] for n in best_first], words, budget, max_count=max_count)
    assert chosen == [S[n] for n in expected]


def test_fit_keeps_the_prompt_start_stable_when_scores_swap() -> None:
    a, b, c = (ContextSnippet(p, "code") for p in ("a.py", "b.py", "c.py"))
    assert fit_snippets([c, a, b], words, 100) == fit_snippets([b, c, a], words, 100)
