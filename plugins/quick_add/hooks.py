"""Quick Add's hook implementations (imported into :mod:`plugins.quick_add`, which is what gets
registered)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.patients import Patient, create_patient, profile_problems
from core.plugin_api import Cell, Column, NavItem, Problem, db, hookimpl
from core.web import Permission

from .models import QuickAddPatient, mark_quick_added, quick_added_ids
from .profile import problems_by_patient
from .views import make_blueprint

INCOMPLETE_PROFILE = "quick_add.incomplete_profile"


@hookimpl
def caseload_nav_items(clinic, user):
    """The "Incomplete profiles" link in the main navigation, for users who may view patients."""
    return [NavItem("Incomplete profiles", "quick_add.incomplete", order=25, permission=Permission.VIEW_PATIENTS)]


@hookimpl
def caseload_patient_manager_actions(clinic, user):
    """The "Quick Add Patient" button beside Add Patient, for users who may edit patients."""
    return [NavItem("Quick Add Patient", "quick_add.new_patient", order=10, permission=Permission.EDIT_PATIENTS)]


@hookimpl
def caseload_patient_manager_columns(clinic, viewer, patients):
    """The Profile column: "Incomplete" for quick-added patients whose profile does not pass every
    check yet. One query finds the page's quick-added patients; their completeness takes at most three
    more (insurance types, and addresses and phones where not loaded yet), whatever the page size."""
    quick_added = quick_added_ids(clinic.id, [p.id for p in patients])
    candidates = [p for p in patients if p.id in quick_added]
    problems = problems_by_patient(candidates) if candidates else {}
    cells = {patient_id: Cell(text="Incomplete") for patient_id, found in problems.items() if found}
    return Column(key="quick_add", header="Profile", cells=cells, order=50)


@hookimpl
def caseload_finalize_veto(note, clinic, user):
    """A quick-added patient's note cannot be finalized until the patient's profile is complete."""
    patient = getattr(note, "patient", None)
    if patient is None or patient.id not in quick_added_ids(clinic.id, [patient.id]):
        return []
    problems = profile_problems(patient)
    if not problems:
        return []
    missing = "; ".join(p.rstrip(".") for p in problems)
    return [
        Problem(
            code=INCOMPLETE_PROFILE,
            message=(f"This patient was quick-added and the profile is incomplete: {missing}. "
                     "Complete the patient's profile before finalizing."),
            field=None,
        )
    ]


@hookimpl
def caseload_blueprints():
    """Quick Add's routes under ``/quick-add`` (core answers 404 there in clinics where it is off)."""
    return [make_blueprint()]


DEMO_PATIENTS = (("Rowan", "Ellery", date(1988, 4, 12), "6025550187"), ("Marisol", "Quintana", date(1974, 11, 3), "4805550163"))


@hookimpl
def caseload_demo_data(clinic):
    """Two quick-added patients whose profiles are still incomplete (added once)."""
    existing = set(db.session.scalars(select(Patient.last_name).join(QuickAddPatient, QuickAddPatient.patient_id == Patient.id)
                                      .where(QuickAddPatient.clinic_id == clinic.id)))
    for first, last, born, phone in DEMO_PATIENTS:
        if last not in existing:
            patient = create_patient(clinic, first_name=first, last_name=last, date_of_birth=born, phone=phone)
            mark_quick_added(clinic.id, patient.id, None)
