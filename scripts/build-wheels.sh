#!/usr/bin/env bash
# Builds the Python wheel: abi3 (cp39-abi3), manylinux2014 x86_64, profile `dist` (fat LTO,
# stripped), with the simulator embedded (feature `sim`) and the stubs + py.typed, into dist/.
# zig (pip package `ziglang`) links against the old glibc, so no Docker is needed. Other targets
# (aarch64, macOS, Windows) are built by the release workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${WHEEL_DIR:-$PWD/dist}"
VENV="${WHEEL_VENV:-$PWD/.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "maturin>=1.7,<2" "ziglang>=0.13"
rm -f "$OUT"/proxmox_api-*.whl
PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" build --profile dist --zig --compatibility manylinux2014 \
  --target x86_64-unknown-linux-gnu -m bindings-python/Cargo.toml --out "$OUT"
wheel="$(ls "$OUT"/proxmox_api-*.whl)"
echo "wheel: $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"
