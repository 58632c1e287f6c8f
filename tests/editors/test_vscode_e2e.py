"""The packaged extension in real VS Code (code-server + headless Chromium via playwright-core).

The server is the real ``lsp-complete`` of this venv (lspComplete.server.path), talking to the fake provider
on 127.0.0.1. Typing shows the fake's ghost text, Tab accepts it (checked in the SAVED FILE), the status bar
follows the server, Add docstring from the code-action menu lands in the saved file, Toggle completions
pauses, a server that crashes at start gives one error and no restart loop, and fixing the setting brings
the server back (still paused, completing again once resumed). The measured
keystroke-to-ghost-text times are printed and written with the screenshots to the artifacts dir.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.harness import sealed_env
from tests.editors import vscode_harness as vh
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

SOURCE = "def area(width, height):"
TYPED = "    result = "  # after Enter VS Code indents; the driver types only what follows the indent
GHOST = "width * height"
SAMPLES = 5


def artifacts_dir() -> Path:
    path = Path(os.environ.get("LSP_COMPLETE_ARTIFACTS") or vh.EXTENSION / "test-artifacts") / "vscode-e2e"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


DOCSTRING = '"""Return the area of a width by height rectangle."""'
DOCUMENTED = f"{SOURCE}\n    {DOCSTRING}\n{TYPED}{GHOST}"
# What the chat model answers for "Add docstring": the function again, with its docstring, in a fence.
DOCSTRING_ANSWER = f"Here it is:\n\n```python\n{DOCUMENTED}\n```\n"


def config_toml(completions_url: str, chat_url: str) -> str:
    """Completions from one fake (FIM), the docstring action from another (chat), both keyless."""
    return (
        f'[providers.fake]\napi = "openai-completions"\nbase_url = "{completions_url}"\n\n'
        f'[providers.fakechat]\napi = "openai-chat"\nbase_url = "{chat_url}"\n\n'
        '[tiers]\nfast = ["fake/coder"]\npremium = ["fakechat/writer"]\n\n[tasks]\ndocstring = "premium"\n'
    )


def editor_settings() -> dict[str, object]:
    return {
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "update.mode": "none",
        "workbench.enableExperiments": False,
        "editor.inlineSuggest.enabled": True,
        # Only ghost text: the completion menu would take Tab.
        "editor.quickSuggestions": {"other": "off", "comments": "off", "strings": "off"},
        "editor.suggestOnTriggerCharacters": False,
        "files.insertFinalNewline": False,
        "files.trimTrailingWhitespace": False,
        "files.autoSave": "off",
        # The driver edits settings.json through the editor: no bracket/quote closing while it types there.
        "[jsonc]": {"editor.autoClosingBrackets": "never", "editor.autoClosingQuotes": "never"},
    }


def test_ghost_text_accept_and_start_failure_in_vscode(tmp_path: Path) -> None:
    deps = vh.require_deps()
    shots = artifacts_dir()
    workspace = tmp_path / "work"
    workspace.mkdir()
    demo = workspace / "demo.py"
    demo.write_text(SOURCE, encoding="utf-8")
    attempts = tmp_path / "broken-attempts.txt"
    broken = tmp_path / "broken-lsp-complete"
    broken.write_text(f'#!/bin/sh\necho start >> "{attempts}"\necho "boom: broken install" >&2\nexit 3\n')
    broken.chmod(0o755)

    with (
        FakeProvider(Reply(text=GHOST, chunks=2)) as fake,
        FakeProvider(Reply(text=DOCSTRING_ANSWER, chunks=4)) as chat,
    ):
        home = tmp_path / "home"
        home.mkdir()
        env = sealed_env(home, config_toml(fake.url, chat.url))
        env.update(
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
        )
        settings = editor_settings()
        # code-server's extension host takes PATH from a login shell, so name this venv's server exactly.
        settings["lspComplete.server.path"] = str(Path(sys.executable).parent / "lsp-complete")
        with vh.code_server(deps, tmp_path, env, settings, workspace) as url:
            spec = {
                "url": url,
                "chromium": str(deps.chromium),
                "file": str(demo),
                "fileName": demo.name,
                "shots": str(shots),
                "result": str(tmp_path / "result.json"),
                "firstLine": SOURCE,
                "ghost": GHOST,
                "typed": TYPED.lstrip(),
                "samples": SAMPLES,
                "action": {"title": "Add docstring", "marker": DOCSTRING},
                "broken": {
                    "path": str(broken),
                    "goodPath": settings["lspComplete.server.path"],
                    "attempts": str(attempts),
                    "watchMs": 3000,
                },
            }
            (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            started = time.monotonic()
            driver = vh.run_bounded([str(deps.node), str(vh.DRIVER), str(tmp_path / "spec.json")], env, 240)
            took = time.monotonic() - started
        result = (
            json.loads((tmp_path / "result.json").read_text()) if (tmp_path / "result.json").exists() else {}
        )
        (shots / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        requests, chat_requests = list(fake.requests), list(chat.requests)
    # The extension host's logs (our output channel among them) and code-server's, next to the screenshots.
    if (tmp_path / "cs-data" / "logs").is_dir():
        shutil.copytree(tmp_path / "cs-data" / "logs", shots / "logs", dirs_exist_ok=True)
    if (tmp_path / "code-server.log").exists():
        shutil.copy(tmp_path / "code-server.log", shots / "code-server.log")

    print(f"\nVS Code e2e driver ({took:.1f} s):\n{driver.stdout}{driver.stderr}\nartifacts: {shots}")
    assert driver.returncode == 0 and result.get("ok"), (
        f"driver failed: {result.get('error')}\n{driver.stdout}{driver.stderr}"
    )

    # Ghost text came from the fake provider and Tab put it in the file on disk.
    assert requests, "the fake provider saw no request"
    assert result["ghost"].strip() == GHOST
    assert result["afterAccept"] == f"{SOURCE}\n{TYPED}{GHOST}", result["afterAccept"]
    # The status bar followed the server's $/lspComplete/status: tier and provider.
    assert "fast·fake" in result["statusAfter"], result["statusAfter"]

    # The code action asked the chat model and its edit landed in the saved file.
    assert any("Add docstring" in row for row in result["actionRows"]), result["actionRows"]
    assert len(chat_requests) == 1, chat_requests
    assert demo.read_text(encoding="utf-8") == DOCUMENTED

    # Toggle completions from the command palette: the server answers, the status bar says paused.
    assert result["statusPaused"].startswith("debug-pause  paused"), result["statusPaused"]
    assert "lsp-complete: completions paused" in result["toggleMessages"], result["toggleMessages"]

    # A server that crashes at start: started once, one error naming the cause, no restart loop.
    broken_run = result["broken"]
    assert broken_run["attempts"] == 1, broken_run
    failures = [m for m in broken_run["notifications"] if "stopped while starting" in m]
    assert len(failures) == 1, broken_run["notifications"]
    assert "boom: broken install" in failures[0] and "lspComplete.server.path" in failures[0]
    assert not [m for m in broken_run["notifications"] if m not in failures and "paused" not in m]

    # Fixing the setting restarts the server with the user's pause kept; resumed, it completes again.
    assert result["recovered"].startswith("debug-pause  paused"), result["recovered"]
    assert result["recoveredGhostMs"] > 0

    latencies = result["latenciesMs"]
    median = statistics.median(latencies)
    n = len(latencies)
    print(f"keystroke -> visible ghost text in VS Code: median {median:.0f} ms over {n}: {latencies}")
