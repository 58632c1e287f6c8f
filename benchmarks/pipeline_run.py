"""Running the server configurations of the pipeline benchmark: typing replays, latency and memory.

Each configuration gets its own fake provider (an ``Oracle`` responder, same seed), its own sealed
HOME/XDG directory and config file (``LSP_COMPLETE_CONFIG``), and its own server process. Nothing
leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.pipeline_client import Client, change, position, sealed_env
from benchmarks.pipeline_log import RunLog, Upstream
from benchmarks.pipeline_replay import Replay
from benchmarks.pipeline_trace import Trace
from lsp_complete import fields
from tests.fake_provider import FakeProvider, Reply
from tests.fake_provider.oracle import Answer, Oracle, Timing
from tests.fake_provider.script import Request

KEY_ENV = "BENCH_ORACLE_KEY"
MODEL = "deepseek-flash"
WHOLE_FILE = min(1_000_000, int(fields.FIELD_BY_KEY["completion.prompt_tokens"].hi or 1_000_000))

#: completion.* keys per configuration (INTERFACES.md); "ours" is the shipped defaults.
CONFIGS: dict[str, dict[str, Any]] = {
    "ours": {},
    "naive": {
        "adaptive_debounce": False,
        "debounce_ms": 0,
        "cache": False,
        "typing_through": False,
        "context_snippets": 0,
        "prompt_tokens": WHOLE_FILE,
    },
    "fixed-350": {"adaptive_debounce": False, "debounce_ms": 350, "typing_through": False},
}


def has_key(key: str) -> bool:
    """Whether this build knows ``completion.<key>``."""
    return f"completion.{key}" in fields.FIELD_BY_KEY


def config_toml(url: str, completion: dict[str, Any]) -> str:
    """The user config file: the oracle as the whole fast tier, generous caps, ``completion`` keys."""
    lines = [
        "[providers.oracle]",
        'api = "openai-completions"',
        f'base_url = "{url}"',
        f'api_key_env = "{KEY_ENV}"',
        "",
        "[tiers]",
        f'fast = ["oracle/{MODEL}"]',
        "",
        "[budget]",
        "daily_usd = 1000.0",
        "monthly_usd = 10000.0",
        "",
        "[completion]",
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in completion.items()]
    return "\n".join(lines) + "\n"


@dataclass
class UpstreamCall:
    """One upstream request as the fake provider saw it, with what the oracle answered."""

    request: Request
    answer: Answer | None
    received: float
    ended: float | None
    gone: float | None


@dataclass
class ConfigRun:
    """One configuration's typing replay."""

    name: str
    log: RunLog
    upstream: list[UpstreamCall] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


async def start_server(name: str, tmp: Path, url: str, completion: dict[str, Any]) -> Client:
    """A started and initialized server for one configuration."""
    home = tmp / name
    env = sealed_env(home, config_toml(url, completion), **{KEY_ENV: "sk-bench-0123456789"})
    client = Client(env, home / "server.stderr")
    await client.start()
    await client.initialize()
    return client


async def warm_up(client: Client, tmp: Path, settle_s: float = 0.5) -> None:
    """Let the tokenizer load and the HTTP connection open before anything is measured."""
    uri = (tmp / "warm.py").as_uri()
    text = "def warm_up(x):\n    return x\n\n"
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    for _ in range(2):
        await client.ask(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": position(text, len(text)),
                "context": {"triggerKind": 1},
            },
        )
        await asyncio.sleep(settle_s)


def _collect(fake: FakeProvider, oracle: Oracle, upstream: Upstream, first: int) -> list[UpstreamCall]:
    out = []
    for index, request in enumerate(list(fake.requests)):
        if index < first:
            continue
        out.append(
            UpstreamCall(
                request,
                oracle.answers.get(id(request)),
                upstream.received.get(index, 0.0),
                upstream.ended.get(index),
                upstream.gone.get(index),
            )
        )
    return out


async def replay_config(
    name: str, trace: Trace, tmp: Path, timing: Timing, defects: float, settle_s: float = 0.5
) -> ConfigRun:
    """Replay ``trace`` against a server configured as ``name``."""
    oracle = Oracle(
        {s.name: s.truth for s in trace.segments}, timing=timing, defect_rate=defects, seed=trace.seed
    )
    upstream = Upstream()
    with FakeProvider(responder=oracle, observer=upstream.observe) as fake:
        client = await start_server(name, tmp, fake.url, CONFIGS[name])
        try:
            await warm_up(client, tmp, settle_s)
            log = RunLog(name, first_upstream=len(fake.requests))
            replay = Replay(client, upstream, log, tmp)
            replay.open_all(trace)
            await replay.run(trace)
            messages = client.messages()
        finally:
            await client.close()
        return ConfigRun(name, log, _collect(fake, oracle, upstream, log.first_upstream), messages)


def merge(runs: list[ConfigRun]) -> ConfigRun:
    """One configuration's replays of several sessions as one."""
    first = runs[0]
    log = RunLog(first.name)
    for r in runs:
        for key in (
            "keystrokes",
            "pauses",
            "pause_at",
            "latencies_ms",
            "after_accept_ms",
            "wrong",
            "new_latencies_ms",
        ):
            getattr(log, key).extend(getattr(r.log, key))
        for key in ("shown", "right", "accepts", "partial_accepts", "accepted_chars"):
            setattr(log, key, getattr(log, key) + getattr(r.log, key))
        log.real_s = max(log.real_s, r.log.real_s)
    upstream = [u for r in runs for u in r.upstream]
    messages = sorted({m for r in runs for m in r.messages})
    return ConfigRun(first.name, log, upstream, messages)


def big_file(texts: dict[str, str], lines: int, salt: int = 0) -> str:
    """A file of ``lines`` lines of real code: corpus files one after another (rotated by ``salt``)."""
    names = sorted(texts)
    out: list[str] = []
    i = salt
    while len(out) < lines:
        out += [f"# --- {names[i % len(names)]} ({salt}) ---", *texts[names[i % len(names)]].split("\n")]
        i += 1
    return "\n".join(out[:lines]) + "\n"


@dataclass
class Latency:
    """Server-added latency samples of one configuration, and the transport floor."""

    name: str
    added_ms: list[float]
    inbound_ms: list[float]
    outbound_ms: list[float]
    floor_ms: list[float]
    prompts: list[str] = field(default_factory=list)  # prompt + suffix of each sample's upstream request
    whole: str = ""  # the 5,000-line file


async def latency_config(
    name: str, texts: dict[str, str], tmp: Path, samples: int, seed: int, gap_s: float = 0.02
) -> Latency:
    """Invoked requests (no debounce) at distinct line ends of a 5,000-line file.

    Each sample removes the next line (so the oracle has a true middle to answer), waits ``gap_s`` so
    the edit is applied before the request arrives (the target is request in to upstream out), asks,
    and puts the line back. Added = (fake received - client sent) + (client received - fake stream end).
    """
    truth = big_file(texts, 5000)
    oracle = Oracle(
        {"big.py": truth},
        timing=Timing(median_s=0.005, p90_s=0.005, chars_per_chunk=8, tokens_per_s=2000.0),
        seed=seed,
    )
    upstream = Upstream()
    rng = random.Random(seed)
    with FakeProvider(responder=oracle, observer=upstream.observe) as fake:
        client = await start_server(f"latency-{name}", tmp, fake.url, CONFIGS[name])
        try:
            await warm_up(client, tmp)
            uri = (tmp / "work" / "big.py").as_uri()
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": truth}},
            )
            starts = [0, *[i + 1 for i, c in enumerate(truth) if c == "\n"][:-1]]
            lines = [
                i
                for i in range(20, len(starts) - 2)
                if truth[starts[i] : starts[i + 1]].strip() and truth[starts[i + 1] : starts[i + 2]].strip()
            ]
            picks = rng.sample(lines, samples + 10)
            added, inbound, outbound, floor, prompts = [], [], [], [], []
            version = 1
            for n, line in enumerate(picks):
                a, b = starts[line + 1] - 1, starts[line + 2] - 1  # the newline ending `line`, then the next
                text = truth[:a] + truth[b:]
                version += 1
                client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [change(truth, a, b, "")],
                    },
                )
                if gap_s:
                    await asyncio.sleep(gap_s)  # let the server apply the edit before the request comes
                first = len(fake.requests)
                call = client.request(
                    "textDocument/inlineCompletion",
                    {
                        "textDocument": {"uri": uri},
                        "position": position(text, a),
                        "context": {"triggerKind": 1},
                    },
                )
                await asyncio.wait_for(call.done.wait(), 10)
                while upstream.active():
                    await asyncio.sleep(0.001)
                version += 1
                client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [change(text, a, a, truth[a:b])],
                    },
                )
                if n < 10 or len(fake.requests) != first + 1 or first not in upstream.ended:
                    continue  # warm-up, or not exactly one completed upstream call
                assert call.received is not None
                body = fake.requests[first].json
                prompts.append(str(body.get("prompt", "")) + str(body.get("suffix", "")))
                inbound.append((upstream.received[first] - call.sent) * 1000)
                outbound.append((call.received - upstream.ended[first]) * 1000)
                added.append(inbound[-1] + outbound[-1])
            for _ in range(50):  # a request the server answers at once: what the pipes and JSON-RPC cost
                started = time.perf_counter()
                await client.ask(
                    "textDocument/inlineCompletion",
                    {
                        "textDocument": {"uri": (tmp / "not-open.py").as_uri()},
                        "position": {"line": 0, "character": 0},
                        "context": {"triggerKind": 1},
                    },
                )
                floor.append((time.perf_counter() - started) * 1000)
        finally:
            await client.close()
    return Latency(name, added, inbound, outbound, floor, prompts, truth)


async def memory(texts: dict[str, str], tmp: Path, files: int = 200, lines: int = 1000) -> dict[str, float]:
    """VmRSS (MB) of the shipped configuration: idle, with ``files`` open documents, after completions."""
    with FakeProvider(Reply(text="value = compute(item)\n", chunks=2)) as fake:
        client = await start_server("memory", tmp, fake.url, CONFIGS["ours"])
        try:
            await warm_up(client, tmp)
            idle = client.rss_mb()
            uris = []
            for i in range(files):
                uri = (tmp / "work" / f"open_{i:03d}.py").as_uri()
                uris.append(uri)
                text = big_file(texts, lines, salt=i)
                doc = {"uri": uri, "languageId": "python", "version": 1, "text": text}
                client.notify("textDocument/didOpen", {"textDocument": doc})
                if i % 20 == 19:
                    await client.drain()
            probe = (tmp / "not-open.py").as_uri()  # answered after every didOpen before it was handled
            await client.ask(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": probe},
                    "position": {"line": 0, "character": 0},
                    "context": {"triggerKind": 1},
                },
            )
            opened = client.rss_mb()
            for uri in uris[:: files // 10 or 1]:  # completions build whatever per-document state they need
                await client.ask(
                    "textDocument/inlineCompletion",
                    {
                        "textDocument": {"uri": uri},
                        "position": {"line": lines - 1, "character": 0},
                        "context": {"triggerKind": 1},
                    },
                )
            await asyncio.sleep(0.5)
            loaded = client.rss_mb()
        finally:
            await client.close()
    return {"idle_mb": idle, "opened_mb": opened, "loaded_mb": loaded}
