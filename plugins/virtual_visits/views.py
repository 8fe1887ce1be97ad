"""Virtual Visits' routes: the Manage action of the User Manager column.

``GET  /virtual-visits/users/<id>``       the cell (Enabled/Disabled and Manage), e.g. after Cancel;
``GET  /virtual-visits/users/<id>/edit``  the small inline form that Manage opens;
``POST /virtual-visits/users/<id>``       save ``enabled=on`` or ``off``; answers with the cell.

Core gates the blueprint (sign-in required; 404 in clinics where the plugin is off). A new blueprint is
made for every app, because a Flask blueprint cannot take new setup functions after its first
registration.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from core.accounts import LicenseCategory, clinic_user_or_404
from core.audit import record
from core.plugin_api import Cell, db
from core.tenancy import current_clinic
from core.web import Permission, is_htmx, require

from .models import enabled_by_user, write_enabled

CELL_TEMPLATE = "virtual_visits/_cell.html"
FORM_TEMPLATE = "virtual_visits/_form.html"
CHOICES = {"on": True, "off": False}


def make_blueprint() -> Blueprint:
    bp = Blueprint("virtual_visits", __name__, url_prefix="/virtual-visits", template_folder="templates")
    bp.add_url_rule("/users/<int:user_id>", "cell", show_cell, methods=["GET"])
    bp.add_url_rule("/users/<int:user_id>/edit", "edit", edit, methods=["GET"])
    bp.add_url_rule("/users/<int:user_id>", "save", save, methods=["POST"])
    return bp


NOT_A_PROVIDER = Cell(text="Not applicable")
"""The cell of a clerical or biller profile: they see no patients, so they hold no virtual visits."""


def sees_patients(user) -> bool:
    """Therapists, assistants and students see patients; clericals and billers do not."""
    return user.user_type.license_category is not LicenseCategory.CLERICAL


def _provider_or_404(clinic, user_id: int):
    user = clinic_user_or_404(clinic, user_id)
    if not sees_patients(user):
        abort(404)
    return user


def status_cell(enabled: bool, can_edit: bool, focus: bool = False) -> Cell:
    """A user's cell: Enabled or Disabled, and Manage for viewers who may edit users. ``focus`` puts
    the keyboard focus back on Manage when the cell replaces the form."""
    return Cell(template=CELL_TEMPLATE, context={"enabled": enabled, "can_edit": can_edit, "focus": focus})


def show_cell(user_id: int):
    """The cell alone (Cancel on the inline form comes back here)."""
    clinic = current_clinic()
    require(Permission.VIEW_USERS)
    user = _provider_or_404(clinic, user_id)
    enabled = enabled_by_user(clinic.id, [user.id]).get(user.id, False)
    cell = status_cell(enabled, current_user.can(Permission.EDIT_USERS), focus=True)
    return render_template(CELL_TEMPLATE, cell=cell, user=user)


def edit(user_id: int):
    """The inline form to enable or disable one user's virtual visits."""
    clinic = current_clinic()
    require(Permission.EDIT_USERS)
    user = _provider_or_404(clinic, user_id)
    enabled = enabled_by_user(clinic.id, [user.id]).get(user.id, False)
    return render_template(FORM_TEMPLATE, user=user, enabled=enabled, error=None)


def save(user_id: int):
    """Enable (``enabled=on``) or disable (``enabled=off``) a user's virtual visits in this clinic."""
    clinic = current_clinic()
    require(Permission.EDIT_USERS)
    user = _provider_or_404(clinic, user_id)
    raw = request.form.get("enabled")
    if raw not in CHOICES:
        before = enabled_by_user(clinic.id, [user.id]).get(user.id, False)
        form = render_template(FORM_TEMPLATE, user=user, enabled=before, error="Choose Enabled or Disabled.")
        return make_response(form, 422)
    enabled = CHOICES[raw]
    before = write_enabled(clinic.id, user.id, enabled, current_user.id)
    if before != enabled:
        record(
            "virtual_visits.user",
            "user",
            user.id,
            clinic_id=clinic.id,
            summary=f"virtual visits {'enabled' if enabled else 'disabled'}",
            changes={"before": before, "after": enabled},
        )
    db.session.commit()
    if not is_htmx():
        flash("Virtual visits saved.", "success")
        return redirect(url_for("user_manager.index"), code=303)
    return render_template(CELL_TEMPLATE, cell=status_cell(enabled, can_edit=True, focus=True), user=user)
