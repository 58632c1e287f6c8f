"""The fake's non-OpenAI dialects through a plain stdlib client: event order, usage placement, NDJSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lsp_complete.providers.sse import SSEDecoder
from tests.fake_provider import FakeProvider, Reply, format_for
from tests.providers.test_fake_provider import post


def events(raw: bytes) -> list[tuple[str, Any]]:
    decoder = SSEDecoder()
    return [(e.event, json.loads(e.data)) for e in decoder.feed(raw) + decoder.flush()]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/messages", "anthropic"),
        ("/api/generate", "ollama"),
        ("/infill", "llamacpp-infill"),
        ("/completion", "llamacpp-infill"),
        ("/v1/fim/completions", "mistral-fim"),
        ("/v1/completions", "openai-completions"),
        ("/v1/chat/completions?x=1", "openai-chat"),
    ],
)
def test_format_by_path(path: str, name: str) -> None:
    fmt = format_for(path)
    assert fmt is not None
    assert fmt.name == name


def test_anthropic_event_order_and_usage() -> None:
    reply = Reply(
        text="abc", chunks=3, usage={"prompt_tokens": 100, "completion_tokens": 9}, cached=60, cache_write=30
    )
    with FakeProvider(reply) as fake:
        status, raw = post(fake.port, "/v1/messages", {"stream": True})
    got = events(raw)
    assert status == 200
    assert [name for name, _ in got] == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 3,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(obj["type"] == name for name, obj in got)
    assert got[0][1]["message"]["usage"] == {
        "input_tokens": 10,
        "cache_creation_input_tokens": 30,
        "cache_read_input_tokens": 60,
        "output_tokens": 1,
    }
    assert "".join(obj["delta"]["text"] for name, obj in got if name == "content_block_delta") == "abc"
    assert got[-2][1]["usage"] == {"output_tokens": 9}
    assert got[-2][1]["delta"]["stop_reason"] == "end_turn"


def test_anthropic_error_event_after_some_text() -> None:
    error = {"type": "overloaded_error", "message": "Overloaded"}
    with FakeProvider(Reply(text="abcd", chunks=4, mid_stream_error=error, error_after_chunks=2)) as fake:
        _, raw = post(fake.port, "/v1/messages", {"stream": True})
    got = events(raw)
    assert [name for name, _ in got][-3:] == ["content_block_delta"] * 2 + ["error"]
    assert got[-1][1] == {"type": "error", "error": error}


def test_ollama_ndjson_lines() -> None:
    with FakeProvider(
        Reply(text="a😀c", chunks=3, usage={"prompt_tokens": 17, "completion_tokens": 3})
    ) as fake:
        status, raw = post(fake.port, "/api/generate", {"stream": True})
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    assert status == 200
    assert [line["response"] for line in lines] == ["a", "😀", "c", ""]
    assert [line["done"] for line in lines] == [False, False, False, True]
    assert (lines[-1]["prompt_eval_count"], lines[-1]["eval_count"], lines[-1]["done_reason"]) == (
        17,
        3,
        "stop",
    )


def test_llamacpp_final_object_and_no_done() -> None:
    reply = Reply(text="xy", chunks=2, usage={"prompt_tokens": 50, "completion_tokens": 2}, cached=40)
    with FakeProvider(reply) as fake:
        _, raw = post(fake.port, "/infill", {"stream": True})
    got = [obj for _, obj in events(raw)]
    assert [obj["stop"] for obj in got] == [False, False, True]
    assert "".join(obj["content"] for obj in got) == "xy"
    assert (got[-1]["tokens_evaluated"], got[-1]["tokens_predicted"]) == (50, 2)
    assert got[-1]["timings"]["cache_n"] == 40
    assert b"[DONE]" not in raw


@pytest.mark.parametrize(
    ("path", "pick"),
    [
        ("/v1/messages", lambda o: o["content"][0]["text"]),
        ("/api/generate", lambda o: o["response"]),
        ("/infill", lambda o: o["content"]),
    ],
)
def test_non_streamed_answer(path: str, pick: Any) -> None:
    with FakeProvider(Reply(text="hello")) as fake:
        status, raw = post(fake.port, path, {"stream": False})
    assert status == 200
    assert pick(json.loads(raw)) == "hello"
