"""Shared fixtures: one app per test on a migrated database, a CSRF-aware client, small factories,
a query counter, and a live server for the browser tests.

The database is SQLite unless ``CASELOAD_TEST_POSTGRES_URL`` names a PostgreSQL server, in which case a
throwaway database is created for the run and dropped at its end. Migrations (not ``create_all``) build
the schema once per run; each test then gets a fresh copy (SQLite) or truncated tables (PostgreSQL).
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event

os.environ.setdefault("SECRET_KEY", "test-secret-key")

from core import create_app  # noqa: E402
from core.accounts import User, UserStatus, UserType
from core.extensions import db  # noqa: E402
from core.plugin_host import set_plugin_enabled  # noqa: E402
from core.tenancy import Clinic, ClinicAccess, Company  # noqa: E402
from core.web import Permission  # noqa: E402
from tests.support import CsrfClient, FreshContextClient, password_hash  # noqa: E402

POSTGRES_URL = os.environ.get("CASELOAD_TEST_POSTGRES_URL")


def pytest_report_header(config):
    return f"caseload database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run through `make test` with a server reachable")
    for item in items:
        if "postgres" in item.keywords and not POSTGRES_URL:
            item.add_marker(skip_pg)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory=os.path.join(app.root_path, "core", "migrations"), revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database for the run: ``("sqlite", path)`` or ``("postgresql", url)``."""
    if POSTGRES_URL:
        import psycopg

        name = f"caseload_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
        _migrate(url)
        yield ("postgresql", url)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite"
        _migrate(f"sqlite:///{path}")
        yield ("sqlite", path)


@pytest.fixture
def database_url(database_template, tmp_path):
    kind, where = database_template
    if kind == "sqlite":
        path = tmp_path / "caseload.sqlite"
        shutil.copy(where, path)
        yield f"sqlite:///{path}"
    else:
        yield where
        import psycopg

        with psycopg.connect(where, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
            )]
            if tables:
                conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def extra_plugins():
    """Plugins to register in the app under test: append ``(name, plugin)`` before using ``app``.
    One app per test, so a throwaway plugin never leaks into another test."""
    return []


@pytest.fixture
def app(database_url, extra_plugins):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CASELOAD_EXTRA_PLUGINS": extra_plugins,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return CsrfClient(app.test_client())


# -- factories ---------------------------------------------------------------------------------
@pytest.fixture
def make_company(app):
    counter = iter(range(10**6))

    def make(name="Acme Therapy", tin=None):
        company = Company(name=name, tin=tin or f"{next(counter) + 100000000:09d}")
        db.session.add(company)
        db.session.commit()
        return company

    return make


@pytest.fixture
def make_clinic(app, make_company):
    def make(name="Main Street Clinic", company=None):
        clinic = Clinic(name=name, company=company or make_company(), city="Phoenix", state="AZ", postal_code="85018")
        db.session.add(clinic)
        db.session.commit()
        return clinic

    return make


@pytest.fixture
def make_user(app):
    counter = iter(range(10**6))

    def make(clinics, email=None, user_type=UserType.PT, permissions=(), is_admin=False,
             status=UserStatus.ACTIVE, first_name="Test", last_name=None, commit=True):
        n = next(counter)
        user = User(
            email=email or f"user{n}@example.test",
            first_name=first_name,
            last_name=last_name or f"User{n:05d}",
            user_type=user_type,
            is_admin=is_admin,
            status=status,
            password_hash=password_hash(),
        )
        user.set_permissions(permissions)
        user.clinic_access = [ClinicAccess(clinic=c, is_default=(i == 0)) for i, c in enumerate(clinics)]
        db.session.add(user)
        if commit:
            db.session.commit()
        return user

    return make


@pytest.fixture
def clinic(make_clinic):
    return make_clinic("Camelback Clinic")


@pytest.fixture
def admin(make_user, clinic):
    """A clinic admin of ``clinic`` (Admin checkbox: every permission)."""
    return make_user([clinic], email="admin@example.test", is_admin=True, first_name="Ada")


@pytest.fixture
def enable_plugin(app):
    def enable(clinic, name, enabled=True):
        set_plugin_enabled(clinic, name, enabled)
        db.session.commit()

    return enable


# -- query counting ----------------------------------------------------------------------------
class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts the SQL statements run inside the block."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before_cursor_execute(conn, cursor, statement, *args):
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before_cursor_execute)

    return counting


@pytest.fixture
def permission():
    return Permission
