"""Payers: the company's insurances (type, payer ID, unit calculation, modifiers, plugin settings) and
its referring physicians. Screens under ``/settings/insurances`` and ``/settings/referring-physicians``."""
from core.payers import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.payers import modifiers as _modifiers  # noqa: F401  (connects its signal receiver)
from core.payers.models import Insurance, InsuranceType, ReferringPhysician, UnitCalculation

__all__ = ["Insurance", "InsuranceType", "ReferringPhysician", "UnitCalculation"]
