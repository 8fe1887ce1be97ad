"""Caseload core: the app factory.

``create_app(overrides)`` reads configuration from the environment (:mod:`core.config`), applies
``overrides`` (tests pass their own), sets up the extensions, builds one plugin host for this app and
loads every installed plugin, then registers core's blueprints and the plugins' blueprints.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader

from . import config as config_module
from . import log_privacy
from .extensions import csrf, db, login_manager, migrate
from .htmx import add_vary, is_htmx
from .plugins import PluginHost
from .security import add_security_headers

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
    if overrides:
        if "SQLALCHEMY_DATABASE_URI" in overrides:
            overrides = {**overrides, "SQLALCHEMY_DATABASE_URI": config_module.normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])}
        app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
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
    from .users import Permission

    app.jinja_env.globals["Permission"] = Permission
    from .form_errors import form_errors

    app.jinja_env.globals["form_errors"] = form_errors
    # Dates as US clinics read them: MM/DD/YYYY.
    app.jinja_env.filters["us_date"] = lambda d: d.strftime("%m/%d/%Y") if d else ""
    _register_template_helpers(app)
    _register_error_handlers(app)
    log_privacy.install()
    app.after_request(add_vary)
    app.after_request(add_security_headers)
    return app


def _register_models() -> None:
    # Import every model module so that Alembic and the ORM see all tables.
    from . import audit, cases, insurance, licenses, patients, plugin_state, signatures, tenancy, users  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from . import (
        audit, auth, case_views, cli, clinic_settings, demo, health, home, insurance_views, license_views,
        patient_views, settings_views, signatures, user_manager,
    )

    for module in (
        auth, home, health, clinic_settings, settings_views, user_manager, license_views, signatures,
        patient_views, case_views, insurance_views, audit, cli, demo,
    ):
        app.register_blueprint(module.bp)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from .navigation import nav_items
    from .tenancy import accessible_clinic_ids, current_clinic

    @app.context_processor
    def layout_context():
        if not current_user.is_authenticated:
            return {}
        from sqlalchemy import select

        from .tenancy import Clinic

        def my_clinics():
            ids = accessible_clinic_ids(current_user)
            return list(db.session.scalars(select(Clinic).where(Clinic.id.in_(ids)).order_by(Clinic.name)))

        return {"nav_items": nav_items, "current_clinic": current_clinic, "my_clinics": my_clinics}


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        app.logger.warning("CSRF refused: %s", error.description)
        message = "Your session's security token is missing or out of date. Reload the page and try again."
        if is_htmx():
            # htmx swaps this into #flash (the layout's htmx-config swaps 400 answers).
            response = app.make_response((render_template("_flash_message.html", message=message, category="error"), 400))
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        return render_template("error.html", code=400, title="Bad request", message=message), 400

    for code, title, message in (
        (403, "Not allowed", "You do not have the permission this page needs."),
        (404, "Not found", "There is nothing here, or you do not have access to it."),
        (413, "Too large", "What you sent is too large."),
    ):
        app.register_error_handler(code, _error_page(code, title, message))


def _error_page(code: int, title: str, message: str):
    def handler(error):
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=title), code
        return render_template("error.html", code=code, title=title, message=message), code

    return handler
