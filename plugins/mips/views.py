"""MIPS's routes: saving one therapist's individual participation from the User Manager checkbox.

Core gates the blueprint (sign-in required; 404 in clinics where MIPS is off). A new blueprint is made
for every app, because a Flask blueprint cannot take new setup functions after its first registration.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from core.accounts import clinic_user_or_404
from core.audit import record
from core.plugin_api import db
from core.tenancy import current_clinic
from core.web import Permission, is_htmx

from .models import write_participation
from .participation import CELL_TEMPLATE, GROUP, group_cell, participation_cell, reporting_mode

CHOICES = {"on": True, "off": False}


def make_blueprint() -> Blueprint:
    bp = Blueprint("mips", __name__, url_prefix="/mips", template_folder="templates")
    bp.add_url_rule("/participants/<int:user_id>", "set_participation", set_participation, methods=["POST"])
    return bp


def set_participation(user_id: int):
    """Save whether a therapist takes part in MIPS individually (``participating=on`` or ``off``;
    a missing value, which is what an unchecked checkbox sends, means off). Answers with the cell."""
    clinic = current_clinic()
    if not current_user.can(Permission.EDIT_USERS):
        abort(403)
    user = clinic_user_or_404(clinic, user_id)
    if not user.user_type.is_therapist:
        return _message(f"Only therapists (PT, OT, SLP) report MIPS; this user is a {user.user_type.value}.", 422)
    if reporting_mode(clinic) == GROUP:
        message = "This clinic reports MIPS as a group, so individual participation cannot be changed."
        return _cell(user, group_cell(message), 422)
    raw = request.form.get("participating", "off")
    if raw not in CHOICES:
        return _message("Participation must be on or off.", 422)
    participating = CHOICES[raw]
    before = write_participation(clinic.id, user.id, participating, current_user.id)
    if before != participating:
        record(
            "mips.participation",
            "user",
            user.id,
            clinic_id=clinic.id,
            summary=f"MIPS individual participation {'on' if participating else 'off'}",
            changes={"before": before, "after": participating},
        )
    db.session.commit()
    if not is_htmx():
        flash("MIPS participation saved.", "success")
        return redirect(url_for("user_manager.index"), code=303)
    return _cell(user, participation_cell(participating, can_edit=True))


def _cell(user, cell, status: int = 200):
    return make_response(render_template(CELL_TEMPLATE, cell=cell, user=user), status)


def _message(text: str, status: int):
    return make_response(render_template("mips/_message.html", message=text), status)
