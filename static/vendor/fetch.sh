#!/usr/bin/env bash
# Re-download the pinned front-end files from the npm registry and install
# them into this directory (static/vendor/). Every tarball is checked against
# its pinned npm `integrity` and every installed file against its pinned
# sha256, BEFORE anything in this directory is overwritten.
#
# Needs: bash, npm (and the node that comes with it), tar, sha256sum (or shasum).
# Usage: static/vendor/fetch.sh      (may be run from any directory)
#
# To bump a version: change it in PACKAGES and INTEGRITY below, run once,
# then update SHA256SUMS (the file beside this script) and the version table in VENDORED.md.
set -euo pipefail

cd "$(dirname "$0")"

# package spec | npm tarball integrity
INTEGRITY='
htmx.org@2.0.11 sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
@picocss/pico@2.1.1 sha512-kIDugA7Ps4U+2BHxiNHmvgPIQDWPDU4IeU6TNRdvXQM1uZX+FibqDQT2xUOnnO2yq/LUHcwnGlu1hvf4KfXnMg==
signature_pad@5.1.4 sha512-q0wO5a+U+AWPVcVmiNXz7FY4Ad1QiE8wto/3Yn41WVqepoVVYMvkb1CTokaWPUUAHWDLLabH3/acODeWM9jCrg==
@fontsource/dancing-script@5.3.0 sha512-/FFbz4ZCNN+eG2a6phkZB41iKmyCC6rq2blA/kG9OFeI3/tpzLNazND1bBdEnogLhpfg7o4NfauTbEEYSpSUGg==
'

# package spec | path inside the package | path here (relative to static/vendor/)
FILES='
htmx.org@2.0.11 dist/htmx.min.js htmx/htmx.min.js
htmx.org@2.0.11 LICENSE htmx/LICENSE
@picocss/pico@2.1.1 css/pico.min.css pico/pico.min.css
@picocss/pico@2.1.1 LICENSE.md pico/LICENSE.md
signature_pad@5.1.4 dist/signature_pad.umd.min.js signature_pad/signature_pad.umd.min.js
signature_pad@5.1.4 LICENSE signature_pad/LICENSE
@fontsource/dancing-script@5.3.0 files/dancing-script-latin-400-normal.woff2 fonts/dancing-script-latin-400-normal.woff2
@fontsource/dancing-script@5.3.0 LICENSE fonts/dancing-script-OFL.txt
'

# sha256 of each installed file: the one list, in SHA256SUMS beside this script
SHA256SUMS=$(cat SHA256SUMS)

sha256_check() {  # reads a checksum list on stdin, checks it in the current directory
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum --strict -c -
    else
        shasum -a 256 -c -
    fi
}

# npm-style SRI string ("sha512-<base64>") of a file, computed with node
sri_sha512() {
    node -e '
        const c = require("crypto"), fs = require("fs");
        process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));
    ' "$1"
}

vendor_dir=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. download and check each tarball, extract it
while read -r spec integrity; do
    [ -n "$spec" ] || continue
    dir="$work/pkg/$(printf '%s' "$spec" | tr '/@' '__')"
    mkdir -p "$dir"
    echo "fetching $spec"
    (cd "$dir" && npm pack "$spec" --loglevel=error >/dev/null)
    tgz=$(find "$dir" -maxdepth 1 -name '*.tgz' | head -n 1)
    [ -n "$tgz" ] || { echo "npm pack $spec produced no tarball" >&2; exit 1; }
    got=$(sri_sha512 "$tgz")
    if [ "$got" != "$integrity" ]; then
        echo "INTEGRITY MISMATCH for $spec" >&2
        echo "  expected $integrity" >&2
        echo "  got      $got" >&2
        exit 1
    fi
    tar -xzf "$tgz" -C "$dir"
done <<<"$INTEGRITY"

# 2. stage the needed files and check their sha256
stage="$work/stage"
while read -r spec src dest; do
    [ -n "$spec" ] || continue
    dir="$work/pkg/$(printf '%s' "$spec" | tr '/@' '__')"
    [ -d "$dir/package" ] || { echo "no tarball for $spec (missing from INTEGRITY?)" >&2; exit 1; }
    mkdir -p "$stage/$(dirname "$dest")"
    cp "$dir/package/$src" "$stage/$dest"
done <<<"$FILES"

echo "checking sha256 of the downloaded files"
if ! (cd "$stage" && printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | sha256_check); then
    echo "sha256 MISMATCH: nothing was installed. The downloaded files hash to:" >&2
    (cd "$stage" && find . -type f | sed 's|^\./||' | sort | while read -r f; do
        if command -v sha256sum >/dev/null 2>&1; then sha256sum "$f"; else shasum -a 256 "$f"; fi
    done) >&2
    exit 1
fi

# 3. only now install them here, and check once more in place
while read -r spec src dest; do
    [ -n "$spec" ] || continue
    mkdir -p "$vendor_dir/$(dirname "$dest")"
    cp "$stage/$dest" "$vendor_dir/$dest"
done <<<"$FILES"

echo "checking sha256 of the installed files"
printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | sha256_check
echo "OK: all vendored files fetched and verified"
