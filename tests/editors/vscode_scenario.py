"""The VS Code scenario shared by tests/editors/test_vscode_e2e.py and benchmarks/bench_vscode_ghost.py.

Two fake providers on 127.0.0.1 (FIM completions; chat for the docstring and explain actions), a user
config file naming them, code-server with the packaged .vsix in temp dirs (HOME/XDG too), and the node
driver. ``run`` returns what the driver saw; the callers assert or summarise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.harness import sealed_env
from tests.editors import vscode_harness as vh
from tests.fake_provider import FakeProvider, Reply
from tests.fake_provider.script import Request

SOURCE = "def area(width, height):"
TYPED = "    result = "  # after Enter VS Code indents; the driver types only what follows the indent
GHOST = "width * height"


def artifacts_dir(name: str) -> Path:
    """A fresh ``test-artifacts/<name>`` (or under ``$LSP_COMPLETE_ARTIFACTS``)."""
    path = Path(os.environ.get("LSP_COMPLETE_ARTIFACTS") or vh.EXTENSION / "test-artifacts") / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


DOCSTRING = '"""Return the area of a width by height rectangle."""'
DOCUMENTED = f"{SOURCE}\n    {DOCSTRING}\n{TYPED}{GHOST}"
# What the chat model answers for "Add docstring": the function again, with its docstring, in a fence.
DOCSTRING_ANSWER = f"Here it is:\n\n```python\n{DOCUMENTED}\n```\n"
# And for "Explain" (run from the command palette on the cursor's function): prose, shown as a document.
EXPLANATION = "EXPLAINED: area multiplies the width by the height and keeps it in result."


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


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    driver: subprocess.CompletedProcess[str]
    took_s: float
    requests: list[Request]
    chat_requests: list[Request]
    demo: Path
    attempts: Path
    shots: Path


def run(tmp_path: Path, *, samples: int, full: bool, artifacts: str) -> Outcome:
    """Open demo.py in VS Code, take ``samples`` keystroke-to-ghost-text times, type and accept; with
    ``full`` also the docstring action, Toggle completions, and the crashing-server round trip."""
    deps = vh.require_deps()
    shots = artifacts_dir(artifacts)
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
        FakeProvider(Reply(text=EXPLANATION, chunks=3)) as chat,
    ):
        chat.respond_with(Reply(text=DOCSTRING_ANSWER, chunks=4))  # the first chat request is the docstring
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
            spec: dict[str, object] = {
                "url": url,
                "chromium": str(deps.chromium),
                "file": str(demo),
                "fileName": demo.name,
                "shots": str(shots),
                "result": str(tmp_path / "result.json"),
                "firstLine": SOURCE,
                "ghost": GHOST,
                "typed": TYPED.lstrip(),
                "samples": samples,
            }
            if full:
                spec["action"] = {"title": "Add docstring", "marker": DOCSTRING}
                spec["explain"] = {"marker": EXPLANATION.split(":")[0]}
                spec["toggle"] = True
                spec["broken"] = {
                    "path": str(broken),
                    "goodPath": settings["lspComplete.server.path"],
                    "attempts": str(attempts),
                    "watchMs": 3000,
                }
            (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            started = time.monotonic()
            argv = [str(deps.node), str(vh.DRIVER), str(tmp_path / "spec.json")]
            driver = vh.run_bounded(argv, env, 180 + 5 * samples)
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

    return Outcome(result, driver, took, requests, chat_requests, demo, attempts, shots)
