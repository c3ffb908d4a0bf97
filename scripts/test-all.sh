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
# The Python binding has no Rust tests (pytest tests it, through the wheel built below): compiling
# its library and an empty test harness in this profile cost about a third of the Rust test build.
stage "Rust tests (unit, integration, doc)" cargo test --workspace --exclude proxmox-api-python \
  --profile "$PROFILE"

# `cargo test --workspace` has built the simulator and the quickstart (their packages' integration
# tests run them) and copied them to target/<profile>/. Building them again with `cargo build -p` or
# `cargo run -p` would resolve features without the dev-dependencies (tokio without test-util, ...)
# and compile tokio and everything above it a second time, so the test build's binaries are used.
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug # cargo's one profile whose directory differs
BIN_DIR="${CARGO_TARGET_DIR:-$PWD/target}/$PROFILE_DIR"
for bin in proxmox-api-sim quickstart; do
  if [ ! -x "$BIN_DIR/$bin" ]; then
    echo "$BIN_DIR/$bin was not built by the tests" >&2
    exit 1
  fi
done
export PROXMOX_API_SIM_BIN="$BIN_DIR/proxmox-api-sim"

unset PVE_URL
stage "quickstart on the embedded simulator" "$BIN_DIR/quickstart"

# Clients nobody here wrote (pinned proxmoxer and npm proxmox-api), unchanged, against the binary.
stage "real clients on the simulator (proxmoxer, npm proxmox-api)" \
  bash proxmox-api-sim/realclients/run.sh

if [ -f bindings-python/pyproject.toml ]; then
  stage "Python bindings" bash bindings-python/scripts/test.sh
fi

if [ -f bindings-node/package.json ]; then
  stage "Node bindings" bash bindings-node/scripts/test.sh
fi
