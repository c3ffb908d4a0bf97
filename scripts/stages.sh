# Stage timing shared by .ci/run and scripts/test-all.sh (sourced, not run).
#
# `stage NAME CMD...` runs CMD, prints its wall time when it ends and, when $CI_STAGE_LOG names a
# file, appends "NAME<TAB>SECONDS<TAB>EXIT" to it, so that .ci/run can print one table for its own
# stages and those of the scripts it calls. A failing stage stops the caller (set -e) after its
# time is recorded.

_stage_now() { date +%s.%N; }

stage() {
  local name="$1" start rc=0 secs
  shift
  echo
  echo "== $name"
  start="$(_stage_now)"
  "$@" || rc=$?
  secs="$(awk -v a="$start" -v b="$(_stage_now)" 'BEGIN { printf "%.1f", b - a }')"
  if [ "$rc" -eq 0 ]; then
    echo "-- $name: ${secs}s"
  else
    echo "-- $name: ${secs}s, FAILED (exit $rc)"
  fi
  if [ -n "${CI_STAGE_LOG:-}" ]; then
    printf '%s\t%s\t%s\n' "$name" "$secs" "$rc" >>"$CI_STAGE_LOG"
  fi
  return "$rc"
}

# Prints the table of every stage recorded in $CI_STAGE_LOG, with the total and the machine's load.
stage_summary() {
  [ -n "${CI_STAGE_LOG:-}" ] && [ -s "$CI_STAGE_LOG" ] || return 0
  echo
  echo "== stage times (wall clock; load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $(nproc 2>/dev/null || echo '?') cores)"
  awk -F'\t' '
    { total += $2; status = ($3 == 0) ? "ok" : "FAILED (exit " $3 ")"
      printf "  %-46s %8.1f s  %5d:%02d  %s\n", $1, $2, int($2 / 60), int($2) % 60, status }
    END { printf "  %-46s %8.1f s  %5d:%02d\n", "total", total, int(total / 60), int(total) % 60 }
  ' "$CI_STAGE_LOG"
}
