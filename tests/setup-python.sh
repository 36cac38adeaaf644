#!/usr/bin/env bash
# Install the Python tools the tests use (pre-commit, for tests/precommit.rs).
# Called by .ci/run before `cargo test`; safe to run again.
set -euo pipefail
if ! command -v pre-commit >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check 'pre-commit>=3' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'pre-commit>=3'
fi
pre-commit --version
