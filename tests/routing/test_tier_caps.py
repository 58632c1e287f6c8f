"""Per-tier caps: ``[budget.tiers.NAME]`` in the config file, enforced on top of the totals."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from lsp_complete import config
from lsp_complete.errors import BudgetExceeded
from tests.fake_provider import Reply
from tests.routing.rig import DATA, PREMIUM_REQ, Rig, no_local


def _load(tmp_path: Path, toml: str, editor: dict[str, object] | None = None) -> config.LoadResult:
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    return config.load({"LSP_COMPLETE_CONFIG": str(path), "HOME": str(tmp_path)}, init_options=editor)


@pytest.mark.parametrize(
    ("toml", "tiers", "problem"),
    [
        ("[budget.tiers.premium]\ndaily_usd = 0.5\n", (("premium", 0.5, None),), None),
        ("[budget.tiers.premium]\ndaily_usd = 0.5\nmonthly_usd = false\n", (("premium", 0.5, None),), None),
        ("[budget.tiers.fast]\nmonthly_usd = 2\n", (("fast", None, 2.0),), None),
        (
            "[budget.tiers.premium]\ndaily_usd = -1\n",
            (("premium", None, None),),
            "budget.tiers.premium.daily_usd",
        ),
        ("[budget.tiers.premium]\ndaily_usd = 'lots'\n", (("premium", None, None),), "or false for no cap"),
        (
            "[budget.tiers.premium]\nweekly_usd = 1\n",
            (("premium", None, None),),
            "budget.tiers.premium.weekly_usd",
        ),
        ("[budget]\ntiers = 3\n", (), "budget.tiers: expected a table"),
    ],
    ids=["daily", "no-monthly", "monthly", "negative", "not-a-number", "unknown-key", "not-a-table"],
)
def test_tier_caps_from_the_config_file(
    tmp_path: Path, toml: str, tiers: tuple[object, ...], problem: str | None
) -> None:
    result = _load(tmp_path, toml)
    assert result.settings.budget.tiers == tiers
    assert result.settings.budget.daily_usd == 1.0  # the totals keep their defaults
    if problem is None:
        assert result.problems == ()
        daily = "no cap" if tiers[0][1] is None else "0.5"  # type: ignore[index]
        assert f"budget.tiers.{tiers[0][0]}: daily_usd = {daily}" in config.describe(result.settings, {})  # type: ignore[index]
    else:
        assert len(result.problems) == 1 and problem in result.problems[0]


def test_editor_settings_cannot_set_tier_caps(tmp_path: Path) -> None:
    result = _load(tmp_path, "", {"budget": {"tiers": {"premium": {"daily_usd": 100}}}})
    assert result.settings.budget.tiers == ()
    assert any("refused: only your own config file sets tier caps" in p for p in result.problems)


async def test_a_spent_premium_tier_refuses_while_completions_go_on(rig: Rig) -> None:
    router = rig.router("[budget]\ndaily_usd = 50.0\n[budget.tiers.premium]\ndaily_usd = 0.5\n")
    config_a = rig.provider(router, "a")
    with pytest.raises(BudgetExceeded) as info:  # a premium answer could cost $1 > the tier's $0.50
        async with contextlib.aclosing(
            router.guarded_stream("explain", "premium", config_a, "big", PREMIUM_REQ)
        ) as s:
            async for _ in s:
                pass
    assert "premium daily budget reached" in str(info.value) and "on premium" in str(info.value)
    assert rig.a.requests == []
    rig.a.respond_with(Reply(text="return a + b"))
    answer = await router.complete(rig.candidates(router), DATA, no_local)
    assert answer is not None and answer.provider == "a"  # the fast tier has no cap of its own
