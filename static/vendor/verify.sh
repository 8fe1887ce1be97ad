#!/usr/bin/env bash
# Offline check: the vendored files in this directory (static/vendor/) match
# their pinned sha256. No network. Exits non-zero if a file is missing or differs.
# To re-download them, run fetch.sh (same directory).
set -euo pipefail

cd "$(dirname "$0")"

SHA256SUMS=$(cat SHA256SUMS)  # the one list of pinned hashes

if command -v sha256sum >/dev/null 2>&1; then
    printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | sha256sum --strict -c -
else
    printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | shasum -a 256 -c -
fi
