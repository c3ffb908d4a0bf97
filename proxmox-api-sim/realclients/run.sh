#!/usr/bin/env bash
# Runs the real clients (pinned proxmoxer and npm proxmox-api, unchanged) against the simulator
# binary. Uses $PROXMOX_API_SIM_BIN when set, else builds it (profile ci). Python packages go to
# a venv in .venv here (gitignored), npm packages to node/node_modules via `npm ci`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [ -z "${PROXMOX_API_SIM_BIN:-}" ]; then
  (cd "$repo" && cargo build -p proxmox-api-sim --bin proxmox-api-sim --profile ci)
  PROXMOX_API_SIM_BIN="${CARGO_TARGET_DIR:-$repo/target}/ci/proxmox-api-sim"
fi
PROXMOX_API_SIM_BIN="$(cd "$(dirname "$PROXMOX_API_SIM_BIN")" && pwd)/$(basename "$PROXMOX_API_SIM_BIN")"
export PROXMOX_API_SIM_BIN
[ -x "$PROXMOX_API_SIM_BIN" ] || { echo "no simulator binary at $PROXMOX_API_SIM_BIN" >&2; exit 1; }

echo "== proxmoxer (python)"
[ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
(cd "$here/python" && "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider)

echo "== proxmox-api (node)"
(cd "$here/node" && npm ci --no-audit --no-fund --silent && node --test)
