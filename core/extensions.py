"""The Flask extensions core uses, created unbound and initialised in ``create_app``."""
import sqlite3
from datetime import datetime, timezone

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# A naming convention so that Alembic migrations name constraints the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Per-client-address limits (sign-in); behind a proxy, gunicorn's --forwarded-allow-ips sets remote_addr.
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection, _record):
    """SQLite (the embedded default) in write-ahead-log mode with ``synchronous=NORMAL``: a commit is an
    append to the log instead of a rewrite and two fsyncs of a rollback journal (about 2 ms less for the
    audit write of every chart opened), and readers no longer block the writer nor it them. The database
    stays consistent on a crash; the last commits before a power loss may be lost."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@migrate.configure
def _add_plugin_version_locations(config):
    """Alembic finds each installed plugin's own migrations (``<plugin folder>/migrations``) beside core's."""
    import os

    from flask import current_app

    core_versions = os.path.join(os.path.dirname(__file__), "migrations", "versions")
    folders = [core_versions, *current_app.extensions["caseload_plugins"].migration_folders()]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(folders))
    return config


def utcnow() -> datetime:
    """Now, in UTC, as the naive datetime every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def enum_column(cls, length: int = 20):
    """A column type storing a ``str`` enum by its value (a VARCHAR, not a native enum type)."""
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
