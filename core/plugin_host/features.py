"""Clinic Settings: the Features page, where a Clinic Admin switches plugins on and off for the clinic
and edits the settings the plugins declare."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from core.extensions import db
from core.plugin_host.host import (
    UnknownPlugin,
    is_enabled,
    plugin_host,
    plugin_settings,
    set_plugin_enabled,
    set_plugin_setting,
    settings_fields,
)
from core.tenancy import current_clinic
from core.web import Permission, clean_line, confirmation_page, confirmed, is_htmx, render, require

TURN_OFF_DETAIL = ("Its columns, links and checks disappear from this clinic at once; its settings and data are kept "
                   "and come back when it is turned on again.")

bp = Blueprint("clinic_settings", __name__, url_prefix="/settings")


@bp.before_request
@login_required
def require_clinic_admin():
    require(Permission.CLINIC_ADMIN)


def _plugin_view(clinic, name: str, errors: dict | None = None) -> dict:
    enabled = is_enabled(clinic, name)
    return {
        "info": plugin_host().info(name),
        "enabled": enabled,
        "fields": settings_fields(clinic, name) if enabled else [],
        "values": plugin_settings(clinic, name) if enabled else {},
        "errors": errors or {},
    }


def _render_plugin(clinic, name: str, errors=None, status=200):
    return render(
        "plugin_host/features.html",
        "plugin_host/_plugin.html",
        status=status,
        clinic=clinic,
        plugin=_plugin_view(clinic, name, errors),
        plugins=[_plugin_view(clinic, n) for n in sorted(plugin_host().plugins)],
        trigger={"pluginsChanged": {"plugin": name}},
    )


def _plugin_name_or_404(name: str) -> str:
    try:
        return plugin_host().info(name).name
    except UnknownPlugin:
        abort(404)


@bp.get("/features")
def features():
    clinic = current_clinic()
    return render(
        "plugin_host/features.html",
        clinic=clinic,
        plugins=[_plugin_view(clinic, n) for n in sorted(plugin_host().plugins)],
    )


@bp.post("/features/<name>")
def toggle(name: str):
    """Switch a plugin on (``enabled=on``) or off for the current clinic."""
    clinic = current_clinic()
    name = _plugin_name_or_404(name)
    enabled = request.form.get("enabled") == "on"
    title = plugin_host().info(name).title
    if not enabled and is_enabled(clinic, name) and not confirmed():
        return confirmation_page(f"Turn off {title} for {clinic.name}?", TURN_OFF_DETAIL, f"Turn off {title}",
                                 url_for(".features"), fields={"enabled": "off"})
    set_plugin_enabled(clinic, name, enabled, current_user)
    db.session.commit()
    if not is_htmx():
        flash(f"{title} is {'on' if enabled else 'off'} for {clinic.name}.", "success")
        return redirect(url_for(".features"), code=303)
    return _render_plugin(clinic, name)


@bp.post("/features/<name>/settings")
def save_settings(name: str):
    clinic = current_clinic()
    name = _plugin_name_or_404(name)
    if not is_enabled(clinic, name):
        abort(404)
    fields = settings_fields(clinic, name)
    errors: dict[str, str] = {}
    submitted = {}
    for field in fields:
        raw = request.form.get(field.key)
        try:
            submitted[field.key] = field.coerce(clean_line(raw))
        except ValueError as exc:
            errors[field.key] = str(exc)
    if errors:
        db.session.rollback()
        if is_htmx():
            return _render_plugin(clinic, name, errors, status=422)
        return render(
            "plugin_host/features.html",
            status=422,
            clinic=clinic,
            plugins=[_plugin_view(clinic, n, errors if n == name else None) for n in sorted(plugin_host().plugins)],
        )
    for field in fields:
        set_plugin_setting(clinic, name, field.key, request.form.get(field.key), current_user)
    db.session.commit()
    if not is_htmx():
        flash("Settings saved.", "success")
        return redirect(url_for(".features"), code=303)
    return _render_plugin(clinic, name)
