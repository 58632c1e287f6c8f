"""A router wired to two fake providers over real HTTP, with its ledger and config in a temp dir."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_complete import config
from lsp_complete.config import ProviderConfig, Settings
from lsp_complete.core.request import PromptInput
from lsp_complete.core.types import ModelRequest
from lsp_complete.router import Router
from tests.fake_provider import FakeProvider

KEYS = {"FAKE_A_KEY": "sk-fake-a-0123456789", "FAKE_B_KEY": "sk-fake-b-0123456789"}
DATA = PromptInput(prefix="def add(a, b):\n    ", suffix="\n", language_id="python", path="/w/add.py")
PREMIUM_REQ = ModelRequest(model="big", prompt="explain this code", max_tokens=1000)
# USD per million tokens: a/coder and b/coder are known; "a/mystery" has no price.
PRICES = """
[prices."a/coder"]
input_per_mtok = 1.0
output_per_mtok = 2.0
[prices."b/coder"]
input_per_mtok = 1.0
output_per_mtok = 2.0
[prices."a/big"]
input_per_mtok = 1.0
output_per_mtok = 1000.0
"""


class FakeClock:
    """A monotonic clock the test moves by hand (for breaker cooldowns)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    """Temp home, two fakes (``a`` and ``b``), and the routers made from them (closed on teardown)."""

    home: Path
    a: FakeProvider
    b: FakeProvider
    notices: list[str] = field(default_factory=list)
    routers: list[Router] = field(default_factory=list)
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "LSP_COMPLETE_CONFIG": str(self.home / "config.toml"),
            **KEYS,
        }

    @property
    def ledger_path(self) -> Path:
        return self.home / "state" / "lsp-complete" / "ledger.sqlite3"

    def settings(self, extra: str = "", fast: Sequence[str] = ("a/coder", "b/coder", "local")) -> Settings:
        toml = f"""
[providers.a]
api = "openai-completions"
base_url = "{self.a.url}"
api_key_env = "FAKE_A_KEY"
[providers.b]
api = "openai-completions"
base_url = "{self.b.url}"
api_key_env = "FAKE_B_KEY"
[tiers]
fast = {list(fast)!r}
premium = ["a/big"]
{extra}
{PRICES}
"""
        (self.home / "config.toml").write_text(toml, encoding="utf-8")
        result = config.load(self.env)
        assert not result.problems, result.problems
        return result.settings

    def router(
        self, extra: str = "", *, hedging: bool = True, fast: Sequence[str] = ("a/coder", "b/coder", "local")
    ) -> Router:
        router = Router(self.settings(extra, fast), self.env, hedging=hedging, clock=self.clock)
        router.set_notice_listener(self.notices.append)
        self.routers.append(router)
        return router

    def candidates(self, router: Router, tier: str = "fast") -> tuple[tuple[ProviderConfig, str], ...]:
        return config.resolve_tier(router._settings, tier, self.env)

    def provider(self, router: Router, name: str) -> ProviderConfig:
        return router._settings.providers[name]

    def rows(self) -> list[dict[str, Any]]:
        """Every ledger row, read with a connection of our own."""
        if not self.ledger_path.exists():
            return []
        db = sqlite3.connect(self.ledger_path)
        try:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM requests ORDER BY id")]
        finally:
            db.close()


def no_local() -> str | None:
    return None


async def wait_disconnect(fake: FakeProvider, timeout: float = 10.0) -> bool:
    return await asyncio.to_thread(fake.wait_for_disconnect, timeout)
