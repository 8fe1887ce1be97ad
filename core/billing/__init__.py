"""Billing: the code catalogue, fee schedules, units, modifiers, the claim scrubber's rules and payments.

This first part holds the unit calculator (``units.calculate_units``, a public function tools outside
Caseload call) over the effective-dated unit numbers (``rules``). Charges on the note come next (issue 11).
"""
from core.billing.rules import UNIT_RULES, UnitRules, unit_rules_on
from core.billing.units import UnitResult, calculate_units, cms_total_units

__all__ = ["UNIT_RULES", "UnitResult", "UnitRules", "calculate_units", "cms_total_units", "unit_rules_on"]
