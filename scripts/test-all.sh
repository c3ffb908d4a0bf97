#!/usr/bin/env bash
# Runs every test: Rust (unit, integration and doc tests), the quickstart on the embedded simulator,
# the Python and Node bindings against the simulator binary (their scripts also build and check the
# shipped wheel and addon), and the freshness of committed typings. Each stage prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/stages.sh
source scripts/stages.sh
PROFILE="${CARGO_PROFILE:-ci}"
[ -x .venv/bin/python ] || stage "setup (Python venv, npm ci)" bash scripts/setup-dev.sh

# `cargo test` also runs the doc tests, in the same profile; no separate `--doc` pass.
stage "Rust tests (unit, integration, doc)" cargo test --workspace --profile "$PROFILE"

# Already built by the tests above (the simulator's integration tests need it); this only resolves
# its path and relinks nothing when the feature set is the same.
stage "simulator binary" cargo build -p proxmox-api-sim --bin proxmox-api-sim --profile "$PROFILE"
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
export PROXMOX_API_SIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/$PROFILE_DIR/proxmox-api-sim"

unset PVE_URL
stage "quickstart on the embedded simulator" \
  cargo run -p proxmox-api-examples --bin quickstart --profile "$PROFILE"

if [ -f bindings-python/pyproject.toml ]; then
  stage "Python bindings" bash bindings-python/scripts/test.sh
fi

if [ -f bindings-node/package.json ]; then
  stage "Node bindings" bash bindings-node/scripts/test.sh
fi
