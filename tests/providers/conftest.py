"""Fixtures of the provider tests: a fake provider per test and a factory of providers pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from lsp_complete.providers import Provider, Timeouts, build_provider
from tests.fake_provider import FakeProvider
from tests.providers.wire import GENEROUS, KEY, MakeProvider


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as server:
        yield server


@pytest.fixture
async def make(fake: FakeProvider) -> AsyncIterator[MakeProvider]:
    made: list[Provider] = []

    def _make(
        api: str, key: str | None = KEY, timeouts: Timeouts = GENEROUS, prefix: str = "/v1", **kw: object
    ) -> Provider:
        base = f"http://127.0.0.1:{fake.port}{prefix}"
        provider = build_provider("fake", api, base, key, timeouts=timeouts, **kw)  # type: ignore[arg-type]
        made.append(provider)
        return provider

    yield _make
    for provider in made:
        await provider.aclose()
