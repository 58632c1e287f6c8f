"""The copy-paste editor configurations parse and start our server.

Helix, Zed and Sublime are not installable here, so this is what can be checked of them; the Emacs
snippets run in a real Emacs through editors/emacs/check.sh.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

EDITORS = Path(__file__).resolve().parents[2] / "editors"


def jsonc(path: Path) -> dict[str, object]:
    """JSON with // comments and trailing commas (Zed's and Sublime's settings files)."""
    text = re.sub(
        r'("(?:\\.|[^"\\])*")|//[^\n]*', lambda m: m.group(1) or "", path.read_text(encoding="utf-8")
    )
    return dict(json.loads(re.sub(r",(\s*[}\]])", r"\1", text)))


def test_helix_languages_toml_adds_our_server_to_each_language() -> None:
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text(encoding="utf-8"))
    assert config["language-server"]["lsp-complete"]["command"] == "lsp-complete"
    languages = config["language"]
    assert languages and all("lsp-complete" in lang["language-servers"] for lang in languages)
    assert all(len(lang["language-servers"]) > 1 for lang in languages)  # the usual servers are kept


def test_zed_settings_and_extension_name_the_same_server() -> None:
    settings = jsonc(EDITORS / "zed" / "settings.json")
    extension = tomllib.loads((EDITORS / "zed" / "extension" / "extension.toml").read_text(encoding="utf-8"))
    registered = extension["language_servers"]["lsp-complete"]["languages"]
    languages = settings["languages"]
    assert isinstance(languages, dict)
    assert set(languages) == set(registered)
    assert all(v["language_servers"] == ["...", "lsp-complete"] for v in languages.values())
    assert "lsp-complete" in settings["lsp"]  # type: ignore[operator]


def test_sublime_client_starts_lsp_complete() -> None:
    client = jsonc(EDITORS / "sublime" / "LSP.sublime-settings")["clients"]["lsp-complete"]  # type: ignore[index]
    assert client["command"] == ["lsp-complete"] and client["enabled"] is True
    assert "source.python" in client["selector"]
