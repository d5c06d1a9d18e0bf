#!/usr/bin/env bash
# Time the README's test command phase by phase, on a fresh clone, as CI runs it.
#
#   bash scripts/time_ci.sh [--busy] [REPOSITORY]      (default: this clone's HEAD)
#
# Clones the repository into a temporary folder and times, one after the other:
#   set-up   make venv, with empty uv and pip caches, as on a new machine
#   ci       CI=true bash .ci/run, that is make test: ruff, then pytest over tests/ and every
#            notebook (nbval), beside the book build from the committed outputs and then the
#            browser tests on it
# It prints each step's wall-clock and CPU time, the load average, and how long each pytest run
# and the build took; it asserts nothing, since on a shared machine the figures vary. The
# targets: fresh clone to green at most 200 s on an idle 2-core machine, at most 150 s with
# .venv made. --busy keeps one CPU-bound process running beside the whole run: the run must
# still pass (slower is fine).
set -euo pipefail

busy=false
if [[ "${1:-}" == "--busy" ]]; then busy=true; shift; fi
source_repo="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/nnlib-time-ci.XXXXXX")"
export UV_CACHE_DIR="$work/uv-cache" PIP_CACHE_DIR="$work/pip-cache" CI=true
hog=""
cleanup() {
    if [[ -n "$hog" ]]; then kill "$hog" 2>/dev/null || true; fi
}
trap cleanup EXIT

if $busy; then
    python3 -c "while True: pass" &
    hog=$!
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
# Runs a command; writes its wall-clock seconds and the CPU seconds (user + system) of all its
# processes to the file named first. Other programs on the machine stretch the wall clock but
# hardly the CPU time: on an idle 2-core machine a step takes at least half its CPU time.
TIMER='import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    print(round(time.monotonic() - start), round(usage.ru_utime + usage.ru_stime), file=out)
sys.exit(code)'
total=0
phase() {  # phase NAME COMMAND...: run it in the clone, log to $work/NAME.log, time it
    local name="$1" before wall cpu
    shift
    before="$(load)"
    if ! (cd "$work/repo" && python3 -c "$TIMER" "$work/$name.time" "$@") \
        >"$work/$name.log" 2>&1; then
        echo "FAILED: $name (log: $work/$name.log)"
        tail -n 30 "$work/$name.log"
        exit 1
    fi
    read -r wall cpu <"$work/$name.time"
    total=$((total + wall))
    printf '%-8s %5s s  (CPU %4s s)   load average %s before, %s after\n' \
        "$name" "$wall" "$cpu" "$before" "$(load)"
}

echo "timing $source_repo in $work (CPUs: $(nproc), CPU-bound process beside it: $busy)"
git clone --quiet "$source_repo" "$work/repo"
phase set-up make venv
setup=$total
phase ci bash .ci/run

# The build starts when book_config.py writes its configuration and ends with its last log line.
build="$(stat -c '%Y' "$work/repo/_build/config-no-execute.yml" "$work/repo/_build/book-build.log" \
    | paste -sd' ' | awk '{print $2 - $1}')"
echo
echo "within ci: the book build $build s; the two pytest runs (each prints when it ends):"
grep -E '^=+ .*(passed|failed).* in ' "$work/ci.log" || true
echo "fresh clone to green: $total s (target: at most 200 s on an idle machine)"
echo "with .venv made:      $((total - setup)) s (target: at most 150 s)"
echo "logs: $work"
