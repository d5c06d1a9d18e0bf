#!/usr/bin/env bash
# Time the README's test command phase by phase, on a fresh clone, as CI runs it.
#
#   bash scripts/time_ci.sh [--busy] [REPOSITORY]      (default: this clone's HEAD)
#
# Clones the repository into a temporary folder and runs the steps of `CI=true bash .ci/run`
# (that is, `make test`) one at a time, timing each:
#   set-up   make venv, with empty uv and pip caches, as on a new machine
#   lint     ruff
#   step 1   pytest over tests/ and every notebook (nbval), beside the book build from the
#            committed outputs and the Chromium check (make -j3, as make test runs them)
#   step 2   the browser tests on that build
# It prints the figures and the load average; it asserts nothing, since on a shared machine
# they vary. The targets: fresh clone to green at most 200 s on an idle 2-core machine, at most
# 150 s with .venv made. --busy keeps one CPU-bound process running beside the whole run: the
# run must still pass (slower is fine).
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
declare -a report
total=0
phase() {  # phase NAME COMMAND...: run it in the clone, log to $work/NAME.log, time it
    local name="$1" start end seconds before
    shift
    before="$(load)"
    start="$(date +%s.%N)"
    if ! (cd "$work/repo" && "$@") >"$work/$name.log" 2>&1; then
        echo "FAILED: $name (log: $work/$name.log)"
        tail -n 30 "$work/$name.log"
        exit 1
    fi
    end="$(date +%s.%N)"
    seconds="$(python3 -c "print(round($end - $start))")"
    total=$((total + seconds))
    report+=("$(printf '%-8s %5s s   load average %s before, %s after' \
        "$name" "$seconds" "$before" "$(load)")")
    echo "${report[-1]}"
}

echo "timing $source_repo in $work (CPUs: $(nproc), CPU-bound process beside it: $busy)"
git clone --quiet "$source_repo" "$work/repo"
phase set-up make venv
setup=$total
phase lint make lint
phase step-1 make --no-print-directory -j3 test-notebooks-and-units book-no-execute browser
phase step-2 make --no-print-directory test-browser

echo
echo "pytest, step 1: $(grep -E '(passed|failed).* in ' "$work/step-1.log" | tail -n 1)"
echo "pytest, step 2: $(grep -E '(passed|failed).* in ' "$work/step-2.log" | tail -n 1)"
echo "fresh clone to green: $total s (target: at most 200 s on an idle machine)"
echo "with .venv made:      $((total - setup)) s (target: at most 150 s)"
echo "logs: $work"
