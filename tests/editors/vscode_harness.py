"""Real VS Code for the end-to-end test: code-server on 127.0.0.1 with the packaged .vsix, in temp dirs.

What it needs is installed by ``.ci/install-vscode-deps``; ``require_deps`` fails (never skips) with that
hint when something is missing. Processes are started in their own session and killed by PID at the end,
descendants included (code-server leaves file-watcher children that ignore SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
VSIX = EXTENSION / "lsp-complete.vsix"
DRIVER = EXTENSION / "test" / "e2e" / "driver.mjs"
CODE_SERVER_VERSION = "4.100.3"
INSTALL_HINT = "run .ci/install-vscode-deps (apt chromium, npm ci, code-server into the cache, the .vsix)"


def cache_dir() -> Path:
    """Where .ci/install-vscode-deps puts code-server (same rule as the script)."""
    if os.environ.get("LSP_COMPLETE_CI_CACHE"):
        return Path(os.environ["LSP_COMPLETE_CI_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "lsp-complete-ci"


@dataclass(frozen=True)
class Deps:
    code_server: Path
    chromium: Path
    node: Path


def require_deps() -> Deps:
    """The installed tools, or a test failure naming what is missing and how to install it."""
    missing: list[str] = []
    code_server = Path(
        os.environ.get("LSP_COMPLETE_CODE_SERVER")
        or cache_dir() / f"code-server-{CODE_SERVER_VERSION}" / "node_modules" / ".bin" / "code-server"
    )
    if not code_server.exists():
        missing.append(f"code-server {CODE_SERVER_VERSION} at {code_server}")
    chromium = Path(
        os.environ.get("LSP_COMPLETE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    if not chromium.exists():
        missing.append("Debian's chromium (apt-get install chromium)")
    node = shutil.which("node")
    if node is None:
        missing.append("node")
    if not (EXTENSION / "node_modules" / "playwright-core").is_dir():
        missing.append("editors/vscode/node_modules (npm ci in editors/vscode)")
    if not VSIX.exists():
        missing.append(f"the packaged extension {VSIX} (npm run package in editors/vscode)")
    else:
        sources = [*(EXTENSION / "src").glob("*.ts"), EXTENSION / "package.json"]
        stale = [p.name for p in sources if p.stat().st_mtime > VSIX.stat().st_mtime]
        if stale:
            missing.append(f"a fresh .vsix: {', '.join(stale)} changed after it was built (npm run package)")
    if missing:
        pytest.fail(
            "VS Code end-to-end test cannot run; missing: " + "; ".join(missing) + f". Fix: {INSTALL_HINT}"
        )
    assert node is not None
    return Deps(code_server, chromium, Path(node))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(root: int) -> list[int]:
    """PIDs of every live descendant of ``root`` (from /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def group_members(pgid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == pgid:
                    out.append(int(entry.name))
    return out


def kill_tree(proc: subprocess.Popen[bytes]) -> list[int]:
    """SIGTERM ``proc`` and all its descendants by PID, SIGKILL what is left after 3 s; the PIDs killed."""
    # An exited (reaped) process's PID may already belong to someone else: only signal it while it runs.
    pids = [*([proc.pid] if proc.poll() is None else []), *descendants(proc.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    # Survivors: the same PIDs, and anything still in the session's process group (reparented orphans).
    for pid in {*pids, *group_members(proc.pid)} - {os.getpid()}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    return pids


def run_bounded(argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the node driver in its own session; on timeout or error kill it AND its children (Chromium)."""
    proc = subprocess.Popen(
        argv, cwd=EXTENSION, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        out, err = proc.communicate()
        err += f"\n(the driver was killed after {timeout} s)".encode()
    finally:
        kill_tree(proc)  # a clean exit leaves nothing; this only reaps stragglers by PID
    return subprocess.CompletedProcess(
        argv, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    )


@contextlib.contextmanager
def code_server(
    deps: Deps, root: Path, env: dict[str, str], settings: dict[str, object], folder: Path
) -> Iterator[str]:
    """code-server with the .vsix installed, serving ``folder``; yields the URL to open."""
    data, extensions = root / "cs-data", root / "cs-extensions"
    (data / "User").mkdir(parents=True, exist_ok=True)
    (data / "User" / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    base = [str(deps.code_server), "--user-data-dir", str(data), "--extensions-dir", str(extensions)]
    installed = subprocess.run(
        [*base, "--install-extension", str(VSIX)], env=env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, f"installing the .vsix failed: {installed.stdout}{installed.stderr}"
    port = free_port()
    proc = subprocess.Popen(
        [
            *base,
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            str(folder),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    listening = threading.Event()
    output: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            output.append(line)
            if "HTTP server listening on" in line:
                listening.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        if not listening.wait(60):
            pytest.fail("code-server did not start listening within 60 s:\n" + "\n".join(output[-30:]))
        yield f"http://127.0.0.1:{port}/?folder={folder}"
    finally:
        killed = kill_tree(proc)
        reader.join(timeout=5)
        (root / "code-server.log").write_text("\n".join(output), encoding="utf-8")
        print(f"code-server stopped; killed PIDs {killed}", file=sys.stderr)
