"""A fake LLM provider over real HTTP on 127.0.0.1, scripted per request (see ``Reply``)."""

from __future__ import annotations

from tests.fake_provider.formats import FORMATS, Format, format_for
from tests.fake_provider.script import Reply, Request, WireFormat
from tests.fake_provider.server import FakeProvider

__all__ = ["FORMATS", "FakeProvider", "Format", "Reply", "Request", "WireFormat", "format_for"]
