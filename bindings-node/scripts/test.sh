#!/usr/bin/env bash
# Builds the addon, regenerates index.js and index.d.ts and fails when the committed ones are stale,
# builds the simulator binary unless $PROXMOX_API_SIM_BIN is set, then runs `node --test`.
# Cargo profile: $CARGO_PROFILE (default `ci`, as in scripts/test-all.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${CARGO_PROFILE:-ci}"

[ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund

# napi's --profile looks in target/<profile>/, but cargo names the dev profile's directory `debug`.
if [ "$PROFILE" = dev ]; then PROFILE_ARGS=(); PROFILE_DIR=debug; else PROFILE_ARGS=(--profile "$PROFILE"); PROFILE_DIR="$PROFILE"; fi

echo "== build the addon, regenerate index.js and index.d.ts ($PROFILE)"
npx napi build --platform --js index.js --dts index.d.ts "${PROFILE_ARGS[@]}"

echo "== committed typings up to date"
if ! git diff --exit-code -- index.d.ts index.js; then
  echo "index.d.ts / index.js differ from the generated ones: run 'npm run build' in bindings-node and commit them" >&2
  exit 1
fi

if [ -z "${PROXMOX_API_SIM_BIN:-}" ]; then
  echo "== simulator binary ($PROFILE)"
  cargo build -p proxmox-api-sim --bin proxmox-api-sim --profile "$PROFILE"
  TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
  export PROXMOX_API_SIM_BIN="$TARGET_DIR/$PROFILE_DIR/proxmox-api-sim"
fi

echo "== node --test"
node --test test/*.test.mjs
