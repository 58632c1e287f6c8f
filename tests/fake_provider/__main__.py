"""Run the fake provider as a process: ``python -m tests.fake_provider --port-file PATH [--script JSON]``.

``--script`` is JSON (or a path to a JSON file): a list of ``Reply`` field objects answered in order, or
``{"default": {...}, "replies": [...]}``. The port is written to ``--port-file`` (atomically) once bound
and printed as one line on stdout. ``--requests-log`` appends each request as a JSON line. Runs until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

from tests.fake_provider.script import Reply
from tests.fake_provider.server import FakeProvider


def _load_script(text: str) -> tuple[Reply | None, list[Reply]]:
    source = text.strip()
    obj: Any = json.loads(source if source[:1] in "[{" else Path(source).read_text(encoding="utf-8"))
    if isinstance(obj, list):
        return None, [Reply.from_json(r) for r in obj]
    default = Reply.from_json(obj["default"]) if obj.get("default") is not None else None
    return default, [Reply.from_json(r) for r in obj.get("replies", [])]


def main(argv: list[str] | None = None) -> int:
    """Serve until a signal arrives."""
    parser = argparse.ArgumentParser(prog="python -m tests.fake_provider")
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", default=None)
    parser.add_argument("--requests-log", type=Path, default=None)
    args = parser.parse_args(argv)
    default, replies = _load_script(args.script) if args.script else (None, [])
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with FakeProvider(default, port=args.port, request_log=args.requests_log) as fake:
        fake.respond_with(*replies)
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(str(fake.port), encoding="utf-8")
        os.replace(tmp, args.port_file)
        print(fake.port, flush=True)  # a line on stdout too, for callers that wait on a pipe
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
