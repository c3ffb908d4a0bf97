#!/usr/bin/env bash
# Runs every test: Rust (unit, integration, doc), the quickstart on the embedded simulator, the
# Python and Node bindings against the simulator binary, and the freshness of committed typings.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${CARGO_PROFILE:-ci}"
[ -x .venv/bin/python ] || bash scripts/setup-dev.sh

echo "== Rust tests"
cargo test --workspace --profile "$PROFILE"

echo "== Rust doc tests"
cargo test --workspace --doc --profile "$PROFILE"

echo "== simulator binary"
cargo build -p proxmox-api-sim --bin proxmox-api-sim --profile "$PROFILE"
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
export PROXMOX_API_SIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/$PROFILE_DIR/proxmox-api-sim"

echo "== quickstart on the embedded simulator"
unset PVE_URL
cargo run -p proxmox-api-examples --bin quickstart --profile "$PROFILE"

if [ -f bindings-python/pyproject.toml ]; then
  echo "== Python bindings"
  bash bindings-python/scripts/test.sh
fi

if [ -f bindings-node/package.json ]; then
  echo "== Node bindings"
  bash bindings-node/scripts/test.sh
fi
