"""Billing: the code catalogue, fee schedules, units, modifiers, the claim scrubber's rules and payments.

So far the rules, as pure functions over data (no database, no screen):

* ``units``: the unit calculator ``calculate_units`` (public: tools outside Caseload call it), over the
  effective-dated unit numbers in ``rules``.
* ``catalogue``: the CPT/HCPCS codes of PT, OT and SLP (timed or not, disciplines, Medicare flags), dated.
* ``thresholds``: Medicare's KX and targeted-review amounts by year.
* ``modifiers``: GP/GO/GN, CQ/CO with the 10% rule, KX, and the line order.
* ``ncci``: NCCI procedure-to-procedure pairs, loaded from a table in CMS's layout (``data/``).
* ``charges``: a note's Charge Summary from its services (the payers' unit method with its reason, units,
  modifiers with reasons, totals, charges in Decimal).

The Charge Summary on notes, fee schedules, custom codes, the scrubber and payments come next (issue 11).
"""
from core.billing.catalogue import CODES, Code, code_on, codes_for
from core.billing.modifiers import (
    ModifierCall,
    assistant_modifier,
    discipline_modifier,
    kx_modifier,
    ordered,
)
from core.billing.rules import UNIT_RULES, UnitRules, unit_rules_on
from core.billing.thresholds import MEDICARE_THRESHOLDS, Thresholds, thresholds_for
from core.billing.units import UnitResult, calculate_units, cms_total_units

__all__ = [
    "CODES", "MEDICARE_THRESHOLDS", "UNIT_RULES", "Code", "ModifierCall", "Thresholds", "UnitResult", "UnitRules",
    "assistant_modifier", "calculate_units", "cms_total_units", "code_on", "codes_for", "discipline_modifier",
    "kx_modifier", "ordered", "thresholds_for", "unit_rules_on",
]
