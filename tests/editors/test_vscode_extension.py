"""The VS Code extension's own checks: its contributed settings match the server's settings model (one
source of truth, no drift), and its node unit tests pass (status text, settings mapping, launch, command
arguments). Missing node tooling fails with the install hint, never skips."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from types import ModuleType

import pytest

from lsp_complete.config import settings_schema
from tests.editors.vscode_harness import EXTENSION, INSTALL_HINT


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_settings", EXTENSION / "scripts" / "generate_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_json_settings_are_generated_from_the_server_model() -> None:
    gen = generator()
    current = (EXTENSION / "package.json").read_text(encoding="utf-8")
    assert current == gen.render(json.loads(current)), (
        "editors/vscode/package.json drifted from lsp_complete.config.settings_schema(): "
        "run python editors/vscode/scripts/generate_settings.py"
    )
    properties = json.loads(current)["contributes"]["configuration"]["properties"]
    server_keys = {
        f"lspComplete.{spec.get('editorKey', name)}" for name, spec in settings_schema()["properties"].items()
    }
    assert set(properties) == server_keys | set(gen.EXTENSION_SETTINGS)
    for name, spec in settings_schema()["properties"].items():
        assert properties[f"lspComplete.{spec.get('editorKey', name)}"]["default"] == spec["default"], name


def test_settings_drift_is_detected_and_secrets_refused() -> None:
    gen = generator()
    schema = settings_schema()
    schema["properties"]["completion.debounce_ms"]["default"] = 999
    assert gen.configuration(schema)["properties"]["lspComplete.completion.debounceMs"]["default"] == 999
    assert gen.configuration(schema) != gen.configuration()
    schema["properties"]["providers.x.api_key"] = {"type": "string", "default": "", "description": "no"}
    with pytest.raises(ValueError, match="secrets stay in the environment"):
        gen.configuration(schema)
    # Launch settings are machine-scoped: a cloned repository's workspace cannot pick the program to run.
    assert all(s["scope"] == "machine" for s in gen.EXTENSION_SETTINGS.values())


def test_extension_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None or not (EXTENSION / "node_modules" / "esbuild").is_dir():
        pytest.fail(f"the extension's unit tests need npm and editors/vscode/node_modules: {INSTALL_HINT}")
    run = subprocess.run(
        [npm, "test", "--silent"], cwd=EXTENSION, capture_output=True, text=True, timeout=120
    )
    summary = [line for line in run.stdout.splitlines() if line.startswith(("# pass", "# fail"))]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert summary and summary[-1] == "# fail 0" and int(summary[0].split()[-1]) > 0, summary
