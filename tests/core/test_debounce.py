"""Debounce delays by cursor context and typing rhythm (fake clock, seconds)."""

from __future__ import annotations

import pytest

from lsp_complete.core.debounce import DebouncePolicies, DebouncePolicy


def typed(intervals_ms: list[float], start: float = 100.0) -> tuple[DebouncePolicy, float]:
    """A policy that saw one keystroke at ``start`` and then one after each interval; and the last time."""
    policy = DebouncePolicy()
    now = start
    policy.observe_keystroke(now)
    for gap in intervals_ms:
        now += gap / 1000.0
        policy.observe_keystroke(now)
    return policy, now


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("", None, 15.0),
        ("x = 1\n", None, 15.0),
        ("def f():\n    ", None, 15.0),
        ("    \t", None, 15.0),
        ("foo.", None, 25.0),
        ("foo(", None, 25.0),
        ("foo(a,", None, 25.0),
        ("foo(a, ", None, 25.0),
        ("x = ", None, 25.0),
        ("def f():", None, 25.0),
        ("    return ", None, 25.0),
        ("import ", None, 25.0),
        ("const ", None, 25.0),
        ("foo", ".", 25.0),
        ("foo", " ", 75.0),
        ("foo", None, 75.0),
        ("x = 1\nfoo_bar", None, 75.0),
        ("returns ", None, 75.0),
        ("x = a + b", None, 75.0),
    ],
)
def test_delay_by_context_without_rhythm(text: str, trigger: str | None, expected: float) -> None:
    assert DebouncePolicy().delay_ms(0.0, text, trigger) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("intervals", "text", "expected"),
    [
        ([], "foo", 75.0),  # one keystroke: no rhythm yet
        ([40], "foo", 100.0),  # one interval is a rhythm
        ([25, 25, 25], "foo", 75.0),  # fast typist: 2.5 x 25 = 62.5 < base
        ([40, 40, 40], "foo", 100.0),  # 2.5 x 40
        ([100, 100, 100], "foo", 250.0),  # 2.5 x 100
        ([120, 120, 120, 120], "foo", 300.0),
        ([300, 300, 300], "foo", 350.0),  # capped at max_ms
        ([100, 100, 100], "foo.", 250.0),  # mid-burst the rhythm is a floor, after a trigger too
        ([100, 100, 100], "foo\n", 250.0),  # and at a line start
        ([100, 100, 100, 5000], "foo", 250.0),  # the rhythm outlives a pause
        ([100, 100, 5000, 100, 100], "foo", 250.0),  # a new burst; the pause is not in the average
        ([100, 100, 100, 100, 50], "foo", pytest.approx(2.5 * (0.3 * 50 + 0.7 * 100))),
        ([100, 100, 100, 5000], "foo.", 250.0),  # ... in every context
        ([5000], "foo.", 25.0),  # no rhythm yet: the context decides
        ([5000], "foo\n", 15.0),
    ],
)
def test_delay_follows_the_rhythm(intervals: list[float], text: str, expected: float) -> None:
    policy, now = typed(intervals)
    assert policy.delay_ms(now, text, None) == pytest.approx(expected)


def test_a_pause_before_the_request_ends_the_burst() -> None:
    policy, now = typed([100, 100, 100])
    assert policy.delay_ms(now + 0.5, "foo", None) == pytest.approx(250.0)
    assert policy.delay_ms(now + 2.0, "foo", None) == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("settings", "text", "expected"),
    [
        ({"min_ms": 0.0}, "\n", 0.0),
        ({"min_ms": 40.0}, "foo.", 40.0),
        ({"base_ms": 500.0, "max_ms": 350.0}, "foo", 350.0),
        ({"base_ms": 5.0}, "foo", 15.0),
    ],
)
def test_bounds(settings: dict[str, float], text: str, expected: float) -> None:
    assert DebouncePolicy(**settings).delay_ms(0.0, text, None) == pytest.approx(expected)


def test_policies_are_per_document() -> None:
    policies = DebouncePolicies(max_docs=2, base_ms=50.0)
    slow = policies.for_doc("a")
    for t in (0.0, 0.2, 0.4, 0.6):
        slow.observe_keystroke(t)
    assert policies.for_doc("a") is slow
    assert slow.delay_ms(0.6, "x", None) == pytest.approx(350.0)
    assert policies.for_doc("b").delay_ms(0.6, "x", None) == pytest.approx(50.0)
    policies.forget("a")
    assert policies.for_doc("a") is not slow
