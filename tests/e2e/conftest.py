"""Browser-test fixtures: Debian's chromium for Playwright, a live server per test, and a sign-in helper.

The live server serves the ``app`` fixture's app (one app and one database file per test) from a
background thread. Requests served there run in werkzeug's own threads, which carry no app context,
so Flask pushes a fresh app context (and Flask-SQLAlchemy a fresh session) per request, as in
production; the test keeps its own app context for factories and assertions.
"""
from __future__ import annotations

import os
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"

# Assertions retry until this many milliseconds have passed (Playwright's default is 5 s too; be explicit).
expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        reason = "Debian chromium not installed (make test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser tests.", pytrace=False)
        pytest.skip(reason)
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def live_server(app):
    """Serve ``app`` on 127.0.0.1 on a free port; yield the base URL (no trailing slash)."""
    # The app fixture sets SERVER_NAME="localhost" for url_for in tests; with it Flask would answer
    # 404 to every request addressed to 127.0.0.1:<port>.
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="caseload-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Open the sign-in page, fill it in and submit it (the caller asserts where it lands)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
