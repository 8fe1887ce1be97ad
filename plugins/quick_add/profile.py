"""Whether quick-added patients' profiles are complete, for a whole page of patients at once.

Core's :func:`core.patient_profile.profile_problems` is the one definition of "complete". It asks the
database for one patient's insurance types on every call, so for a page of patients this module loads
the types (and, where needed, the addresses and phones) of the whole page in a constant number of
queries and hands them over.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased, attributes

from core.cases import Case, CasePolicy, CaseStatus
from core.patients import AddressType, Patient, PatientAddress, PatientPhone, insurance_types_by_patient, profile_problems
from core.payers import Insurance, InsuranceType
from core.plugin_api import db

from .models import QuickAddPatient

MEDICARE_TYPES = tuple(t for t in InsuranceType if t.is_medicare)


def problems_by_patient(patients: list[Patient]) -> dict[int, list[str]]:
    """``{patient id: profile problems}`` for a page of patients: one query for the insurance types,
    plus at most two to load addresses and phones of the patients that do not have them loaded yet."""
    load_contact_details(patients)
    types = insurance_types_by_patient([p.id for p in patients])
    return {p.id: profile_problems(p, types=types[p.id]) for p in patients}


def load_contact_details(patients: list[Patient]) -> None:
    """Load the addresses and phones of every patient in ``patients`` whose collections are not loaded
    yet: one query each for the whole list, never one per patient."""
    for name, model in (("addresses", PatientAddress), ("phones", PatientPhone)):
        missing = [p for p in patients if name in sa_inspect(p).unloaded]
        if not missing:
            continue
        by_patient: dict[int, list] = defaultdict(list)
        for row in db.session.scalars(
            select(model).where(model.patient_id.in_([p.id for p in missing])).order_by(model.id)
        ):
            by_patient[row.patient_id].append(row)
        for patient in missing:
            attributes.set_committed_value(patient, name, by_patient.get(patient.id, []))


def incomplete_quick_adds(clinic_id: int):
    """A ``select`` of the clinic's :class:`QuickAddPatient` rows whose patient's profile is incomplete,
    most recently added first.

    The database cannot run the billing checks themselves, so this asks what they depend on: sex
    missing; no primary address, a primary address that is not Home or has no ZIP; no primary phone;
    a Medicare insurance on an active case without a 9-digit ZIP; Workers' Comp without a 9-digit SSN.
    The formats of ZIP, phone and SSN are checked where they are entered (the same billing checks on
    the patient forms), so for stored data this matches ``profile_problems(patient) != []``; the page
    lists the exact problems from ``profile_problems``.
    """
    address = aliased(PatientAddress)
    phone = aliased(PatientPhone)
    primary_address_id = (
        select(func.min(PatientAddress.id))
        .where(PatientAddress.patient_id == Patient.id, PatientAddress.is_primary.is_(True))
        .correlate(Patient)
        .scalar_subquery()
    )
    primary_phone_id = (
        select(func.min(PatientPhone.id))
        .where(PatientPhone.patient_id == Patient.id, PatientPhone.is_primary.is_(True))
        .correlate(Patient)
        .scalar_subquery()
    )
    zip_code = func.coalesce(address.postal_code, "")
    ssn = func.coalesce(Patient.ssn, "")
    incomplete = or_(
        Patient.sex.is_(None),
        address.id.is_(None),
        address.address_type != AddressType.HOME,
        zip_code == "",
        and_(_has_active_insurance(MEDICARE_TYPES), func.length(zip_code) != 9),
        phone.id.is_(None),
        and_(_has_active_insurance((InsuranceType.WORKERS_COMP,)), func.length(ssn) != 9),
    )
    return (
        select(QuickAddPatient)
        .join(Patient, Patient.id == QuickAddPatient.patient_id)
        .outerjoin(address, address.id == primary_address_id)
        .outerjoin(phone, phone.id == primary_phone_id)
        .where(QuickAddPatient.clinic_id == clinic_id, Patient.clinic_id == clinic_id, incomplete)
        .order_by(QuickAddPatient.added_at.desc(), QuickAddPatient.id.desc())
    )


def _has_active_insurance(insurance_types):
    return exists(
        select(Case.id)
        .join(CasePolicy, CasePolicy.case_id == Case.id)
        .join(Insurance, Insurance.id == CasePolicy.insurance_id)
        .where(
            Case.patient_id == Patient.id,
            Case.status == CaseStatus.ACTIVE,
            Insurance.insurance_type.in_(insurance_types),
        )
        .correlate(Patient)
    )
