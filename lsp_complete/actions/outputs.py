"""Where an action's output lands on disk: the explanation Markdown file, the tests action's target file.

Explanations go to ``$XDG_CACHE_HOME/lsp-complete/explanations/`` (``~/.cache``), one file per source file
and action, rewritten by each run, so any editor can open them through ``window/showDocument``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsp_complete.core import action_prompt
from lsp_complete.core.secrets import path_from_uri

logger = logging.getLogger(__name__)

MAX_TEST_FILE_BYTES = 2 * 1024 * 1024


def cache_dir(env: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/lsp-complete`` (``~/.cache`` when unset or relative)."""
    xdg = env.get("XDG_CACHE_HOME", "")
    if not xdg or not Path(xdg).is_absolute():
        xdg = str(Path(env.get("HOME", "") or Path.home()) / ".cache")
    return Path(xdg) / "lsp-complete"


STREAMING_FOOTER = "\n\n---\n*lsp-complete: still streaming; reload this file to see the rest*\n"


class ExplanationFile:
    """The Markdown file one explanation streams into.

    While the answer streams the file ends with a one-line footer saying so (an editor that does not
    reload files on change, like stock Neovim, shows the user that there is more); ``finish`` writes the
    answer alone.
    """

    def __init__(self, env: Mapping[str, str], source_path: str, action: str) -> None:
        digest = hashlib.sha256(source_path.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{Path(source_path).stem or 'untitled'}-{digest}-{action}.md"
        self.path = cache_dir(env) / "explanations" / name
        self.text = ""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("w", encoding="utf-8", newline="")

    @property
    def uri(self) -> str:
        """The file as a URI."""
        return self.path.as_uri()

    def _write(self, footer: str) -> None:
        self._handle.seek(0)
        self._handle.write(self.text + footer)
        self._handle.truncate()
        self._handle.flush()

    def append(self, text: str) -> None:
        """Add streamed text (flushed, so an editor reading the file sees it)."""
        self.text += text
        self._write(STREAMING_FOOTER)

    def reset(self) -> None:
        """Start over (the next model restarts the answer)."""
        self.text = ""
        self._write(STREAMING_FOOTER)

    def replace(self, text: str) -> None:
        """``text`` as the whole, final content."""
        self.text = text
        self._write("")

    def close(self) -> None:
        """Write the answer without the footer and close the handle (the file stays)."""
        if not self._handle.closed:
            self._write("")
            self._handle.close()


@dataclass(frozen=True)
class TestTarget:
    """Where generated tests go: an existing file (its text now) or a new one."""

    path: str
    exists: bool
    text: str = ""


def test_target(
    source_path: str, language: str, roots: Sequence[str], open_texts: Mapping[str, str]
) -> TestTarget:
    """The first conventional test file that is open or exists on disk, else a new one next to the file."""
    candidates = action_prompt.candidate_test_files(source_path, language, roots)
    for candidate in candidates:
        if candidate in open_texts:
            return TestTarget(candidate, True, open_texts[candidate])
        file = Path(candidate)
        try:
            if file.is_file() and file.stat().st_size <= MAX_TEST_FILE_BYTES:
                return TestTarget(candidate, True, file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            logger.info("cannot read %s (%s); not used as the test file", candidate, exc)
    return TestTarget(candidates[-1], False)


def open_paths(uris_texts: Mapping[str, str]) -> dict[str, str]:
    """Open documents by path (``file:`` URIs only)."""
    return {path_from_uri(u): t for u, t in uris_texts.items() if u.startswith("file:")}
