"""Whether a patient's profile is complete enough for the billing system, and creating patients.

``profile_problems`` applies the same billing checks as the Add Patient form, to a stored patient; the
Quick Add plugin uses it to keep a quick-added patient "incomplete" until every check passes.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from core.extensions import db
from core.patients.entry_checks import primary_address_error, ssn_error
from core.patients.models import Patient, PatientPhone, PhoneType
from core.payers import InsuranceType
from core.web import phone_error, postal_code_error

InsuranceTypesLoader = Callable[[list[int]], "dict[int, set[InsuranceType]]"]
_insurance_types_loaders: list[InsuranceTypesLoader] = []


def provide_insurance_types(loader: InsuranceTypesLoader) -> None:
    """Register where patients' insurance types come from (``core.cases`` does, at import).

    Patients sit below cases, so this package asks instead of importing: ``loader(patient_ids)`` returns
    ``{patient id: set of InsuranceType}`` for the insurances that apply to each patient.
    """
    if loader not in _insurance_types_loaders:
        _insurance_types_loaders.append(loader)


def insurance_types(patient_id: int) -> set[InsuranceType]:
    """Types of the insurances on the patient's active cases."""
    return insurance_types_by_patient([patient_id])[patient_id]


def insurance_types_by_patient(patient_ids: list[int]) -> dict[int, set[InsuranceType]]:
    """``{patient id: types of the insurances on the patient's active cases}``, one query per loader."""
    types: dict[int, set[InsuranceType]] = {patient_id: set() for patient_id in patient_ids}
    if patient_ids:
        for loader in _insurance_types_loaders:
            for patient_id, found in loader(list(patient_ids)).items():
                types[patient_id] |= found
    return types


def profile_problems(patient: Patient, types: set[InsuranceType] | None = None) -> list[str]:
    """What is missing or wrong in a stored patient profile, in the front desk's words (empty: complete).

    :param types: the patient's insurance types when already known (a page of patients loads them at
        once with ``insurance_types_by_patient``); looked up otherwise.
    """
    problems = []
    if patient.sex is None:
        problems.append("Sex is missing.")
    address = patient.primary_address
    if types is None:
        types = insurance_types(patient.id) if patient.id else set()
    if address is None:
        problems.append("A primary Home address is missing.")
    else:
        for error in (primary_address_error(address.address_type.value),
                      postal_code_error(address.postal_code, nine_required=any(t.is_medicare for t in types))):
            if error:
                problems.append(error)
    phone = patient.primary_phone
    if phone is None:
        problems.append("A primary phone number is missing.")
    elif phone_error(phone.number):
        problems.append(phone_error(phone.number))
    if InsuranceType.WORKERS_COMP in types and ssn_error(patient.ssn, required=True):
        problems.append(ssn_error(patient.ssn, required=True))
    return problems


def create_patient(clinic, *, first_name: str, last_name: str, date_of_birth: date, middle_initial: str = "",
                   phone: str | None = None, phone_type: PhoneType = PhoneType.MOBILE, created_by=None) -> Patient:
    """Add a patient to ``clinic`` with a chart number; the caller validates, audits and commits."""
    patient = Patient(clinic_id=clinic.id, date_of_birth=date_of_birth,
                      created_by_id=getattr(created_by, "id", None))
    patient.set_names(first_name, middle_initial, last_name)
    if phone:
        patient.phones = [PatientPhone(phone_type=phone_type, is_primary=True, number=phone)]
    db.session.add(patient)
    db.session.flush()
    assign_chart_number(patient)
    return patient


def assign_chart_number(patient: Patient) -> None:
    if not patient.chart_number:
        patient.chart_number = f"{patient.id:06d}"
