"""Request License Adjustment (View Users) and the company admin's decisions (Company Admin)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from core.accounts.licenses import CHARGED, LicenseAdjustmentRequest, RequestStatus, license_counts, set_seats
from core.accounts.models import LicenseCategory
from core.audit import record
from core.extensions import db, utcnow
from core.tenancy import Clinic, accessible_clinic_ids, current_clinic
from core.web import CaseloadForm, Permission, render

bp = Blueprint("licenses", __name__, url_prefix="/licenses")


class AdjustmentForm(CaseloadForm):
    category = SelectField("License type", choices=[(c.value, c.value) for c in CHARGED])
    requested_seats = IntegerField(
        "Number of licenses wanted in total",
        validators=[InputRequired(message="Enter a number of licenses."), NumberRange(min=0, max=10000, message="Enter a number from 0 to 10,000.")],
    )
    reason = TextAreaField("Reason", validators=[DataRequired(message="Say why the adjustment is needed."), Length(max=1000)])


class DecisionForm(CaseloadForm):
    pass


@bp.route("/request", methods=["GET", "POST"])
@login_required
def request_adjustment():
    if not current_user.can(Permission.VIEW_USERS):
        abort(403)
    clinic = current_clinic()
    form = AdjustmentForm()
    if form.validate_on_submit():
        adjustment = LicenseAdjustmentRequest(
            clinic_id=clinic.id,
            category=LicenseCategory(form.category.data),
            requested_seats=form.requested_seats.data,
            reason=form.reason.data.strip(),
            requested_by_id=current_user.id,
        )
        db.session.add(adjustment)
        db.session.flush()
        record("license.request", "license_request", adjustment.id, clinic_id=clinic.id,
               summary=f"{adjustment.category.value}: {adjustment.requested_seats} requested")
        db.session.commit()
        flash("Your License Adjustment request was sent to the company admins.", "success")
        return redirect(url_for("user_manager.index"), code=303)
    return render("accounts/licenses/request.html", status=422 if form.errors else 200, form=form, clinic=clinic,
                  licenses=license_counts(clinic.id))


def _company_admin_clinic_ids() -> list[int]:
    if not current_user.can(Permission.COMPANY_ADMIN):
        abort(403)
    company_id = current_clinic().company_id
    ids = accessible_clinic_ids(current_user)
    return list(db.session.scalars(select(Clinic.id).where(Clinic.company_id == company_id, Clinic.id.in_(ids))))


@bp.get("/requests")
@login_required
def requests():
    clinic_ids = _company_admin_clinic_ids()
    rows = db.session.scalars(
        select(LicenseAdjustmentRequest)
        .where(LicenseAdjustmentRequest.clinic_id.in_(clinic_ids))
        .options(db.selectinload(LicenseAdjustmentRequest.clinic), db.selectinload(LicenseAdjustmentRequest.requested_by),
                 db.selectinload(LicenseAdjustmentRequest.decided_by))
        .order_by((LicenseAdjustmentRequest.status == RequestStatus.PENDING).desc(), LicenseAdjustmentRequest.id.desc())
        .limit(200)
    ).all()
    return render("accounts/licenses/requests.html", rows=rows, form=DecisionForm())


@bp.post("/requests/<int:request_id>/<any(approve, decline):decision>")
@login_required
def decide(request_id: int, decision: str):
    clinic_ids = _company_admin_clinic_ids()
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    adjustment = db.session.get(LicenseAdjustmentRequest, request_id)
    if adjustment is None or adjustment.clinic_id not in clinic_ids:
        abort(404)
    if adjustment.status is not RequestStatus.PENDING:
        flash("That request was already decided.", "error")
        return redirect(url_for(".requests"), code=303)
    adjustment.status = RequestStatus.APPROVED if decision == "approve" else RequestStatus.DECLINED
    adjustment.decided_by_id = current_user.id
    adjustment.decided_at = utcnow()
    if decision == "approve":
        before = set_seats(adjustment.clinic_id, adjustment.category, adjustment.requested_seats)
        record("license.change", "clinic", adjustment.clinic_id, clinic_id=adjustment.clinic_id,
               summary=f"{adjustment.category.value} licenses changed by request #{adjustment.id}",
               changes={"seats": [before, adjustment.requested_seats]})
    record(f"license.{decision}", "license_request", adjustment.id, clinic_id=adjustment.clinic_id,
           summary=f"request {adjustment.status.value}")
    db.session.commit()
    flash(f"Request #{adjustment.id} {adjustment.status.value}.", "success")
    return redirect(url_for(".requests"), code=303)
