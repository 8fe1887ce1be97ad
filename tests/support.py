"""Constants and helpers shared by test modules (fixtures live in conftest.py)."""
import re

from flask import g, has_app_context
from flask.testing import FlaskClient

from core.extensions import db

PASSWORD = "correct-horse-battery"
_HASH: dict[str, str] = {}


def password_hash() -> str:
    """The Argon2 hash of PASSWORD, computed once per run (hashing is deliberately slow)."""
    if PASSWORD not in _HASH:
        from core.accounts import hash_password

        _HASH[PASSWORD] = hash_password(PASSWORD)
    return _HASH[PASSWORD]


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: ``g`` and the database session
    are per request, not shared with the test's own context. After the request the test's session
    is expired so that it reads what the request wrote."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():  # the test's own context (absent in a worker thread)
            db.session.expire_all()
            g.__dict__.clear()  # the test's own request-scoped caches (plugin state, clinic) are stale too
        return response


class CsrfClient:
    """A Flask test client that signs in and sends the CSRF token like the browser does."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.client.get("/login").get_data(as_text=True)
            if 'name="csrf_token"' not in page:
                page = self.client.get("/").get_data(as_text=True)
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
                r'"X-CSRFToken": "([^"]+)"', page
            )
            self._token = match.group(1)
        return self._token

    def login(self, email: str, password: str = PASSWORD):
        """Sign in as ``email`` (a new browser session: any earlier sign-in is forgotten)."""
        self.client._cookies.clear()
        self._token = None
        response = self.client.post("/login", data={"email": email, "password": password, "csrf_token": self.csrf_token()})
        self._token = None  # the session was renewed at sign-in
        return response

    def post(self, url, data=None, htmx=False, headers=None, **kw):
        data = dict(data or {})
        headers = dict(headers or {})
        if htmx:
            headers.setdefault("HX-Request", "true")
            headers.setdefault("X-CSRFToken", self.csrf_token())
        else:
            data.setdefault("csrf_token", self.csrf_token())
        return self.client.post(url, data=data, headers=headers, **kw)

    def hx_get(self, url, **kw):
        return self.client.get(url, headers={"HX-Request": "true"}, **kw)
