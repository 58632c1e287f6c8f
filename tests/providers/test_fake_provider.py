"""The fake provider itself, through a plain stdlib HTTP client: formats, routing, scripting, lifecycle."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lsp_complete.providers.sse import SSEDecoder
from tests.fake_provider import FakeProvider, Reply

ROOT = Path(__file__).resolve().parents[2]


def post(
    port: int, path: str, body: dict[str, Any], conn: http.client.HTTPConnection | None = None
) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def sse_objects(raw: bytes) -> list[Any]:
    decoder = SSEDecoder()
    events = decoder.feed(raw) + decoder.flush()
    return [e.data if e.data == "[DONE]" else json.loads(e.data) for e in events]


@pytest.mark.parametrize(
    ("path", "pick"),
    [
        ("/v1/chat/completions", lambda o: o["choices"][0]["message"]["content"]),
        ("/v1/completions", lambda o: o["choices"][0]["text"]),
        ("/v1/fim/completions", lambda o: o["choices"][0]["message"]["content"]),
        ("/beta/completions", lambda o: o["choices"][0]["text"]),
    ],
)
def test_non_streamed_answer_per_path(path: str, pick: Any) -> None:
    with FakeProvider(Reply(text="hello", cached=2)) as fake:
        status, raw = post(fake.port, path, {"model": "m", "prompt": "x", "stream": False})
    body = json.loads(raw)
    assert status == 200
    assert pick(body) == "hello"
    assert body["usage"]["prompt_tokens_details"] == {"cached_tokens": 2}


@pytest.mark.parametrize(
    ("path", "include_usage", "usage_chunks"),
    [
        ("/v1/chat/completions", True, "separate"),
        ("/v1/chat/completions", False, "none"),
        ("/v1/fim/completions", False, "last-chunk"),
    ],
)
def test_streamed_usage_placement(path: str, include_usage: bool, usage_chunks: str) -> None:
    body = {"stream": True, "stream_options": {"include_usage": include_usage}}
    with FakeProvider(Reply(text="abc", chunks=3)) as fake:
        status, raw = post(fake.port, path, body)
    objects = sse_objects(raw)
    assert status == 200
    assert objects[-1] == "[DONE]"
    chunks = objects[:-1]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == "abc"
    with_usage = [c for c in chunks if c.get("usage")]
    if usage_chunks == "none":
        assert with_usage == []
    elif usage_chunks == "separate":
        assert with_usage == chunks[-1:]
        assert with_usage[0]["choices"] == []
    else:
        assert with_usage == chunks[-1:]
        assert with_usage[0]["choices"][0]["finish_reason"] == "stop"


def test_unknown_path_is_404() -> None:
    with FakeProvider() as fake:
        status, raw = post(fake.port, "/v1/nope", {"stream": True})
    assert status == 404
    assert "no route" in json.loads(raw)["error"]["message"]


def test_queue_then_default_on_one_keep_alive_connection() -> None:
    with FakeProvider(Reply(text="default")) as fake:
        fake.respond_with(Reply(text="first"), Reply(status=429, headers={"retry-after": "1"}))
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
        answers = [post(fake.port, "/v1/completions", {"stream": False}, conn) for _ in range(3)]
        conn.close()
        assert [fake.wait_for_request(5).connection for _ in range(3)] == [1, 1, 1]
        with pytest.raises(TimeoutError):
            fake.wait_for_request(0.05)
    assert [status for status, _ in answers] == [200, 429, 200]
    assert json.loads(answers[0][1])["choices"][0]["text"] == "first"
    assert json.loads(answers[2][1])["choices"][0]["text"] == "default"


def test_stop_ends_a_stall_and_closes_the_socket() -> None:
    fake = FakeProvider(Reply(text="abc", chunks=3, stall_after_chunks=1)).start()
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=10)
    body = b'{"stream": true}'
    sock.sendall(
        b"POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    )
    fake.wait_for_request(5)
    fake.stop()
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    sock.close()
    assert b'"text": "a"' in received
    assert not received.endswith(b"0\r\n\r\n")
    assert not fake.wait_for_disconnect(0)  # the server left, not the client


def test_standalone_process(tmp_path: Path) -> None:
    port_file, log = tmp_path / "port", tmp_path / "requests.jsonl"
    script = json.dumps({"default": {"text": "dflt"}, "replies": [{"text": "scripted", "comments": ["x"]}]})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--port-file", str(port_file), "--script", script, "--requests-log", str(log)]
    with subprocess.Popen(
        [sys.executable, "-m", "tests.fake_provider", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        assert int(port_file.read_text()) == port
        answers = [json.loads(post(port, "/v1/completions", {"prompt": "p"})[1]) for _ in range(2)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert [a["choices"][0]["text"] for a in answers] == ["scripted", "dflt"]
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert [entry["json"] for entry in logged] == [{"prompt": "p"}] * 2
