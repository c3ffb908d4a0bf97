#!/usr/bin/env bash
# CI for the Node package, as a user gets it:
#  1. builds the addon once (profile $NODE_ADDON_PROFILE, default `dist`: fat LTO, stripped) and
#     regenerates binding.js and index.d.ts, failing when the committed ones are stale;
#  2. prints the addon's size (must stay under 10 MB in `dist`);
#  3. `npm pack`s the main package and the linux-x64-gnu package, installs both tarballs into an
#     empty temporary folder with no cargo on PATH;
#  4. runs the node test suite there, and compiles (tsc --strict) and runs examples/node/flow.ts
#     against that install and the simulator linked into the addon.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE="$PWD"
PROFILE="${NODE_ADDON_PROFILE:-dist}"
ADDON=proxmox-api-native.linux-x64-gnu.node

[ -x node_modules/.bin/napi ] && [ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund

echo "== build the addon ($PROFILE), regenerate binding.js and index.d.ts"
node scripts/build.mjs --profile "$PROFILE"

echo "== committed binding.js / index.d.ts up to date"
if ! git diff --exit-code -- binding.js index.d.ts; then
  echo "binding.js / index.d.ts differ from the generated ones: run 'npm run build' in bindings-node and commit them" >&2
  exit 1
fi

BYTES=$(stat -c %s "npm/linux-x64-gnu/$ADDON")
echo "== addon size: $BYTES bytes ($(awk "BEGIN { printf \"%.1f\", $BYTES / 1048576 }") MiB, profile $PROFILE)"
LIMIT="${NODE_ADDON_MAX_BYTES:-$((10 * 1024 * 1024))}"
if [ "$PROFILE" = dist ] && [ "$BYTES" -ge "$LIMIT" ]; then
  echo "the addon must stay under $LIMIT bytes (10 MiB)" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "== npm pack (main + linux-x64-gnu) into $WORK"
# The committed package.json has no optionalDependencies: the per-platform packages are not on the
# registry until a release, so a lock file cannot hold them. `napi prepublish` (release workflow)
# pins them at publish time; do the same to a staged copy so the tarball tested is the one published.
STAGE="$WORK/stage"
mkdir -p "$STAGE"
cp -r package.json README.md index.js index.mjs index.d.ts index.d.mts binding.js lib "$STAGE/"
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.optionalDependencies = {};
  for (const dir of fs.readdirSync("npm").sort()) {
    const platform = JSON.parse(fs.readFileSync(`npm/${dir}/package.json`, "utf8"));
    pkg.optionalDependencies[platform.name] = pkg.version;
  }
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$STAGE/package.json"
(cd "$STAGE" && npm pack --silent --pack-destination "$WORK" >/dev/null)
(cd npm/linux-x64-gnu && npm pack --silent --pack-destination "$WORK" >/dev/null)
ls -l "$WORK"/*.tgz

# PATH without any directory that holds cargo or rustc: the install must not build anything.
CLEAN_PATH="$(printf '%s' "$PATH" | tr ':' '\n' | while read -r dir; do
  [ -n "$dir" ] && [ ! -e "$dir/cargo" ] && [ ! -e "$dir/rustc" ] && printf '%s\n' "$dir"; done | paste -sd: -)"

APP="$WORK/app"
mkdir -p "$APP/test" "$APP/examples"
cp test/*.test.mjs "$APP/test/"
cp ../examples/node/flow.ts ../examples/node/tsconfig.json "$APP/examples/"
cd "$APP"
echo '{ "name": "install-check", "private": true, "version": "0.0.0" }' > package.json
echo "== npm install the tarballs (no cargo on PATH; other platforms' optional packages are skipped)"
env PATH="$CLEAN_PATH" npm install --no-audit --no-fund --offline \
  "$WORK"/proxmox-api-native-0.1.0.tgz "$WORK"/proxmox-api-native-linux-x64-gnu-0.1.0.tgz
test -f "node_modules/proxmox-api-native-linux-x64-gnu/$ADDON"
if env PATH="$CLEAN_PATH" sh -c 'command -v cargo' >/dev/null; then echo "cargo still on PATH" >&2; exit 1; fi

echo "== node --test against the installed package"
env PATH="$CLEAN_PATH" node --test test/*.test.mjs

echo "== examples/node/flow.ts: tsc --strict, then run against the simulator"
# The compiler and Node's types come from the repository's devDependencies (not the package's).
ln -s "$HERE/node_modules/@types" node_modules/@types
env PATH="$CLEAN_PATH" node "$HERE/node_modules/typescript/bin/tsc" -p examples/tsconfig.json
env PATH="$CLEAN_PATH" node examples/dist/flow.js
