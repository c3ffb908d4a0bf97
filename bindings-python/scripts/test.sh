#!/usr/bin/env bash
# Builds the extension into the repository's .venv, makes sure the simulator binary exists, and
# runs the Python binding tests against it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE="${CARGO_PROFILE:-ci}"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
[ -x .venv/bin/python ] || bash scripts/setup-dev.sh

echo "-- building the extension (maturin develop, profile $PROFILE)"
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --quiet --profile "$PROFILE" \
  -m bindings-python/Cargo.toml

if [ -z "${PROXMOX_API_SIM_BIN:-}" ]; then
  echo "-- building the simulator binary"
  cargo build --quiet -p proxmox-api-sim --bin proxmox-api-sim --profile "$PROFILE"
  PROXMOX_API_SIM_BIN="$TARGET_DIR/$PROFILE/proxmox-api-sim"
fi
export PROXMOX_API_SIM_BIN

echo "-- pytest"
cd bindings-python
exec ../.venv/bin/python -m pytest -q "$@"
