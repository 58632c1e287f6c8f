"""Fixtures of the router tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_provider import FakeProvider
from tests.routing.rig import Rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    with FakeProvider() as a, FakeProvider() as b:
        made = Rig(tmp_path, a, b)
        yield made
        for router in made.routers:
            await router.aclose()
