#!/usr/bin/env bash
# Offline check: the vendored files in this directory (static/vendor/) match
# their pinned sha256. No network. Exits non-zero if a file is missing or differs.
# To re-download them, run fetch.sh (same directory).
set -euo pipefail

cd "$(dirname "$0")"

# keep identical to SHA256SUMS in fetch.sh and the table in VENDORED.md
SHA256SUMS='
d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717  htmx/htmx.min.js
d3d2456f76414f2456104660ebd65aff1c04cd7966b942bdabd63f3cdb316a38  htmx/LICENSE
fbc9a63fc9fc9f72d12fd7fc9806e11fa9f77ae4f9cad146b27003a1119ba3db  pico/pico.min.css
afaff063e044233f917b7807dccab022f09dca474f92b642846bee4850655bbf  pico/LICENSE.md
e3ad651350055083e8f635d07598bc3a96f1e7be075977b49067d28803066af4  signature_pad/signature_pad.umd.min.js
7d461320b6c69581bd19cc9402aa9a5e33ad826ed2f977d03bcb884e0cc6ce54  signature_pad/LICENSE
570e4265bbcb453353ce2fdf63d179332d8daa92691d567547b8a383f3b46c3b  fonts/dancing-script-latin-400-normal.woff2
c02c0002d3bbd41a16933c162888c400469c7029f1362ca9d60d5ed20ea7d157  fonts/dancing-script-OFL.txt
'

if command -v sha256sum >/dev/null 2>&1; then
    printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | sha256sum --strict -c -
else
    printf '%s\n' "$SHA256SUMS" | sed '/^$/d' | shasum -a 256 -c -
fi
