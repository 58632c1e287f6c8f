"""Answer cache, typing-through and in-flight keys."""

from __future__ import annotations

import pytest

from lsp_complete.core.cache import (
    CompletionCache,
    TypingThrough,
    cache_key,
    digest,
    request_key,
)
from lsp_complete.core.types import ChatMessage, ContextSnippet, ModelRequest


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (("d", "m", "x = ", "\nfoo"), ("d", "m", "x = ", "\nfoo"), True),
        (("d", "m", "x = ", "\nfoo"), ("e", "m", "x = ", "\nfoo"), False),
        (("d", "m", "x = ", "\nfoo"), ("d", "n", "x = ", "\nfoo"), False),
        (("d", "m", "x = ", "\nfoo"), ("d", "m", "x =", "\nfoo"), False),
        (("d", "m", "x = ", "\nfoo"), ("d", "m", "x = ", "\nbar"), False),
        # only the first 3 suffix lines count here
        (("d", "m", "p", "a\nb\nc\nd"), ("d", "m", "p", "a\nb\nc\nX"), True),
        (("d", "m", "p", "a\nb\nc\nd"), ("d", "m", "p", "a\nb\nX\nd"), False),
        (("d", "m", "p", "a\nb\nc"), ("d", "m", "p", "a\nb\nc\n"), True),
    ],
)
def test_cache_key(a: tuple[str, str, str, str], b: tuple[str, str, str, str], equal: bool) -> None:
    assert (cache_key(*a, suffix_lines=3) == cache_key(*b, suffix_lines=3)) is equal


def test_digest_is_unambiguous() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("\ud800") == digest("\ud800")  # lone surrogates from the editor do not crash


def test_variant_separates_answers() -> None:
    assert cache_key("d", "m", "p", "s") != cache_key("d", "m", "p", "s", variant="multi")


def test_get_put_hit_rate() -> None:
    cache = CompletionCache()
    key = cache_key("d", "m", "x = ", "")
    assert cache.hit_rate is None
    assert cache.get(key) is None
    cache.put(key, "1")
    assert cache.get(key) == "1"
    cache.put(key, "")  # "nothing to add" is an answer too
    assert cache.get(key) == ""
    assert (cache.hits, cache.misses) == (2, 1)
    assert cache.hit_rate == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("max_entries", "max_bytes", "sizes", "kept"),
    [
        (3, 10**6, [1, 1, 1, 1], [1, 2, 3]),  # by count: the oldest goes
        (10, 1000, [300, 300, 300], [1, 2]),  # by bytes: 3 x (300 + 160) > 1000
        (10, 1000, [2000, 10], [1]),  # larger than the whole budget: not stored
    ],
)
def test_bounds(max_entries: int, max_bytes: int, sizes: list[int], kept: list[int]) -> None:
    cache = CompletionCache(max_entries=max_entries, max_bytes=max_bytes)
    keys = [cache_key("d", "m", str(i), "") for i in range(len(sizes))]
    for key, size in zip(keys, sizes, strict=True):
        cache.put(key, "x" * size)
    assert [i for i, key in enumerate(keys) if cache.get(key) is not None] == kept
    assert cache.bytes <= max_bytes


def test_recently_used_survives_and_forget() -> None:
    cache = CompletionCache(max_entries=2)
    a, b, c = (cache_key("d", "m", p, "") for p in "abc")
    cache.put(a, "A")
    cache.put(b, "B")
    cache.get(a)
    cache.put(c, "C")
    assert (cache.get(a), cache.get(b), cache.get(c)) == ("A", None, "C")
    cache.put(cache_key("other", "m", "a", ""), "X")
    cache.forget("d")
    assert len(cache) == 1


P = "def f(x):\n    return "

# (shown: [(prefix, suggestion)] oldest first, prefix_now, expected)
TYPING = [
    ([(P, "x + 1")], P, "x + 1"),
    ([(P, "x + 1")], P + "x", " + 1"),
    ([(P, "x + 1")], P + "x + ", "1"),
    ([(P, "x + 1")], P + "x + 1", None),  # fully typed: nothing left
    ([(P, "x + 1")], P + "y", None),  # typed something else
    ([(P, "x + 1")], P + "x + 12", None),  # typed past the suggestion
    ([(P, "x + 1\n    pass")], P + "x + 1\n", "    pass"),
    ([(P, "x + 1")], "# edit\n" + P + "x", None),  # text above changed the place
    ([(P, "x + 1")], P[:-1], " x + 1"),  # one backspace on the same line
    ([(P, "x + 1")], P[:-4], "urn x + 1"),
    ([(P, "x + 1")], "def f(x):", None),  # backspacing across a newline
    ([(P, "x + 1")], "def f(x):\n", "    return x + 1"),  # the line's text only
    ([(P, "x + 1")], "def f(y):\n    return ", None),  # same length, other text
    # newest first: the later suggestion at a longer prefix wins while it matches
    ([(P, "x + 1"), (P + "x", " * 2")], P + "x", " * 2"),
    ([(P, "x + 1"), (P + "x", " * 2")], P + "x ", "* 2"),
    # backspacing to where an earlier suggestion was shown finds it again
    ([(P, "x + 1"), (P + "x", " * 2")], P, "x + 1"),
    ([(P, "x + 1"), (P + "x", " * 2")], P + "x +", " 1"),
    ([(P, "")], P, None),
]


@pytest.mark.parametrize(("shown", "prefix_now", "expected"), TYPING)
def test_typing_through(shown: list[tuple[str, str]], prefix_now: str, expected: str | None) -> None:
    tt = TypingThrough()
    for prefix, suggestion in shown:
        tt.remember("doc", prefix, suggestion)
    assert tt.lookup("doc", prefix_now) == expected
    assert tt.lookup("other", prefix_now) is None


@pytest.mark.parametrize("tail_chars", [1, 5, 2000])
def test_typing_through_with_a_short_tail(tail_chars: int) -> None:
    tt = TypingThrough(tail_chars=tail_chars, max_backspace=3)
    tt.remember("doc", "abc\n" * 100 + "x = ", "foo()")
    assert tt.lookup("doc", "abc\n" * 100 + "x = fo") == "o()"
    backspaced = tt.lookup("doc", "abc\n" * 100 + "x =")
    assert backspaced == (" foo()" if tail_chars > 1 else None)
    assert tt.lookup("doc", "abc\n" * 100) is None  # more than max_backspace


def test_typing_through_bounds() -> None:
    tt = TypingThrough(per_doc=2, max_docs=2)
    for i in range(3):
        tt.remember("doc", f"p{i}", "zz")
    assert [tt.lookup("doc", f"p{i}") for i in range(3)] == [None, "zz", "zz"]
    tt.remember("a", "p", "1")
    tt.remember("b", "p", "2")
    assert tt.lookup("doc", "p2") is None  # the least recently used document went
    tt.forget("b")
    assert (tt.lookup("a", "p"), tt.lookup("b", "p")) == ("1", None)


BASE = ModelRequest(model="m", prompt="x = ", suffix="\n", max_tokens=64)


@pytest.mark.parametrize(
    ("other", "equal"),
    [
        (ModelRequest(model="m", prompt="x = ", suffix="\n", max_tokens=64), True),
        (ModelRequest(model="n", prompt="x = ", suffix="\n", max_tokens=64), False),
        (ModelRequest(model="m", prompt="x =", suffix="\n", max_tokens=64), False),
        (ModelRequest(model="m", prompt="x = ", suffix=None, max_tokens=64), False),
        (ModelRequest(model="m", prompt="x = ", suffix="", max_tokens=64), False),
        (ModelRequest(model="m", prompt="x = ", suffix="\n", max_tokens=32), False),
        (ModelRequest(model="m", prompt="x = ", suffix="\n", max_tokens=64, stop=("\n",)), False),
        (ModelRequest(model="m", prompt="x = ", suffix="\n", max_tokens=64, temperature=0.2), False),
        (
            ModelRequest(
                model="m", prompt="x = ", suffix="\n", max_tokens=64, snippets=(ContextSnippet("a", "b"),)
            ),
            False,
        ),
        (
            ModelRequest(model="m", prompt="x = ", suffix="\n", messages=(ChatMessage("user", "hi"),)),
            False,
        ),
    ],
)
def test_request_key(other: ModelRequest, equal: bool) -> None:
    assert (request_key(BASE, "p") == request_key(other, "p")) is equal
    hash(request_key(other))


def test_request_key_includes_the_provider() -> None:
    assert request_key(BASE, "deepseek") != request_key(BASE, "mistral")
