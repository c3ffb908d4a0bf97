#!/usr/bin/env bash
# Installs the non-Rust tools the tests need: a Python venv with maturin and pytest, and the Node
# packages of the bindings. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r bindings-python/requirements-dev.txt
if [ -f bindings-node/package-lock.json ]; then
  (cd bindings-node && npm ci --no-audit --no-fund)
fi
