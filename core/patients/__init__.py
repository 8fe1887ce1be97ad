"""Patients: the profile, its completeness for the billing system, the billing checks made at entry, the
Patient Manager (``/patients``), Add/Edit Patient, and the chart with its account and sticky notes.

The chart's Cases section comes from ``core.cases`` (a template helper it offers), and the patient's
insurance types from the loader ``core.cases`` registers with ``profile.provide_insurance_types``:
patients sits below cases and never imports it.
"""
from core.patients import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.patients.duplicates import DIFFERENT_PERSON_LABEL, PossibleDuplicate, possible_duplicates
from core.patients.entry_checks import (
    authorization_number_error,
    date_range_error,
    primary_address_error,
    ssn_error,
)
from core.patients.models import (
    AccountNote,
    AddressType,
    Patient,
    PatientAddress,
    PatientPhone,
    PhoneType,
    Sex,
    patient_search,
    patient_search_statement,
)
from core.patients.profile import (
    assign_chart_number,
    create_patient,
    insurance_types,
    insurance_types_by_patient,
    profile_problems,
    provide_insurance_types,
)

__all__ = [
    "AccountNote", "AddressType", "DIFFERENT_PERSON_LABEL", "Patient", "PatientAddress", "PatientPhone",
    "PhoneType", "PossibleDuplicate", "Sex", "assign_chart_number", "authorization_number_error",
    "create_patient", "date_range_error", "insurance_types", "insurance_types_by_patient", "patient_search", "patient_search_statement",
    "possible_duplicates", "primary_address_error", "profile_problems", "provide_insurance_types",
    "ssn_error",
]
