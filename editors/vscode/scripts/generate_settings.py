"""Write the extension's ``contributes.configuration`` (the ``lspComplete.*`` settings) into package.json.

One source of truth: the server's settings model (``lsp_complete.config.settings_schema``). Run it after
changing the model; ``--check`` exits 1 when package.json has drifted (tests/editors/test_vscode_settings.py
runs the same comparison). Only the launch settings below belong to the extension itself.

    python editors/vscode/scripts/generate_settings.py [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from lsp_complete.config import settings_schema

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "package.json"
SECTION = "lspComplete"
PASSED_THROUGH = ("type", "default", "minimum", "maximum", "enum", "items")
# Secrets are never editor settings: keys stay in the environment named by the user's config file.
FORBIDDEN = re.compile(r"api_?key|secret|password", re.IGNORECASE)

# The extension's own settings: how to launch the server. Scope "machine": a cloned repository's workspace
# settings cannot choose which program VS Code runs.
EXTENSION_SETTINGS: dict[str, dict[str, Any]] = {
    f"{SECTION}.server.path": {
        "type": "string",
        "default": "",
        "scope": "machine",
        "markdownDescription": "Path of the `lsp-complete` executable. Empty: `lsp-complete` on `PATH`.",
        "order": 0,
    },
    f"{SECTION}.server.python": {
        "type": "string",
        "default": "",
        "scope": "machine",
        "markdownDescription": "A Python interpreter that has `lsp_complete` installed; runs "
        "`python -m lsp_complete` (used when `#lspComplete.server.path#` is empty).",
        "order": 1,
    },
}


def configuration(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``contributes.configuration`` object generated from the server's schema."""
    properties: dict[str, Any] = dict(EXTENSION_SETTINGS)
    for order, (name, spec) in enumerate((schema or settings_schema())["properties"].items(), start=10):
        if FORBIDDEN.search(name):
            raise ValueError(f"refusing to make {name!r} a VS Code setting: secrets stay in the environment")
        prop = {k: spec[k] for k in PASSED_THROUGH if k in spec}
        prop["description"] = f"{spec['description']} (server setting `{name}`)"
        prop["order"] = order
        properties[f"{SECTION}.{spec.get('editorKey', name)}"] = prop
    return {"title": "lsp-complete", "properties": properties}


def render(package: dict[str, Any]) -> str:
    """package.json text with the generated configuration (npm's formatting: 2 spaces, final newline)."""
    updated = dict(package)
    updated["contributes"] = {**package.get("contributes", {}), "configuration": configuration()}
    return json.dumps(updated, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if package.json is out of date")
    args = parser.parse_args(argv)
    current = PACKAGE_JSON.read_text(encoding="utf-8")
    wanted = render(json.loads(current))
    if args.check:
        if current != wanted:
            print(f"{PACKAGE_JSON} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        PACKAGE_JSON.write_text(wanted, encoding="utf-8")
        print(f"updated {PACKAGE_JSON}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
