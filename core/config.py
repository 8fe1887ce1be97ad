"""Configuration read from the environment.

``DATABASE_URL``  SQLAlchemy URL; default a SQLite file in the instance folder. ``postgres://`` and
                  ``postgresql://`` URLs are served by psycopg 3.
``SECRET_KEY``    signs sessions and CSRF tokens. In development it is generated once and kept in the
                  instance folder; with ``CASELOAD_ENV=production`` the app refuses to start without it.
``CASELOAD_ENV``  ``development`` (default) or ``production``.
``CASELOAD_PLUGINS_DISABLED``  comma-separated plugin names not to load at all (rarely needed).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when CASELOAD_ENV=production.")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def from_environment(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    production = os.environ.get("CASELOAD_ENV", "development") == "production"
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'caseload.sqlite'}"
    return {
        "CASELOAD_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Clinic tabs stay open for hours: tokens are tied to the session, not to a clock.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "CASELOAD_PLUGINS_DISABLED": [
            p.strip() for p in os.environ.get("CASELOAD_PLUGINS_DISABLED", "").split(",") if p.strip()
        ],
        # Sign-in throttling: after this many consecutive failures the account is locked for a while.
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_SECONDS": 15 * 60,
        # And per client address, whatever the account: one address cannot lock out every account.
        "LOGIN_RATE_LIMIT": os.environ.get("CASELOAD_LOGIN_RATE_LIMIT", "20 per minute;200 per hour"),
        # Flask-Limiter's counters: memory:// is per process; set a shared store (e.g. redis://) for gunicorn.
        "RATELIMIT_STORAGE_URI": os.environ.get("CASELOAD_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Signed-in sessions end after this many minutes without a request (shared clinic computers).
        "SESSION_IDLE_MINUTES": int(os.environ.get("CASELOAD_SESSION_IDLE_MINUTES", "30")),
        "PAGE_SIZE": 25,
    }
