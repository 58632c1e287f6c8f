"""Token counting with tiktoken's ``cl100k_base``, loaded from a file shipped in this package.

``tiktoken.get_encoding`` downloads its vocabulary on first use; this module never calls it. The vocabulary
(``data/cl100k_base.tiktoken.gz``, a gzip of OpenAI's MIT-licensed ``cl100k_base.tiktoken``) is read from the
package, its decompressed bytes checked against the sha256 tiktoken itself expects, and the ``Encoding`` built
directly. If the file is missing or corrupt, one error is logged and counts fall back to an estimate
(``ceil(len(text) / 3.5)``) so that nothing breaks; ``TokenCounter.exact`` tells which one is in use.

Counts are for budgets and cost previews; billed figures come from the providers' usage reports.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import math
import threading
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CL100K_SHA256",
    "ESTIMATE_CHARS_PER_TOKEN",
    "TokenCounter",
    "get_counter",
    "is_loaded",
    "load_counter",
    "warm_up",
]

_log = logging.getLogger(__name__)

CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
"""sha256 of the decompressed vocabulary; the value ``tiktoken_ext.openai_public.cl100k_base`` expects."""

ESTIMATE_CHARS_PER_TOKEN = 3.5
"""Characters per token assumed by the fallback estimate."""

# Copied from tiktoken_ext/openai_public.py (tiktoken 0.14), where it is not a module constant.
_CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|"""
    r"""\s*[\r\n]|\s+(?!\S)|\s"""
)

try:  # the special-token spellings are module constants there; importing it does no I/O
    from tiktoken_ext.openai_public import (  # type: ignore[import-untyped]
        ENDOFPROMPT,
        ENDOFTEXT,
        FIM_MIDDLE,
        FIM_PREFIX,
        FIM_SUFFIX,
    )
except ImportError:  # pragma: no cover - layout of a future tiktoken
    ENDOFTEXT, ENDOFPROMPT = "<|endoftext|>", "<|endofprompt|>"
    FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX = "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"

_CL100K_SPECIAL = {
    ENDOFTEXT: 100257,
    FIM_PREFIX: 100258,
    FIM_MIDDLE: 100259,
    FIM_SUFFIX: 100260,
    ENDOFPROMPT: 100276,
}


def _default_path() -> Path:
    return Path(str(resources.files("lsp_complete") / "data" / "cl100k_base.tiktoken.gz"))


class TokenCounter:
    """Counts tokens of a text; exact with the cl100k_base encoding, else an estimate.

    ``count`` is thread-safe: tiktoken's encoder keeps no shared mutable state visible to Python.
    """

    def __init__(self, encoding: Any | None) -> None:
        self._encoding = encoding

    @property
    def exact(self) -> bool:
        """True when counts come from the real tokenizer, False when they are the length-based estimate."""
        return self._encoding is not None

    def count(self, text: str) -> int:
        """Number of tokens in ``text``; spellings of special tokens (``<|endoftext|>``) count as text."""
        if not text:
            return 0
        if self._encoding is None:
            return math.ceil(len(text) / ESTIMATE_CHARS_PER_TOKEN)
        return len(self._encoding.encode_ordinary(text))


def _read_ranks(path: Path, expected_sha256: str) -> dict[bytes, int]:
    raw = gzip.decompress(path.read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected_sha256:
        raise ValueError(f"sha256 {digest} != expected {expected_sha256}")
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def load_counter(path: Path | None = None, expected_sha256: str = CL100K_SHA256) -> TokenCounter:
    """Build a counter from a gzipped ``.tiktoken`` file (default: the one shipped in this package).

    Never raises and never uses the network: a missing, unreadable or mismatching file logs one error and
    gives an estimating counter (``exact`` False).
    """
    path = path or _default_path()
    try:
        import tiktoken

        ranks = _read_ranks(path, expected_sha256)
        encoding = tiktoken.Encoding(
            name="cl100k_base",
            pat_str=_CL100K_PAT_STR,
            mergeable_ranks=ranks,
            special_tokens=dict(_CL100K_SPECIAL),
        )
    except Exception as exc:  # any failure must degrade to the estimate, not break completions
        _log.error("token counts are estimates: cannot load cl100k_base from %s: %s", path, exc)
        return TokenCounter(None)
    return TokenCounter(encoding)


_lock = threading.Lock()
_counter: TokenCounter | None = None


def get_counter() -> TokenCounter:
    """The process-wide counter, loaded on first use (once, even when several threads ask at once)."""
    global _counter
    counter = _counter
    if counter is not None:
        return counter
    with _lock:
        if _counter is None:
            _counter = load_counter()
        return _counter


def warm_up() -> None:
    """Load the vocabulary now, in the calling thread (the server runs this in a background thread)."""
    get_counter()


def is_loaded() -> bool:
    """True once the process-wide counter exists (exact or estimating)."""
    return _counter is not None
