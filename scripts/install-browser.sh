#!/usr/bin/env bash
# Make Debian's Chromium available to the browser tests (tests/browser/, Playwright).
#
# Playwright drives the system browser (/usr/bin/chromium, or $NNLIB_CHROMIUM). We never run
# `playwright install`: it downloads a browser build, which these machines cannot fetch and
# which a reader should not need. As root with apt-get, we install Debian's `chromium`;
# otherwise we say plainly that the browser tests will be skipped and how to enable them.
# This script never fails `make test`: tests/conftest.py decides (skip locally, fail under CI=true).
set -uo pipefail

chromium="${NNLIB_CHROMIUM:-/usr/bin/chromium}"

found() {
    echo "browser tests: using $chromium ($("$chromium" --version 2>/dev/null || echo 'version unknown'))"
}

if [[ -x "$chromium" ]]; then
    found
    exit 0
fi

if [[ -n "${NNLIB_CHROMIUM:-}" ]]; then
    echo "browser tests: NNLIB_CHROMIUM=$NNLIB_CHROMIUM is not an executable file;" \
         "browser tests will be skipped (and fail under CI=true)."
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "browser tests: installing Debian's chromium package (apt-get) ..."
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then
        found
        exit 0
    fi
    echo "browser tests: apt-get install chromium FAILED; browser tests will be skipped" \
         "(and fail under CI=true)."
    exit 0
fi

cat <<MSG
browser tests: Chromium not found at $chromium, and this user cannot install it.
  The browser tests (pytest -m browser) will be SKIPPED; every other test still runs.
  To enable them:  sudo apt-get install chromium
  (or point NNLIB_CHROMIUM at a Chromium/Chrome executable), then run make test again.
MSG
exit 0
