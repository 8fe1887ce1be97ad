"""The insurance types on patients' active cases: what the billing checks on a patient profile need
(a Medicare patient needs a 9-digit ZIP code, a Workers' Comp patient an SSN)."""
from __future__ import annotations

from sqlalchemy import select

from core.cases.models import Case, CasePolicy, CaseStatus
from core.extensions import db
from core.payers import Insurance, InsuranceType


def insurance_types_of_active_cases(patient_ids: list[int]) -> dict[int, set[InsuranceType]]:
    """``{patient id: types of the insurances on the patient's active cases}`` in one query."""
    types: dict[int, set[InsuranceType]] = {patient_id: set() for patient_id in patient_ids}
    if patient_ids:
        rows = db.session.execute(
            select(Case.patient_id, Insurance.insurance_type)
            .join(CasePolicy, CasePolicy.case_id == Case.id)
            .join(Insurance, Insurance.id == CasePolicy.insurance_id)
            .where(Case.patient_id.in_(patient_ids), Case.status == CaseStatus.ACTIVE)
            .distinct()
        )
        for patient_id, insurance_type in rows:
            types[patient_id].add(insurance_type)
    return types
