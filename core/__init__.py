"""Caseload core: the app factory.

``create_app(overrides)`` reads configuration from the environment (:mod:`core.config`), applies
``overrides`` (tests pass their own), sets up the extensions, builds one plugin host for this app and
loads every installed plugin, then registers core's blueprints and the plugins' blueprints.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

from core import config as config_module
from core.extensions import csrf, db, limiter, login_manager, migrate
from core.plugin_host import PluginHost
from core.web import Permission, converters, form_errors, format_phone, format_zip, log_privacy
from core.web.deferred import commit_deferred, end_autocommit_read, reads_in_autocommit
from core.web.errors import register_error_handlers
from core.web.htmx import add_vary
from core.web.security import add_security_headers, request_csrf_token
from core.web.text import CaseloadRequest

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "caseload",
        root_path=str(ROOT),
        instance_path=str(ROOT / "instance"),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(config_module.from_environment(Path(app.instance_path)))
    converters.install(app)
    app.request_class = CaseloadRequest
    if overrides:
        if "SQLALCHEMY_DATABASE_URI" in overrides:
            overrides = {**overrides, "SQLALCHEMY_DATABASE_URI": config_module.normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])}
        app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."

    host = PluginHost()
    app.extensions["caseload_plugins"] = host
    host.load_entry_points(skip=app.config.get("CASELOAD_PLUGINS_DISABLED", ()))
    # Plugins handed over in code rather than installed (tests, embedding): [(name, module or object)].
    for name, plugin in app.config.get("CASELOAD_EXTRA_PLUGINS", ()):
        host.register(plugin, name)
    host.pm.check_pending()

    _register_models()
    _register_blueprints(app)
    host.install_blueprints(app)
    folders = host.template_folders()
    if folders:
        app.jinja_loader = ChoiceLoader([app.jinja_loader, *[FileSystemLoader(f) for f in folders]])

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["Permission"] = Permission
    app.jinja_env.globals["form_errors"] = form_errors
    app.jinja_env.globals["csrf_token"] = request_csrf_token
    # Dates as US clinics read them: MM/DD/YYYY.
    app.jinja_env.filters["us_date"] = lambda d: d.strftime("%m/%d/%Y") if d else ""
    # Phones and ZIP codes are stored as digits and shown as people write them, everywhere.
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["zip_code"] = format_zip
    _register_template_helpers(app)
    register_error_handlers(app)
    log_privacy.install()
    app.before_request_funcs.setdefault(None, []).insert(0, reads_in_autocommit)
    app.teardown_request(end_autocommit_read)
    app.after_request(commit_deferred)
    app.after_request(add_vary)
    app.after_request(add_security_headers)
    return app


# Core's packages, bottom layer first. Importing a package registers its models (for the ORM and Alembic)
# and its signal receivers; each module listed in BLUEPRINTS has a ``bp``.
PACKAGES = ("web", "audit", "tenancy", "plugin_host", "accounts", "payers", "patients", "cases", "billing", "notes", "home", "demo")
BLUEPRINTS = (
    "accounts.sign_in", "home.views", "web.health", "plugin_host.features", "tenancy.settings_views",
    "accounts.user_manager", "accounts.license_views", "accounts.signatures", "patients.views", "cases.views",
    "payers.views", "notes.views", "billing.payment_views", "billing.views", "audit.views", "plugin_host.cli", "demo.seed",
)


def _register_models() -> None:
    for package in PACKAGES:
        importlib.import_module(f"core.{package}")


def _register_blueprints(app: Flask) -> None:
    for module in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"core.{module}").bp)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from core.plugin_host import plugin_nav_items
    from core.tenancy import clinic_zone, current_clinic, my_clinics
    from core.web.local_time import format_local_date, format_local_time, set_zone_source
    from core.web.navigation import add_nav_source, nav_items

    add_nav_source(app, lambda user: plugin_nav_items(current_clinic(), user))
    # Stored instants (UTC) are shown in the zone of the clinic the user works in (UTC when signed out).
    set_zone_source(app, lambda: clinic_zone(current_clinic()) if current_user.is_authenticated else None)
    app.jinja_env.filters["clinic_time"] = format_local_time
    app.jinja_env.filters["clinic_date"] = format_local_date

    @app.context_processor
    def layout_context():
        if not current_user.is_authenticated:
            return {}
        return {"nav_items": nav_items, "current_clinic": current_clinic, "my_clinics": my_clinics}
