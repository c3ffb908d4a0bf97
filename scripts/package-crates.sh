#!/usr/bin/env bash
# Packages the published crates (proxmox-api-core, proxmox-api-sim) as `cargo publish` would and
# checks what goes into each .crate: the README and license files, every file the sources embed
# with include_str!/include_bytes!, and the size limit of crates.io.
#
# By default without cargo's verification build: that build compiles the packaged crate and all its
# dependencies once more from scratch, in the default dev profile and with the crate's own feature
# set, so nothing from the CI build is reused (measured: several minutes on 2 cores, see
# docs/CI.md). The workspace has already compiled and tested the same sources by then; what the
# verification would add is "the package holds every file the build needs", which the include
# check below covers. PACKAGE_VERIFY=1 runs the full verification (the release workflow runs
# `cargo publish --dry-run`, which verifies).
set -euo pipefail
cd "$(dirname "$0")/.."
CRATES=(proxmox-api-core proxmox-api-sim)
LIMIT_BYTES=$((10 * 1024 * 1024)) # crates.io's default upload limit

args=()
for crate in "${CRATES[@]}"; do args+=(-p "$crate"); done
# A fresh clone is clean; locally, uncommitted edits are packaged too rather than refused.
if [ "${PACKAGE_VERIFY:-0}" = 1 ]; then
  cargo package --allow-dirty "${args[@]}"
else
  cargo package --allow-dirty --no-verify "${args[@]}"
fi

version="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="proxmox-api-core"))')"
package_dir="${CARGO_TARGET_DIR:-target}/package"
status=0
for crate in "${CRATES[@]}"; do
  file="$package_dir/$crate-$version.crate"
  listing="$(tar tzf "$file" | sed "s|^$crate-$version/||")"
  size="$(stat -c %s "$file")"
  echo "$crate: $(echo "$listing" | wc -l) files, $size bytes compressed ($file)"
  if [ "$size" -gt "$LIMIT_BYTES" ]; then
    echo "  over the crates.io limit of $LIMIT_BYTES bytes" >&2
    status=1
  fi
  needed=(Cargo.toml README.md LICENSE-MIT LICENSE-APACHE)
  # The simulator embeds the PVE API schema: its licence statement ships with it.
  # build.rs gzips the schema itself into the binary, so the JSON must ship too.
  [ "$crate" = proxmox-api-sim ] && needed+=(schema/README.md schema/pve-api-9.1.json build.rs)
  # Files embedded at compile time, as paths relative to the crate root.
  while IFS=: read -r src rel; do
    needed+=("$(realpath -m --relative-to="$crate" "$(dirname "$src")/$rel")")
  done < <(grep -roE --include='*.rs' 'include_(str|bytes)!\("[^"]+"\)' "$crate/src" |
    sed -E 's/:include_(str|bytes)!\("([^"]+)"\)$/:\2/')
  for path in "${needed[@]}"; do
    if ! grep -qxF "$path" <<<"$listing"; then
      echo "  missing from the package: $path" >&2
      status=1
    fi
  done
  echo "  checked present: ${needed[*]}"
done
exit "$status"
