"""Possible duplicate patients: the same first and last name (as searched: case and accents folded) and
the same date of birth, in any clinic of the company. The billing system treats every patient record as
its own account, so Add Patient and Quick Add warn and ask for a deliberate "this is a different person".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.extensions import db
from core.patients.models import Patient, search_key
from core.tenancy import Clinic

DIFFERENT_PERSON_LABEL = "This is a different person: add a new patient anyway"


@dataclass(frozen=True)
class PossibleDuplicate:
    patient: Patient
    clinic_name: str
    viewable: bool
    """Whether the user can open the chart from here (the patient is in the clinic they work in)."""
    other_clinic_access: bool = False
    """The patient is in another clinic the user has access to (switch clinic to open the chart)."""


def possible_duplicates(clinic, first_name: str, last_name: str, date_of_birth: date,
                        viewer_clinic_ids: set[int]) -> list[PossibleDuplicate]:
    """Patients of ``clinic``'s company with the same names and date of birth (one query)."""
    if not (first_name and last_name and date_of_birth):
        return []
    rows = db.session.execute(
        select(Patient, Clinic.name)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .where(Clinic.company_id == clinic.company_id, Patient.date_of_birth == date_of_birth,
               Patient.last_name_key == search_key(last_name)[:60], Patient.first_name_key == search_key(first_name)[:60])
        .order_by(Patient.id)
        .limit(10)
    ).all()
    return [PossibleDuplicate(patient, name, patient.clinic_id == clinic.id,
                              patient.clinic_id != clinic.id and patient.clinic_id in viewer_clinic_ids)
            for patient, name in rows]
