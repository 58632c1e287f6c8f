"""Which files must never be read, completed or sent: built-in secret patterns, user globs, ignore files.

Pure: the caller reads ``.lsp-complete-ignore`` files and passes their text in. All matching is
case-insensitive (secrets on Windows and macOS file systems do not care about case, and excluding too much
is cheap). An ignore file can only exclude more: its ``!negation`` re-includes what an earlier line of an
ignore file excluded, never a built-in pattern or a user glob, so a cloned repository cannot unmask ``.env``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import translate
from urllib.parse import unquote, urlsplit

IGNORE_FILE_NAME = ".lsp-complete-ignore"

BUILTIN_SECRET_PATTERNS: tuple[str, ...] = (
    # Environment and dotfiles holding tokens.
    *(".env", ".env.*", "*.env", ".envrc", ".netrc", "_netrc", ".npmrc", ".pypirc", ".pgpass"),
    *(".git-credentials", ".htpasswd", ".vault-token", "credentials*", "secrets.*"),
    # Keys, certificates with private parts, key stores.
    *("*.pem", "*.key", "*.p8", "*.p12", "*.pfx", "*.pkcs12", "*.kdbx", "*.keystore", "*.jks"),
    *("id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.gpg", "*.asc", "*.ovpn"),
    # Infrastructure state and cloud credentials.
    *("*.tfstate", "*.tfstate.*", "*.tfvars", "service-account*.json"),
    # Whole directories (matched against any run of path components).
    *(".aws/*", ".ssh/*", ".gnupg/*", ".kube/config", ".docker/config.json"),
)


def path_from_uri(uri: str) -> str:
    """The decoded POSIX path of a ``file://`` URI (``//host/...`` for a remote host); else the URI's path."""
    parts = urlsplit(uri)
    path = unquote(parts.path)
    if parts.scheme.lower() == "file" and parts.netloc and parts.netloc.lower() != "localhost":
        return f"//{parts.netloc}{path}"
    return path


def _normalize(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")) if path else ""


def _glob_regex(glob: str) -> str:
    """A gitignore glob as a regex body: ``*`` and ``?`` stop at ``/``, ``**`` spans directories."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        if glob.startswith("**", i) and (i == 0 or glob[i - 1] == "/") and (i + 2 == n or glob[i + 2] == "/"):
            out.append(".*" if i + 2 == n else "(?:.*/)?")
            i += 3
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        elif char == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1 : end]
            negated = body[0] in "!^"
            members = body[1:] if negated else body
            body = "".join(c if c == "-" else re.escape(c) for c in members)
            out.append(f"[^/{body}]" if negated else f"[{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One gitignore-style line, matched against a path relative to ``base``."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    base: str
    source: str
    line: str


def _parse(text: str, base: str, source: str, *, slash_anchors: bool) -> list[_Rule]:
    """Rules from gitignore-like ``text``; ``slash_anchors``: a slash before the end anchors (gitignore)."""
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip("\r\t ")
        if raw[len(line) : len(line) + 1] == " " and line.endswith("\\"):
            line += " "  # "\ " keeps an escaped trailing space
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = line[1:] if negated else line
        dir_only = glob.endswith("/")
        glob = glob.rstrip("/")
        if not glob:
            continue
        anchored = glob.startswith("/") or (slash_anchors and "/" in glob)
        glob = glob.lstrip("/") if anchored else f"**/{glob}"
        regex = re.compile(_glob_regex(glob), re.IGNORECASE | re.DOTALL)
        rules.append(_Rule(regex, negated, dir_only, base, source, line))
    return rules


def _relative(path: str, base: str) -> str | None:
    if base == "/":
        return path.lstrip("/") or None
    return path[len(base) + 1 :] if path.startswith(base + "/") else None


def _last_match(rules: Sequence[_Rule], path: str, is_dir: bool) -> _Rule | None:
    """The rule deciding ``path`` (the last that matches), or None when none does."""
    decided = None
    for rule in rules:
        relative = _relative(path, rule.base)
        if relative is not None and (is_dir or not rule.dir_only) and rule.regex.fullmatch(relative):
            decided = rule
    return decided


def _excluding_rule(rules: Sequence[_Rule], path: str) -> _Rule | None:
    """gitignore's verdict: an excluded ancestor directory excludes the path, whatever comes later."""
    parts = path.split("/")
    for depth in range(2 if path.startswith("/") else 1, len(parts) + 1):
        target = "/".join(parts[:depth]) or "/"
        rule = _last_match(rules, target, is_dir=depth < len(parts))
        if rule is not None and not rule.negated:
            return rule
    return None


_BUILTINS = tuple(
    (pattern, "/" in pattern, re.compile(translate(pattern), re.IGNORECASE | re.DOTALL))
    for pattern in BUILTIN_SECRET_PATTERNS
)


def builtin_reason(path: str) -> str | None:
    """The built-in secret pattern ``path`` matches: slash-free ones against the file name, others against
    any trailing run of path components (so ``.ssh/*`` covers everything under any ``.ssh`` directory)."""
    parts = [part for part in _normalize(path).split("/") if part]
    if not parts:
        return None
    suffixes = ["/".join(parts[i:]) for i in range(len(parts) - 1)]
    for pattern, has_slash, regex in _BUILTINS:
        if any(regex.match(s) for s in suffixes) if has_slash else regex.match(parts[-1]):
            return pattern
    return None


class ExclusionRules:
    """Built-in secret patterns, the user's globs and every ``.lsp-complete-ignore`` file, combined.

    ``user_globs`` use gitignore syntax where only a leading ``/`` anchors (at the file system root):
    ``*.secret``, ``private/``, ``config/prod/**``, ``/home/me/notes/**``. ``ignore_files`` maps a directory
    to the text of the ignore file found there; its patterns follow gitignore relative to that directory.
    """

    def __init__(self, user_globs: Sequence[str] = (), ignore_files: Mapping[str, str] | None = None) -> None:
        self._user = _parse("\n".join(user_globs), "/", "settings", slash_anchors=False)
        # Sorted, the ignore files of any one path's ancestors come shallow to deep: deeper lines win.
        files = sorted((_normalize(d), text) for d, text in (ignore_files or {}).items())
        self._ignored = [
            rule
            for base, text in files
            for rule in _parse(text, base, posixpath.join(base, IGNORE_FILE_NAME), slash_anchors=True)
        ]

    def reason(self, path: str) -> str | None:
        """Why ``path`` is excluded, as ``"<source>: <pattern>"`` for logs; None when it is not."""
        builtin = builtin_reason(path)
        if builtin is not None:
            return f"builtin: {builtin}"
        normalized = _normalize(path)
        rule = _excluding_rule(self._user, normalized) or _excluding_rule(self._ignored, normalized)
        return None if rule is None else f"{rule.source}: {rule.line}"

    def is_excluded(self, path: str) -> bool:
        """True when ``path`` must never be read, completed or sent."""
        return self.reason(path) is not None
