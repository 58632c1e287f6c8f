"""PromptBuilder: budgets, snippet choice and order, exclusion, huge lines (real tiktoken counts)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lsp_complete import tokens
from lsp_complete.pipeline.prompting import MAX_CONTEXT_FILES, Cursor, PromptBuilder
from lsp_complete.presets import CompletionSettings

BILLING = (
    "def compute_invoice_total(invoice_lines, tax_rate):\n"
    "    subtotal = sum(line.amount for line in invoice_lines)\n"
    "    return subtotal * (1 + tax_rate)\n"
)
SHIPPING = "def shipping_cost(invoice_lines, weight_kg):\n    return len(invoice_lines) * weight_kg * 0.5\n"
UNRELATED = "def render_banner(colour, width):\n    return colour.center(width)\n"
CODE = "from billing import compute_invoice_total\n\ntotal = compute_invoice_total(invoice_lines, "


def count(text: str) -> int:
    return tokens.get_counter().count(text)


def builder(**files: str) -> PromptBuilder:
    built = PromptBuilder(count)
    built.roots = ["/w"]
    for recency, (name, text) in enumerate(files.items()):
        built.note(f"/w/{name}.py", lambda t=text: t, float(recency))
    return built


def cursor(text: str = CODE, offset: int | None = None) -> Cursor:
    return Cursor("/w/app.py", "python", text, len(text) if offset is None else offset)


def test_snippets_are_headed_by_their_relative_path_and_ordered_by_path() -> None:
    built = builder(shipping=SHIPPING, billing=BILLING, unrelated=UNRELATED)
    data = built.build(cursor(), CompletionSettings(), lambda path: False)
    assert [s.path for s in data.snippets] == ["billing.py", "shipping.py"]  # unrelated scores below 0.1
    assert data.snippets[0].text == BILLING.rstrip()
    assert data.path == "app.py"
    assert data.prefix == CODE and data.suffix == ""


@pytest.mark.parametrize(
    ("changes", "snippets"),
    [
        ({"context_snippets": 0}, []),
        ({"context_share": 0.0}, []),
        ({"context_snippets": 1}, ["billing.py"]),
    ],
)
def test_snippet_settings(changes: dict[str, float], snippets: list[str]) -> None:
    built = builder(shipping=SHIPPING, billing=BILLING)
    data = built.build(cursor(), replace(CompletionSettings(), **changes), lambda path: False)
    assert [s.path for s in data.snippets] == snippets


def test_excluded_paths_are_never_snippets_even_if_noted_before_the_rules_changed() -> None:
    built = builder(billing=BILLING, shipping=SHIPPING)
    data = built.build(cursor(), CompletionSettings(), lambda path: path.endswith("billing.py"))
    assert [s.path for s in data.snippets] == ["shipping.py"]


def test_the_prompt_start_is_stable_while_the_user_types() -> None:
    built = builder(shipping=SHIPPING, billing=BILLING)
    first = built.build(cursor(CODE), CompletionSettings(), lambda path: False)
    second = built.build(cursor(CODE + "tax_r"), CompletionSettings(), lambda path: False)
    assert first.snippets == second.snippets
    assert second.prefix.startswith(first.prefix)


@pytest.mark.parametrize("budget", [200, 400, 1500])
def test_the_budget_holds_and_context_takes_at_most_its_share(budget: int) -> None:
    long_code = "total = compute_invoice_total(invoice_lines, tax_rate)\n" * 400
    text = long_code + "x = " + long_code
    offset = len(long_code) + 4
    built = builder(billing=BILLING, shipping=SHIPPING)
    c = replace(CompletionSettings(), prompt_tokens=budget, context_share=0.25)
    data = built.build(cursor(text, offset), c, lambda path: False)
    assert data.snippets  # the billing window is similar enough
    snippet_tokens = sum(count(s.text) + count(s.path) + 4 for s in data.snippets)
    assert snippet_tokens <= budget * 0.25
    assert count(data.prefix) + count(data.suffix) <= budget - int(budget * 0.25) + 8
    assert data.prefix.endswith("x = ") and data.suffix.startswith("total =")
    assert data.prefix.startswith("total =")  # cut at a line start


def test_a_huge_single_line_is_clipped_before_counting() -> None:
    line = "x = [" + "1, " * 1_000_000
    data = PromptBuilder(count).build(cursor(line), CompletionSettings(), lambda path: False)
    assert line.endswith(data.prefix)
    assert len(data.prefix) <= CompletionSettings().prompt_tokens * 6


def test_only_the_most_recent_files_are_indexed() -> None:
    built = PromptBuilder(count)
    for i in range(MAX_CONTEXT_FILES + 10):
        text = f"def helper_{i}(invoice_lines):\n    return {i}\n"
        built.note(f"/w/f{i:02}.py", lambda t=text: t, float(i))
    built.build(cursor(), CompletionSettings(), lambda path: False)
    assert len(built.index) == MAX_CONTEXT_FILES
    assert "/w/f29.py" in built.index and "/w/f09.py" not in built.index
