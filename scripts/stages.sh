# Stage timing shared by .ci/run and scripts/test-all.sh (sourced, not run).
#
# `stage NAME CMD...` runs CMD, prints its wall time and CPU time (user + system of the processes it
# waited for) when it ends and, when $CI_STAGE_LOG names a file, appends
# "NAME<TAB>WALL<TAB>EXIT<TAB>CPU" to it, so that .ci/run can print one table for its own stages and
# those of the scripts it calls. A failing stage stops the caller (set -e) after its time is
# recorded. CPU time does not depend on what else the machine runs: CPU / cores is about the wall
# time the stage would take on an idle machine.

_stage_now() { date +%s.%N; }

# Sets _STAGE_TICKS to the user + system clock ticks of this shell's finished children (cutime and
# cstime in /proc/<pid>/stat). Read without a subshell: a subshell would report its own children.
_STAGE_HZ="$(getconf CLK_TCK 2>/dev/null || echo 100)"
_stage_ticks() {
  local fields
  _STAGE_TICKS=0
  if read -r -a fields <"/proc/$BASHPID/stat" 2>/dev/null; then
    _STAGE_TICKS=$((fields[15] + fields[16]))
  fi
}

stage() {
  local name="$1" start ticks_start rc=0 secs cpu
  shift
  echo
  echo "== $name"
  start="$(_stage_now)"
  _stage_ticks
  ticks_start="$_STAGE_TICKS"
  "$@" || rc=$?
  secs="$(awk -v a="$start" -v b="$(_stage_now)" 'BEGIN { printf "%.1f", b - a }')"
  _stage_ticks
  cpu="$(awk -v t="$((_STAGE_TICKS - ticks_start))" -v hz="$_STAGE_HZ" 'BEGIN { printf "%.1f", t / hz }')"
  if [ "$rc" -eq 0 ]; then
    echo "-- $name: ${secs}s (CPU ${cpu}s)"
  else
    echo "-- $name: ${secs}s (CPU ${cpu}s), FAILED (exit $rc)"
  fi
  if [ -n "${CI_STAGE_LOG:-}" ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$rc" "$cpu" >>"$CI_STAGE_LOG"
  fi
  return "$rc"
}

# Prints the table of every stage recorded in $CI_STAGE_LOG, with the total and the machine's load.
stage_summary() {
  [ -n "${CI_STAGE_LOG:-}" ] && [ -s "$CI_STAGE_LOG" ] || return 0
  echo
  echo "== stage times (wall clock; load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $(nproc 2>/dev/null || echo '?') cores)"
  printf '  %-46s %10s %8s %9s  %s\n' stage "wall s" "m:ss" "CPU s" status
  awk -F'\t' '
    { total += $2; cpu += $4; status = ($3 == 0) ? "ok" : "FAILED (exit " $3 ")"
      printf "  %-46s %10.1f %5d:%02d %9.1f  %s\n", $1, $2, int($2 / 60), int($2) % 60, $4, status }
    END { printf "  %-46s %10.1f %5d:%02d %9.1f\n", "total", total, int(total / 60), int(total) % 60, cpu }
  ' "$CI_STAGE_LOG"
}
