"""lsp_complete.tokens: exact cl100k counts from the shipped vocabulary, offline, with a safe fallback."""

from __future__ import annotations

import gzip
import logging
import math
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from lsp_complete import tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello world", 2),
        ("tiktoken is great!", 6),
        ("def foo(x):\n    return x\n", 8),
        ("<|endoftext|>", 7),  # special-token spelling counts as ordinary text
        ("    ", 1),
    ],
)
def test_counts_match_cl100k(text: str, expected: int) -> None:
    counter = tokens.get_counter()
    assert counter.exact
    assert counter.count(text) == expected


def test_token_ids_are_cl100k() -> None:
    counter = tokens.load_counter()
    assert counter._encoding is not None
    assert counter._encoding.encode_ordinary("hello world") == [15339, 1917]


def test_loader_never_opens_a_socket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(cache))

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the tokenizer loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    counter = tokens.load_counter()
    assert counter.exact
    assert counter.count("hello world") == 2
    assert list(cache.iterdir()) == []


def _corrupt_copy(tmp_path: Path) -> Path:
    raw = gzip.decompress(Path(tokens._default_path()).read_bytes())
    bad = tmp_path / "cl100k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(raw.replace(b"IQ== 0", b"IQ== 9", 1)))
    return bad


@pytest.mark.parametrize("case", ["hash-mismatch", "missing", "not-gzip"])
def test_bad_vocabulary_falls_back_to_estimate(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if case == "hash-mismatch":
        path = _corrupt_copy(tmp_path)
    elif case == "missing":
        path = tmp_path / "absent.tiktoken.gz"
    else:
        path = tmp_path / "plain.tiktoken.gz"
        path.write_bytes(b"IQ== 0\n")
    with caplog.at_level(logging.ERROR, logger="lsp_complete.tokens"):
        counter = tokens.load_counter(path)
    assert not counter.exact
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
    assert counter.count("hello world") == math.ceil(11 / tokens.ESTIMATE_CHARS_PER_TOKEN)
    assert counter.count("") == 0


def test_wrong_expected_hash_is_refused() -> None:
    assert not tokens.load_counter(expected_sha256="0" * 64).exact


def test_singleton_is_shared_across_threads() -> None:
    barrier = threading.Barrier(8)
    seen: list[tokens.TokenCounter] = []
    lock = threading.Lock()

    def grab() -> None:
        barrier.wait()
        counter = tokens.get_counter()
        with lock:
            seen.append(counter)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(c is seen[0] for c in seen)
    tokens.warm_up()
    assert tokens.is_loaded()
    assert tokens.get_counter() is seen[0]


def test_count_is_thread_safe() -> None:
    counter = tokens.get_counter()
    text = "for i in range(10):\n    print(i)\n" * 50
    expected = counter.count(text)
    results: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            n = counter.count(text)
            with lock:
                results.append(n)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 80
