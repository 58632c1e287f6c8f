"""Keystroke to visible suggestion in real Neovim against the fake provider (real HTTP on 127.0.0.1).

Neovim 0.12 (ghost text): after the keystroke, the time until the inline-completion extmark holds the
provider's text, i.e. what the user sees. Neovim 0.11 (menu): the time until the completion menu has the
item. The provider answers at once, so the numbers are the editor + plugin + server overhead. Neovim 0.12
waits a fixed 200 ms after the last keystroke before it asks (its own debounce, not configurable); the
server then waits `completion.debounce_ms` (the run shows the default and 0). The editor state is polled
through pynvim every millisecond (one RPC round trip, ~0.1 ms).

Needs `bash .ci/install-neovim-deps`. Run: ``python benchmarks/bench_neovim.py [--samples 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.editors.nvim import SERVER_CMD, Editor, neovim, provider_config, wait_for
from tests.fake_provider import FakeProvider, Reply

TEXT = "compute_total(items)"


def sample(ed: Editor, i: int, seen: Callable[[], object]) -> float:
    """Open a new line, type ``v{i} = `` in one go and time until ``seen()`` is truthy (ms)."""
    ed.nvim.input("<Esc>o")
    wait_for(lambda: ed.nvim.api.get_mode()["mode"] == "i" and not seen(), "a clean insert line")
    start = time.perf_counter()
    ed.nvim.input(f"v{i} = ")
    wait_for(seen, "the suggestion", interval=0.001)
    return (time.perf_counter() - start) * 1000


def run(version: str, mode: str, debounce_ms: int | None, samples: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp, FakeProvider(Reply(text=TEXT)) as fake:
        config = provider_config(fake.url, debounce_ms if debounce_ms is not None else 75)
        if debounce_ms is None:  # the server's default (adaptive) debounce
            config = config.replace("debounce_ms = 75\n", "")
        with neovim(version, Path(tmp), config) as ed:
            ed.nvim.command("set completeopt=menu,menuone,noinsert,popup")
            ed.setup(cmd=SERVER_CMD, mode=mode)
            path = Path(tmp) / "app.py"
            path.write_text("import os\n\n", encoding="utf-8")
            ed.nvim.command(f"edit {path}")
            ed.client_ready()
            if mode == "inline":
                seen: Callable[[], object] = lambda: ed.ghost_text() == TEXT  # noqa: E731
            else:
                seen = lambda: ed.nvim.call("complete_info", ["items"])["items"]  # noqa: E731
            sample(ed, 0, seen)  # warm-up: first HTTP connection, imports
            return [sample(ed, i, seen) for i in range(1, samples + 1)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    rows = [
        ("0.12", "inline", None, "ghost text, server default debounce"),
        ("0.12", "inline", 0, "ghost text, server debounce 0"),
        ("0.11", "menu", None, "menu item, server default debounce"),
        ("0.11", "menu", 0, "menu item, server debounce 0"),
    ]
    print("| Neovim | what | median ms | p90 ms | min ms | n |\n|---|---|---|---|---|---|")
    for version, mode, debounce, label in rows:
        ms = sorted(run(version, mode, debounce, args.samples))
        p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
        print(f"| {version} | {label} | {statistics.median(ms):.0f} | {p90:.0f} | {ms[0]:.0f} | {len(ms)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
