"""The Neovim plugin (editors/neovim) in real Neovim 0.12-dev and 0.11.4, headless through pynvim, with
the real server (`python -m lsp_complete`) talking real HTTP to the fake provider on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.editors.nvim import KEY, PLUGIN, SERVER_CMD, Editor, neovim, provider_config, wait_for
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

SUGGESTION = "compute_total(items)"


def open_python(ed: Editor, text: str = "import os\n\n") -> Path:
    path = ed.home / "app.py"
    path.write_text(text, encoding="utf-8")
    ed.nvim.command(f"edit {path}")
    return path


def test_ghost_text_appears_and_tab_accepts_it_on_0_12(tmp_path: Path) -> None:
    with FakeProvider(Reply(text=SUGGESTION, chunks=3)) as fake:
        with neovim("0.12", tmp_path, provider_config(fake.url)) as ed:
            ed.setup(cmd=SERVER_CMD, keymaps={"accept": "<Tab>"})
            open_python(ed)
            ed.client_ready()
            ed.nvim.input("Gototal = ")
            assert wait_for(ed.ghost_text, "ghost text") == SUGGESTION
            assert ed.line(2) == "total = "  # ghost text is not in the buffer
            ed.nvim.input("<Tab>")
            wait_for(lambda: ed.line(2) == f"total = {SUGGESTION}", "the accepted suggestion in the buffer")
            assert ed.nvim.api.get_mode()["mode"] == "i"
            # tier, provider, latency, today's spend / daily cap, from $/lspComplete/status
            line = wait_for(
                lambda: ed.statusline().startswith("AI fast fake ") and ed.statusline(), "statusline"
            )
            assert re.fullmatch(r"AI fast fake \d+ms \$\d\.\d{2,3}/\$1\.00", line), line
        request = fake.requests[0]
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.json["prompt"].endswith("import os\n\ntotal = ")


def test_completion_menu_item_is_inserted_on_0_11(tmp_path: Path) -> None:
    with FakeProvider(Reply(text=SUGGESTION, chunks=2)) as fake:
        with neovim("0.11", tmp_path, provider_config(fake.url)) as ed:
            assert ed.lua("return vim.lsp.inline_completion == nil")  # really the menu-only Neovim
            ed.nvim.command("set completeopt=menu,menuone,noinsert,popup")  # as the README suggests
            ed.setup(cmd=SERVER_CMD, keymaps={"accept": "<Tab>"})
            open_python(ed)
            ed.client_ready()
            ed.nvim.input("Gototal = ")  # the space is a trigger character: the menu opens by itself
            items = wait_for(lambda: ed.nvim.call("complete_info", ["items"])["items"], "completion items")
            assert [i["word"] for i in items] == [SUGGESTION]
            ed.nvim.input("<Tab>")
            wait_for(lambda: ed.line(2) == f"total = {SUGGESTION}", "the chosen item in the buffer")
            ed.nvim.input("<Esc>")
            assert ed.line(2) == f"total = {SUGGESTION}"
        assert fake.requests[0].json["prompt"].endswith("import os\n\ntotal = ")


def test_dismiss_hides_the_ghost_text_and_next_keeps_one_item(tmp_path: Path) -> None:
    with (
        FakeProvider(Reply(text=SUGGESTION)) as fake,
        neovim("0.12", tmp_path, provider_config(fake.url)) as ed,
    ):
        ed.setup(cmd=SERVER_CMD, keymaps={"accept": "<Tab>", "next": "<M-]>", "dismiss": "<C-]>"})
        open_python(ed)
        ed.client_ready()
        ed.nvim.input("Gototal = ")
        wait_for(ed.ghost_text, "ghost text")
        ed.nvim.input("<M-]>")  # one suggestion: next wraps around to it, and Neovim shows the count
        wait_for(lambda: ed.ghost_text() == f"{SUGGESTION} (1/1)", "ghost text after next")
        ed.nvim.input("<C-]>")
        wait_for(lambda: ed.ghost_text() == "", "the ghost text to go")
        ed.nvim.input("<Tab>")  # nothing to accept any more: the key indents
        wait_for(lambda: ed.line(2) == "total =     ", "Tab's own text after a dismiss")
        assert ed.nvim.api.get_mode()["mode"] == "i"


def test_tab_without_a_suggestion_still_types_a_tab(tmp_path: Path) -> None:
    with FakeProvider(Reply(text=SUGGESTION)) as fake:
        with neovim("0.12", tmp_path, provider_config(fake.url)) as ed:
            ed.setup(cmd=SERVER_CMD, keymaps={"accept": "<Tab>"})
            open_python(ed, "x = 1\n")
            ed.client_ready()
            ed.nvim.input("0i<Tab><Esc>")  # mid-line before code: the server is not even asked
            # Python's ftplugin sets expandtab and softtabstop=4: the Tab key indents by four spaces.
            wait_for(lambda: ed.line(0) == "    x = 1", "the Tab key's own indent")
        assert fake.requests == []


@pytest.mark.parametrize("version", ["0.12", "0.11"])
def test_checkhealth_ok_then_clear_errors(tmp_path: Path, version: str) -> None:
    with FakeProvider() as fake, neovim(version, tmp_path, provider_config(fake.url)) as ed:
        ed.setup(cmd=SERVER_CMD)
        ok = ed.health()
        assert "ERROR" not in ok, ok
        expected_lines = (
            "OK Neovim 0.1",
            "OK server executable:",
            "-m lsp_complete --version`: lsp-complete ",
            "OK configuration is valid",
        )
        for expected in expected_lines:
            assert expected in ok, ok
        assert ("suggestions show as ghost text" in ok) == (version == "0.12"), ok
        assert ("suggestions show as the completion menu" in ok) == (version == "0.11"), ok

        bad = tmp_path / "bad.toml"
        bad.write_text("[completion]\ndebounce_ms = 'soon'\n", encoding="utf-8")
        ed.setup(cmd=SERVER_CMD, cmd_env={"LSP_COMPLETE_CONFIG": str(bad)})
        invalid = ed.health()
        assert "ERROR configuration file is invalid" in invalid and "debounce_ms" in invalid, invalid

        ed.setup(cmd=["lsp-complete"])
        ed.lua("vim.env.PATH = '/usr/bin:/bin'")  # a machine where the server was never installed
        missing = ed.health()
        assert "ERROR server executable 'lsp-complete' not found" in missing, missing
        assert "pip install lsp-complete" in missing, missing


def test_restart_keeps_settings_and_leaves_no_ghost_text(tmp_path: Path) -> None:
    with FakeProvider(Reply(text=SUGGESTION)) as fake:
        with neovim("0.12", tmp_path, provider_config(fake.url)) as ed:
            ed.setup(cmd=SERVER_CMD, settings={"completion": {"max_lines": 3}})
            open_python(ed)
            first = ed.client_ready()
            ed.nvim.input("Gototal = ")
            wait_for(ed.ghost_text, "ghost text")
            ed.nvim.input("<Cmd>LspComplete restart<CR>")  # still in insert mode, ghost text shown
            second = ed.client_ready()
            assert ed.nvim.api.get_mode()["mode"] == "i"
            assert ed.ghost_text() == ""  # nothing stuck from the old server
            ed.nvim.input("<Esc>")
            assert second != first
            wait_for(
                lambda: ed.lua("return vim.lsp.get_client_by_id(...) == nil", first), "the old client to go"
            )
            assert ed.lua("return vim.lsp.get_client_by_id(...).config.init_options", second) == {
                "completion": {"max_lines": 3}
            }
            ed.nvim.input("A<C-u>count = ")
            assert wait_for(ed.ghost_text, "ghost text from the restarted server") == SUGGESTION
        assert len(fake.requests) == 2


def test_setup_rejects_bad_options_and_the_statusline_formats_status(tmp_path: Path) -> None:
    with neovim("0.11", tmp_path) as ed:
        for bad, field in [
            ({"mode": "ghost"}, "mode"),
            ({"cmd": []}, "cmd"),
            ({"keymaps": {"tab": "x"}}, "keymaps"),
        ]:
            error = ed.lua(
                "local ok, e = pcall(require('lsp_complete').setup, ...); return ok and '' or e", bad
            )
            assert field in error, error
        fmt = "return require('lsp_complete.status').format(...)"
        status = {
            "tier": "fast",
            "provider": "deepseek",
            "latencyMs": 41.6,
            "degraded": False,
            "paused": False,
        }
        assert ed.lua(fmt, status) == "AI fast deepseek 42ms"
        spend = {**status, "spentTodayUsd": 0.0123, "dailyCapUsd": 1}
        assert ed.lua(fmt, spend) == "AI fast deepseek 42ms $0.012/$1.00"
        assert ed.lua(fmt, {**spend, "spentTodayUsd": 0.5}) == "AI fast deepseek 42ms $0.50/$1.00"
        assert ed.lua(fmt, {**status, "degraded": True, "provider": "local"}) == "AI! fast local 42ms"
        assert ed.lua(fmt, {**status, "paused": True}) == "AI paused"
        assert ed.lua(fmt, None) == "AI"
        assert ed.statusline() == ""  # no server attached to this buffer


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.12", [[True, False], [True, False], [False, True], [True, True], [False, False]]),
        ("0.11", [[False, True], [False, True], [False, True], [False, True], [False, False]]),  # no inline
    ],
)
def test_mode_picks_ghost_text_or_menu(tmp_path: Path, version: str, expected: list[list[bool]]) -> None:
    display = "require('lsp_complete').setup({ mode = ... }); return { require('lsp_complete').display() }"
    with neovim(version, tmp_path) as ed:
        assert [ed.lua(display, m) for m in ("auto", "inline", "menu", "both", "none")] == expected


def test_help_file_has_valid_tags(tmp_path: Path) -> None:
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "lsp_complete.txt").write_bytes((PLUGIN / "doc" / "lsp_complete.txt").read_bytes())
    with neovim("0.12", tmp_path / "home") as ed:
        ed.nvim.command(f"helptags {doc}")  # raises on duplicate tags (E154)
        tags = (doc / "tags").read_text(encoding="utf-8")
        for tag in ("lsp_complete", "lsp_complete.setup()", ":LspComplete", "<Plug>(lsp-complete-accept)"):
            assert f"{tag}\tlsp_complete.txt" in tags, tag


CODE = "def add(a, b):\n    return a + b\n"
DOCUMENTED = '```python\ndef add(a, b):\n    """Return the sum of a and b."""\n    return a + b\n```\n'


def actions_config(url: str) -> str:
    """The fake provider as a FIM model (completions) and as a chat model (the actions' tiers)."""
    tiers = 'fast = ["fake/coder", "fakechat/chat"]\npremium = ["fakechat/chat"]'
    config = provider_config(url).replace('fast = ["fake/coder"]', tiers)
    return config + f'\n[providers.fakechat]\napi = "openai-chat"\nbase_url = "{url}"\n'


@pytest.mark.parametrize("version", ["0.12", "0.11"])
def test_code_action_applies_its_edit(tmp_path: Path, version: str) -> None:
    with FakeProvider(Reply(text=DOCUMENTED, chunks=4)) as fake:
        with neovim(version, tmp_path, actions_config(fake.url)) as ed:
            ed.setup(cmd=SERVER_CMD)
            open_python(ed, CODE)
            ed.client_ready()
            ed.nvim.command("call cursor(2, 5)")
            titles = ed.lua(
                """
                local params = vim.lsp.util.make_range_params(0, 'utf-16')
                params.context = { diagnostics = {} }
                local out = {}
                for _, r in pairs(vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 10000)) do
                  for _, a in ipairs(r.result or {}) do out[#out + 1] = a.title end
                end
                return out
                """
            )
            assert any("docstring" in t.lower() for t in titles), titles
            assert fake.requests == []  # the menu costs nothing: no model call to list it
            ed.lua(
                "vim.lsp.buf.code_action({ apply = true, filter = function(a)"
                " return a.title:lower():find('docstring') ~= nil end })"
            )
            wait_for(
                lambda: ed.line(1) == '    """Return the sum of a and b."""', "the docstring in the buffer"
            )
            assert ed.nvim.current.buffer[:] == [
                "def add(a, b):",
                '    """Return the sum of a and b."""',
                "    return a + b",
            ]
        assert fake.requests[0].path.endswith("/chat/completions")
        assert "return a + b" in str(fake.requests[0].json["messages"])


def test_commands_explain_and_toggle(tmp_path: Path) -> None:
    explanation = "It adds two numbers and returns their sum."
    with (
        # Slow enough that Neovim opens the file (window/showDocument on the first text) before the end.
        FakeProvider(Reply(text=explanation, chunks=4, delay_between_s=0.25)) as fake,
        neovim("0.12", tmp_path, actions_config(fake.url)) as ed,
    ):
        ed.setup(cmd=SERVER_CMD)
        source = open_python(ed, CODE)
        ed.client_ready()
        ed.nvim.command("2,2LspComplete explain")  # as from a visual selection of line 2

        def explanation_buffer() -> str:
            others = [b for b in ed.nvim.buffers if b.name != str(source) and b.name.endswith(".md")]
            return "\n".join(others[0][:]) if others else ""

        wait_for(explanation_buffer, "the explanation opened in a buffer (window/showDocument)")
        # The buffer follows the stream ($/lspComplete/explanation), not just the first chunk on disk.
        wait_for(lambda: explanation in explanation_buffer(), "the whole explanation in the buffer")
        assert "return a + b" in str(fake.requests[0].json["messages"])
        ed.nvim.command(f"buffer {source}")
        ed.nvim.command("LspComplete toggle")
        wait_for(lambda: "completions paused" in ed.messages(), "the pause message")
        assert ed.statusline() == "AI paused"
        ed.nvim.command("LspComplete toggle")
        wait_for(lambda: "completions on" in ed.messages(), "the resume message")
        assert ed.statusline() == "AI"  # no completion yet in this session
        ed.nvim.command("LspComplete usage")
        wait_for(lambda: "today" in ed.messages().lower(), "the usage summary")


def test_fix_command_sends_the_lines_diagnostics_and_applies_the_fix(tmp_path: Path) -> None:
    fixed = "```python\ndef add(a, b):\n    return a + b\n```\n"
    with (
        FakeProvider(Reply(text=fixed, chunks=2)) as fake,
        neovim("0.11", tmp_path, actions_config(fake.url)) as ed,
    ):
        ed.setup(cmd=SERVER_CMD)
        open_python(ed, "def add(a, b):\n    return a + bb\n")
        ed.client_ready()
        ed.lua(
            "vim.diagnostic.set(vim.api.nvim_create_namespace('linter'), 0, {{ lnum = 1, col = 15,"
            " message = \"undefined name 'bb'\", severity = vim.diagnostic.severity.ERROR,"
            " source = 'pyflakes' }})"
        )
        ed.nvim.command("normal! 2G")
        ed.nvim.command("LspComplete fix")
        wait_for(lambda: ed.line(1) == "    return a + b", "the fix in the buffer")
    assert "undefined name 'bb'" in str(fake.requests[0].json["messages"])
