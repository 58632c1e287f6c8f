"""A small asyncio JSON-RPC client that starts the real server (``python -m lsp_complete``) over stdio.

It timestamps every message with ``time.perf_counter()`` (CLOCK_MONOTONIC, the same clock the fake
provider's thread uses) right before a request is written and right after a response is read, answers
the server's own requests with ``null``, and keeps the notifications it hears.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "lsp_complete", "--log-level", "warning"]


def sealed_env(home: Path, config_toml: str, **extra: str) -> dict[str, str]:
    """This environment without keys or our variables, HOME/XDG inside ``home``, the config file written."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_API_KEY", "_KEY", "_TOKEN")) and not k.startswith(("LSP_COMPLETE", "XDG_"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_DATA_HOME=str(home / "data"),
    )
    path = home / "config.toml"
    path.write_text(config_toml, encoding="utf-8")
    env["LSP_COMPLETE_CONFIG"] = str(path)
    env.update(extra)
    return env


@dataclass
class Call:
    """One request we sent and, once it came, its answer."""

    id: int
    method: str
    sent: float
    received: float | None = None
    result: Any = None
    error: Any = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Client:
    """The server process and our side of the connection."""

    def __init__(self, env: Mapping[str, str], stderr_path: Path) -> None:
        self.env = dict(env)
        self.stderr_path = stderr_path
        self.proc: asyncio.subprocess.Process | None = None
        self.calls: dict[int, Call] = {}
        self.notifications: list[tuple[str, Any]] = []
        self.on_response: Callable[[Call], None] | None = None
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        """Spawn the server and start reading its output."""
        err = self.stderr_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            *SERVER,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env=self.env,
            limit=1 << 24,
        )
        err.close()
        self._reader = asyncio.ensure_future(self._read())

    def _write(self, message: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        body = json.dumps(message, separators=(",", ":")).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def drain(self) -> None:
        """Wait until what we wrote has been handed to the pipe."""
        assert self.proc is not None and self.proc.stdin is not None
        await self.proc.stdin.drain()

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> Call:
        """Send a request now; its ``Call`` completes when the answer arrives."""
        call = Call(next(self._ids), method, 0.0)
        self.calls[call.id] = call
        message = {"jsonrpc": "2.0", "id": call.id, "method": method, "params": params}
        call.sent = time.perf_counter()
        self._write(message)
        return call

    def cancel(self, call: Call) -> None:
        """``$/cancelRequest`` for a call still waiting."""
        if call.received is None:
            self.notify("$/cancelRequest", {"id": call.id})

    async def ask(self, method: str, params: Any, timeout: float = 30.0) -> Any:
        """A request and its result (raises on an error answer)."""
        call = self.request(method, params)
        await asyncio.wait_for(call.done.wait(), timeout)
        if call.error is not None:
            raise RuntimeError(f"{method}: {call.error}")
        return call.result

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        out = self.proc.stdout
        while True:
            try:
                head = await out.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await out.readexactly(length)
            now = time.perf_counter()
            message = json.loads(body)
            if "method" in message and "id" in message:  # the server asks us something
                self._write({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append((message["method"], message.get("params")))
            else:
                call = self.calls.get(message.get("id"))  # type: ignore[arg-type]
                if call is not None:
                    call.received, call.result, call.error = now, message.get("result"), message.get("error")
                    call.done.set()
                    if self.on_response is not None:
                        self.on_response(call)

    async def initialize(self, init_options: dict[str, Any] | None = None) -> Any:
        """``initialize`` with ghost-text capabilities (UTF-16 positions), then ``initialized``."""
        caps = {
            "textDocument": {
                "inlineCompletion": {},
                "completion": {"completionItem": {"snippetSupport": False}},
                "synchronization": {"didSave": True},
            },
            "workspace": {"configuration": True, "workspaceFolders": True},
            "general": {"positionEncodings": ["utf-16"]},
        }
        result = await self.ask(
            "initialize",
            {
                "processId": os.getpid(),
                "capabilities": caps,
                "rootUri": None,
                "initializationOptions": init_options,
            },
        )
        self.notify("initialized", {})
        return result

    async def close(self) -> None:
        """``shutdown`` and ``exit``, then wait (kill after 5 s)."""
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            await self.ask("shutdown", None, timeout=5.0)
            self.notify("exit", None)
        if self.proc.stdin is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 5.0)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    def rss_mb(self) -> float:
        """The server's resident memory (VmRSS from /proc) in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
        raise RuntimeError("no VmRSS")

    def messages(self) -> list[str]:
        """The ``window/showMessage`` texts heard so far."""
        return [str(p.get("message")) for m, p in self.notifications if m == "window/showMessage"]


def position(text: str, offset: int) -> dict[str, int]:
    """An LSP position (UTF-16 code units) for an offset into ``text``."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": len(text[start:offset].encode("utf-16-le")) // 2}


def change(text: str, start: int, end: int, new: str) -> dict[str, Any]:
    """One incremental content change replacing ``text[start:end]`` with ``new``."""
    return {"range": {"start": position(text, start), "end": position(text, end)}, "text": new}
