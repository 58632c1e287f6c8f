"""One-time costs of the first upstream request, paid off the typing path.

Measured on the first completion after start (py-spy, 2 cores): building a client's TLS context (loading
the CA bundle) took ~75 ms and the first ``send`` ~110 ms, most of it httpcore importing its anyio
backend lazily. Every client shares one TLS context (built once, verification unchanged), and
``warm_up`` builds it and does those imports in the session's background thread at start.
"""

from __future__ import annotations

import contextlib
import importlib
import ssl
import threading

import httpx

_lock = threading.Lock()
_context: ssl.SSLContext | None = None

#: Modules httpcore imports on its first async request.
_LAZY_MODULES = ("anyio", "anyio._backends._asyncio", "httpcore._backends.anyio", "httpcore._async.http11")


def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context every provider client uses (httpx's defaults: certifi, hostname checks)."""
    global _context
    with _lock:
        if _context is None:
            _context = httpx.create_ssl_context()
        return _context


def warm_up() -> None:
    """Build the shared TLS context and import what the first request would import."""
    shared_ssl_context()
    for name in _LAZY_MODULES:
        with contextlib.suppress(ImportError):  # another layout: the first request imports what it needs
            importlib.import_module(name)
