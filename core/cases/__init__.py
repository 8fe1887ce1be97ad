"""Cases: a patient's episode of care with its therapist, referral, policies (primary, secondary) and
authorizations; New Case, Edit Case and Change Insurance (``/patients/<id>/cases/…``); the chart's Cases
section. Tells ``core.patients`` the insurance types of a patient's active cases."""
from core.cases import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.cases.insurance_types import insurance_types_of_active_cases
from core.cases.models import (
    PLACES_OF_SERVICE,
    Authorization,
    Case,
    CasePolicy,
    CaseStatus,
    Discipline,
    InsuredRelationship,
    PolicyRank,
    RelatedCause,
)
from core.cases.therapists import active_therapists
from core.patients import provide_insurance_types

provide_insurance_types(insurance_types_of_active_cases)

__all__ = [
    "Authorization", "Case", "CasePolicy", "CaseStatus", "Discipline", "InsuredRelationship",
    "PLACES_OF_SERVICE", "PolicyRank", "RelatedCause", "active_therapists", "insurance_types_of_active_cases",
]
