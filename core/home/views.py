"""The clinic home page a user lands on after sign-in: the clinic, and for therapists their caseload
(the active cases assigned to them in this clinic)."""
from functools import cache

from flask import Blueprint
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from core.cases import Case, CasePolicy, CaseStatus
from core.extensions import db
from core.patients import Patient
from core.tenancy import current_clinic
from core.web import Permission, render

bp = Blueprint("home", __name__)

CASELOAD_LIMIT = 50


@cache
def _caseload_statement():
    return (
        select(Case)
        .join(Patient, Patient.id == Case.patient_id)
        .where(Case.clinic_id == bindparam("clinic_id"), Case.therapist_id == bindparam("user_id"),
               Case.status == CaseStatus.ACTIVE)
        .order_by(Patient.last_name_key, Patient.first_name_key, Case.id)
        .options(contains_eager(Case.patient), joinedload(Case.policies).joinedload(CasePolicy.insurance))
        .limit(CASELOAD_LIMIT)
    )


def my_caseload(clinic, user) -> list[Case]:
    """The user's active cases in ``clinic``, by patient name, with patient and insurances loaded with them
    (one statement, built once, whatever the number of cases)."""
    return list(db.session.scalars(_caseload_statement(), {"clinic_id": clinic.id, "user_id": user.id}).unique())


@bp.get("/")
@login_required
def index():
    clinic = current_clinic()
    caseload = my_caseload(clinic, current_user) if current_user.can(Permission.VIEW_PATIENTS) else []
    return render("home/index.html", clinic=clinic, caseload=caseload, caseload_limit=CASELOAD_LIMIT)
