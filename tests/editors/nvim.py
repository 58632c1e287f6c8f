"""Real Neovim for tests: locating the binaries `.ci/install-neovim-deps` installed, starting one headless
through pynvim in a sealed HOME/XDG with our plugin on 'runtimepath', and bounded polling of its state.

Neovim or pynvim missing is a test FAILURE with the command that installs them, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.harness import sealed_env

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "neovim"
INSTALL = ".ci/install-neovim-deps"
SERVER_CMD = [sys.executable, "-m", "lsp_complete"]
KEY = "sk-test-neovim-0123456789"
T = TypeVar("T")


def tools_dir() -> Path:
    """Where `.ci/install-neovim-deps` puts the editors (same default as the script)."""
    if os.environ.get("LSP_COMPLETE_TOOLS"):
        return Path(os.environ["LSP_COMPLETE_TOOLS"])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "lsp-complete" / "editors"


def nvim_binary(version: str) -> Path:
    """The Neovim `version` ("0.12" or "0.11"): $LSP_COMPLETE_NVIM_0_12 etc., else the tools dir."""
    override = os.environ.get("LSP_COMPLETE_NVIM_" + version.replace(".", "_"))
    path = Path(override) if override else tools_dir() / "bin" / f"nvim-{version}"
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Neovim {version} not found at {path}: run `bash {INSTALL}` (pip installs it from PyPI), "
            f"or point LSP_COMPLETE_NVIM_{version.replace('.', '_')} at an nvim binary",
            pytrace=False,
        )
    return path


def _pynvim() -> Any:
    try:
        import pynvim
    except ImportError:
        pytest.fail(f"pynvim is not installed: run `bash {INSTALL}`", pytrace=False)
    return pynvim


def provider_config(url: str, debounce_ms: int = 0) -> str:
    """A user config file: the fake provider (keyed) as the whole fast tier."""
    return (
        f'[providers.fake]\napi = "openai-completions"\nbase_url = "{url}"\napi_key_env = "FAKE_KEY"\n\n'
        f'[tiers]\nfast = ["fake/coder"]\n\n[completion]\ndebounce_ms = {debounce_ms}\n'
        # the tests count upstream requests; speculation (on by default) would add its own
        "speculative = false\n"
    )


def wait_for(predicate: Callable[[], T], what: str, timeout: float = 15.0, interval: float = 0.01) -> T:
    """Poll ``predicate`` until it returns something truthy (and return that); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {value!r})", pytrace=False)
        time.sleep(interval)


class Editor:
    """One headless Neovim (pynvim ``Nvim`` as ``.nvim``) plus helpers for our plugin."""

    def __init__(self, nvim: Any, home: Path) -> None:
        self.nvim = nvim
        self.home = home
        self.pid: int = nvim.call("getpid")

    def lua(self, code: str, *args: Any) -> Any:
        """Run a Lua chunk (``...`` are the args) and return its value."""
        return self.nvim.exec_lua(code, *args)

    def setup(self, **opts: Any) -> None:
        """``require('lsp_complete').setup(opts)``, ``vim.lsp.enable('lsp_complete')``: a user's init.lua."""
        self.lua("require('lsp_complete').setup(...); vim.lsp.enable('lsp_complete')", opts)

    def client_ready(self) -> int:
        """Wait until our client is initialized and attached to the current buffer; its id."""
        return int(
            wait_for(
                lambda: self.lua(
                    "local c = require('lsp_complete').clients()[1]; return c and c.initialized and c.id or 0"
                ),
                "the lsp_complete client to attach",
            )
        )

    def line(self, row: int) -> str:
        """Buffer line ``row`` (0-based) of the current buffer."""
        return str(self.nvim.current.buffer[row])

    def ghost_text(self) -> str:
        """Text of the inline-completion extmarks (what the user sees as ghost text); '' if none."""
        return str(
            self.lua(
                """
                local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
                if not ns then return '' end
                local out = {}
                for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
                  for _, chunk in ipairs(m[4].virt_text or {}) do out[#out + 1] = chunk[1] end
                  for _, l in ipairs(m[4].virt_lines or {}) do
                    out[#out + 1] = '\\n'
                    for _, chunk in ipairs(l) do out[#out + 1] = chunk[1] end
                  end
                end
                return table.concat(out)
                """
            )
        )

    def statusline(self) -> str:
        """Our statusline component in the current window."""
        return str(self.lua("return require('lsp_complete').statusline()"))

    def messages(self) -> str:
        """The ``:messages`` history (vim.notify and the server's window/showMessage land there)."""
        return str(self.nvim.api.exec2("messages", {"output": True})["output"])

    def health(self) -> str:
        """The text of ``:checkhealth lsp_complete`` (its buffer is wiped afterwards)."""
        self.nvim.command("checkhealth lsp_complete")

        def report() -> str:
            text = "\n".join(self.nvim.current.buffer[:])
            done = self.nvim.eval("&filetype") == "checkhealth" and "lsp_complete: server" in text
            return text if done else ""

        text = wait_for(report, "the health report")
        self.nvim.command("bwipeout")
        return text


@contextlib.contextmanager
def neovim(version: str, home: Path, config_toml: str | None = None, **env: str) -> Iterator[Editor]:
    """A headless Neovim ``version`` with HOME/XDG in ``home``, our plugin on 'runtimepath' (so its
    plugin/ file loads at startup as from a package manager) and ``--clean`` (no user config).

    Every process it started (Neovim and its children, e.g. the language server) is gone on exit.
    """
    pynvim = _pynvim()
    binary = nvim_binary(version)
    home.mkdir(parents=True, exist_ok=True)
    variables = sealed_env(home, config_toml, FAKE_KEY=KEY, **env)
    variables.update(XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"))
    argv = ["env", "-i", *(f"{k}={v}" for k, v in variables.items())]
    argv += [str(binary), "--embed", "--headless", "--clean", "-n", "--cmd", f"set rtp^={PLUGIN}"]
    nvim = pynvim.attach("child", argv=argv)
    editor = Editor(nvim, home)
    children: list[int] = []
    try:
        nvim.command(f"cd {home}")
        yield editor
    finally:
        with contextlib.suppress(Exception):
            children = list(nvim.api.get_proc_children(editor.pid))
        with contextlib.suppress(Exception):
            nvim.command("qa!")
        with contextlib.suppress(Exception):
            nvim.close()
        _reap([editor.pid, *children])


def _reap(pids: list[int], grace: float = 5.0) -> None:
    """Wait (bounded) for ``pids`` to exit; SIGKILL those still there."""
    deadline = time.monotonic() + grace
    for pid in pids:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    except ChildProcessError:
        pass  # not our child: check it exists
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie whose parent has not reaped it yet counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False
