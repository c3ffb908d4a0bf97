#!/usr/bin/env bash
# Tests the Python package as users get it: builds the wheel once (scripts/build-wheels.sh) unless
# $PROXMOX_API_WHEEL names one, prints its tag and size, installs it into a FRESH venv whose PATH
# has no cargo, and runs pytest, the stub check, the two example flows and mypy --strict there.
# Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

WHEEL="${PROXMOX_API_WHEEL:-}"
if [ -z "$WHEEL" ]; then
  echo "-- building the wheel (scripts/build-wheels.sh)"
  WHEEL_DIR="$ROOT/dist" bash scripts/build-wheels.sh
  WHEEL="$(ls "$ROOT"/dist/proxmox_api-*.whl)"
fi
tag="$(basename "$WHEEL" .whl | cut -d- -f3-)"
echo "-- wheel $(basename "$WHEEL"): tag $tag, $(du -h "$WHEEL" | cut -f1)"
case "$tag" in
  *abi3*manylinux*) ;;
  *) echo "the wheel is not abi3 + manylinux: $tag" >&2; exit 1 ;;
esac

VENV="$(mktemp -d)/venv"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "$WHEEL" -r bindings-python/requirements-test.txt

# Nothing Rust is reachable from here on: the tests use the installed wheel only.
CLEAN_PATH="$VENV/bin:/usr/bin:/bin"
run() { env -i HOME="$HOME" PATH="$CLEAN_PATH" "$@"; }
run sh -c '! command -v cargo' || { echo "cargo is on the test PATH" >&2; exit 1; }

echo "-- pytest against the installed wheel"
(cd bindings-python/tests && run "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
  --rootdir . -c /dev/null "$@" .)

echo "-- examples (embedded simulator)"
run "$VENV/bin/python" examples/python/flow_sync.py >/dev/null
run "$VENV/bin/python" examples/python/flow_async.py >/dev/null

echo "-- mypy --strict over the examples and the package"
run "$VENV/bin/python" -m mypy --strict --no-incremental examples/python/flow_sync.py \
  examples/python/flow_async.py
