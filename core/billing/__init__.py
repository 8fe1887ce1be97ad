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

And against the database:

* ``models``: the company's fee schedule and custom codes, a note's charge lines, patient payments.
* ``charge_form``: the Charge Summary rows read from the note editor's form, checked field by field.
* ``note_charges``: a note's charge context (payers, fees, custom codes, the year's Medicare spend: three
  statements), the summary computed in it, its lines kept and marked billed at finalize.
* ``scrubber``: the claim scrubber's named rules (finalize checks them, the feed will hold on them).
"""
from core.billing.catalogue import CODES, Code, code_on, codes_for
from core.billing.charge_form import FURNISHED_BY, MAX_LINES, ChargeRows, read_charge_rows
from core.billing.charges import ChargeSummary, Line, Service, charge_summary, unit_method
from core.billing.models import (
    ChargeLine,
    CustomCode,
    FeeScheduleEntry,
    Payment,
    PaymentKind,
    PaymentMethod,
    TransactionType,
)
from core.billing.modifiers import (
    ModifierCall,
    assistant_modifier,
    discipline_modifier,
    kx_modifier,
    ordered,
)
from core.billing.note_charges import (
    ChargeContext,
    NoteCharges,
    charge_context,
    compute,
    fees_on,
    lines_of,
    mark_billed,
    services_of,
    set_totals,
    store_lines,
    write_lines,
    year_spend,
)
from core.billing.rules import UNIT_RULES, UnitRules, unit_rules_on
from core.billing.scrubber import RULES, ClaimFacts, Finding, Provider, Rule, scrub
from core.billing.thresholds import MEDICARE_THRESHOLDS, Thresholds, thresholds_for
from core.billing.units import UnitResult, calculate_units, cms_total_units

__all__ = [
    "FURNISHED_BY", "MAX_LINES", "RULES", "ChargeContext", "ChargeLine", "ChargeRows", "ChargeSummary", "ClaimFacts", "CustomCode",
    "FeeScheduleEntry", "Finding", "Line", "NoteCharges", "Payment", "PaymentKind", "PaymentMethod", "Provider", "Rule",
    "Service", "TransactionType", "charge_context", "charge_summary", "compute", "fees_on", "lines_of", "mark_billed",
    "read_charge_rows", "scrub", "services_of", "set_totals", "store_lines", "write_lines", "unit_method", "year_spend",
    "CODES", "MEDICARE_THRESHOLDS", "UNIT_RULES", "Code", "ModifierCall", "Thresholds", "UnitResult", "UnitRules",
    "assistant_modifier", "calculate_units", "cms_total_units", "code_on", "codes_for", "discipline_modifier",
    "kx_modifier", "ordered", "thresholds_for", "unit_rules_on",
]
