"""Vendored front-end files are exactly the pinned ones recorded beside them."""
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def _pinned() -> dict[str, str]:
    pins = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            pins[path.strip()] = digest
    return pins


def test_vendored_files_match_their_pinned_sha256():
    pins = _pinned()
    assert {"htmx/htmx.min.js", "pico/pico.min.css", "signature_pad/signature_pad.umd.min.js"} <= set(pins)
    for path, digest in pins.items():
        assert hashlib.sha256((VENDOR / path).read_bytes()).hexdigest() == digest, path


def test_versions_and_hashes_are_recorded_in_vendored_md():
    table = (VENDOR / "VENDORED.md").read_text()
    for path, digest in _pinned().items():
        assert digest in table, path
    assert "htmx.org" in table and "2.0.11" in table
