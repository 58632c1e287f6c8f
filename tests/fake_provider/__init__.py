"""A fake LLM provider over real HTTP on 127.0.0.1, scripted per request (see ``Reply``)."""

from __future__ import annotations

from tests.fake_provider.script import FORMATS, Reply, Request, WireFormat, format_for
from tests.fake_provider.server import FakeProvider

__all__ = ["FORMATS", "FakeProvider", "Reply", "Request", "WireFormat", "format_for"]
