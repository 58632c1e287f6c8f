#!/usr/bin/env bash
# Checks an Emacs snippet in a real Emacs (batch) against the fake provider: `check.sh eglot` runs
# lsp-complete-eglot.el (server from its entry, completion-at-point, the docstring command and the "Add
# docstring" code action), `check.sh lsp-mode` runs lsp-complete-lsp-mode.el (client, completion, code action).
# Needs `emacs` with eglot / lsp-mode (Debian: apt-get install emacs-nox elpa-eglot elpa-lsp-mode) and
# lsp-complete installed in the active Python environment. Not part of CI. From the repository root:
#   editors/emacs/check.sh eglot && editors/emacs/check.sh lsp-mode
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
client="${1:?usage: check.sh eglot|lsp-mode}"
tmp="$(mktemp -d)"
fake_pid=""
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

fim='{"text": "compute_total(items)"}'
add='{"text": "```python\ndef add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return a + b\n```\n", "chunks": 3}'
sub='{"text": "```python\ndef sub(a, b):\n    \"\"\"Return a minus b.\"\"\"\n    return a - b\n```\n", "chunks": 3}'
if [ "$client" = eglot ]; then
  script="[$fim, $add, $sub]"              # one completion request, then the command, then the action
else
  script="{\"replies\": [$fim], \"default\": $add}"  # lsp-mode may ask for completions more than once
fi
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
  timeout 60 emacs --batch -q -l "$here/check-$client.el" "$tmp/app.py"
