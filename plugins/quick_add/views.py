"""Quick Add's pages.

``GET/POST /quick-add/patients/new``  Quick Add Patient (Edit Patients): name, date of birth, phone.
``GET      /quick-add/incomplete``    Incomplete profiles (View Patients): the clinic's quick-added
                                      patients whose profile does not pass every check yet.

Core gates the blueprint (sign-in required; 404 in clinics where Quick Add is off). A new blueprint is
made for every app, because a Flask blueprint cannot take new setup functions after its first
registration.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from core.audit import record
from core.patients import Patient, create_patient, insurance_types_by_patient, possible_duplicates, profile_problems
from core.plugin_api import db
from core.tenancy import accessible_clinic_ids, current_clinic
from core.web import Permission, normalise_phone, paginate, render, require

from .forms import QuickAddPatientForm
from .models import QuickAddPatient, mark_quick_added
from .profile import incomplete_quick_adds

# Core's patient chart, by the name it has or had while the Patient Manager was being written.
CHART_ENDPOINTS = ("patients.chart", "patients.show")


def make_blueprint() -> Blueprint:
    bp = Blueprint("quick_add", __name__, url_prefix="/quick-add", template_folder="templates")
    bp.add_url_rule("/patients/new", "new_patient", login_required(new_patient), methods=["GET", "POST"])
    bp.add_url_rule("/incomplete", "incomplete", login_required(incomplete), methods=["GET"])
    return bp


def new_patient():
    """Quick Add Patient: create the patient with only the four fields; the profile stays incomplete."""
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    form = QuickAddPatientForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render("quick_add/new_patient.html", form=form, status=status)
    duplicates = [] if form.different_person.data else possible_duplicates(
        clinic, form.first_name.data, form.last_name.data, form.date_of_birth.data, accessible_clinic_ids(current_user))
    if duplicates:
        return render("quick_add/new_patient.html", form=form, duplicates=duplicates, status=422)
    patient = create_patient(
        clinic,
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        date_of_birth=form.date_of_birth.data,
        phone=normalise_phone(form.phone.data),
        created_by=current_user,
    )
    mark_quick_added(clinic.id, patient.id, current_user.id)
    record("patient.create", "patient", patient.id, clinic_id=clinic.id, summary="quick added")
    db.session.commit()
    flash("Patient added with Quick Add. Complete the profile before notes can be finalized.", "success")
    return redirect(_after_quick_add(patient), code=303)


def _after_quick_add(patient: Patient) -> str:
    """The patient's chart where core has one (and the user may view patients); otherwise the
    Incomplete profiles list, or a fresh form for someone who may add patients but not view them."""
    if current_user.can(Permission.VIEW_PATIENTS):
        for endpoint in CHART_ENDPOINTS:
            if endpoint in current_app.view_functions:
                return url_for(endpoint, patient_id=patient.id)
        return url_for("quick_add.incomplete")
    return url_for("quick_add.new_patient")


def incomplete():
    """Incomplete profiles: quick-added patients of this clinic that do not pass every check yet,
    each with what is missing and a link to complete the profile."""
    require(Permission.VIEW_PATIENTS)
    clinic = current_clinic()
    page = paginate(
        incomplete_quick_adds(clinic.id),
        options=(
            selectinload(QuickAddPatient.patient).selectinload(Patient.addresses),
            selectinload(QuickAddPatient.patient).selectinload(Patient.phones),
            selectinload(QuickAddPatient.added_by),
        ),
    )
    types = insurance_types_by_patient([row.patient_id for row in page.items])
    rows = [
        {
            "quick_add": row,
            "patient": row.patient,
            "problems": profile_problems(row.patient, types=types[row.patient_id]),
            "complete_url": _complete_profile_url(row.patient_id),
        }
        for row in page.items
    ]
    return render(
        "quick_add/incomplete.html",
        "quick_add/_incomplete_table.html",
        clinic=clinic,
        page=page,
        rows=rows,
        args=request.args,
        can_edit=current_user.can(Permission.EDIT_PATIENTS),
    )


def _complete_profile_url(patient_id: int) -> str:
    """Edit Patient for this patient once core has it; the Patient Manager until then."""
    if "patients.edit_patient" in current_app.view_functions:
        return url_for("patients.edit_patient", patient_id=patient_id)
    return url_for("patients.index")
