#!/usr/bin/env bash
# Checks lsp-complete-eglot.el in a real Emacs (batch): the server starts from the snippet's entry,
# completion-at-point has the fake provider's item, and the edits of the docstring command and of the
# "Add docstring" code action land.
# Needs `emacs` with eglot (Debian: apt-get install emacs-nox elpa-eglot) and lsp-complete installed
# in the active Python environment. Not part of CI. Run from the repository root: editors/emacs/check-eglot.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
fake_pid=""
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

script='[{"text": "compute_total(items)"},
         {"text": "```python\ndef add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return a + b\n```\n", "chunks": 3},
         {"text": "```python\ndef sub(a, b):\n    \"\"\"Return a minus b.\"\"\"\n    return a - b\n```\n", "chunks": 3}]'
python -m tests.fake_provider --port-file "$tmp/port" --script "$script" >/dev/null &
fake_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port="$(cat "$tmp/port")"
cat >"$tmp/config.toml" <<TOML
[providers.fake]
api = "openai-completions"
base_url = "http://127.0.0.1:$port/v1"

[providers.fakechat]
api = "openai-chat"
base_url = "http://127.0.0.1:$port/v1"

[tiers]
fast = ["fake/coder", "fakechat/chat"]

[completion]
debounce_ms = 0
TOML
printf 'def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n\ntotal = ' >"$tmp/app.py"
HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" LSP_COMPLETE_CONFIG="$tmp/config.toml" \
  PATH="$(dirname "$(command -v python)"):$PATH" \
  timeout 60 emacs --batch -q -l "$here/check-eglot.el" "$tmp/app.py"
