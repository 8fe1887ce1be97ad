"""A note's Charge Summary, computed: the unit method the case's payers call for, each line's units from
``calculate_units``, its modifiers with their reasons, and the totals a treatment note must show (total
timed minutes, total treatment time). Pure: the caller hands in what the note and the case hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.billing.catalogue import code_on
from core.billing.modifiers import (
    TOGETHER,
    ModifierCall,
    assistant_modifier,
    discipline_modifier,
    kx_modifier,
    ordered,
)
from core.billing.units import UnitResult, calculate_units
from core.payers import UnitCalculation

PAYER_RULES = {"eight_minute": UnitCalculation.EIGHT_MINUTE_RULE, "rule_of_eights": UnitCalculation.RULE_OF_EIGHTS}


def unit_method(primary: UnitCalculation | None, secondary: UnitCalculation | None, payer_rule: str) -> tuple[UnitCalculation, str]:
    """The unit calculation a note follows and why (the words shown on the note).

    :param primary: the primary insurance's unit calculation (None: no insurance, Self Pay).
    :param secondary: the secondary insurance's, or None.
    :param payer_rule: Company Settings, Payer Rules: ``"primary"``, ``"eight_minute"`` or ``"rule_of_eights"``.
    """
    if primary is None:
        return UnitCalculation.EIGHT_MINUTE_RULE, "No insurance on the case: the 8-Minute Rule."
    if secondary is None or secondary is primary:
        return primary, f"The primary insurance uses the {primary.value}."
    if payer_rule in PAYER_RULES:
        chosen = PAYER_RULES[payer_rule]
        return chosen, (f"The primary insurance uses the {primary.value} and the secondary the {secondary.value}: "
                        f"Company Settings (Payer Rules) say always the {chosen.value}.")
    return primary, (f"The primary insurance uses the {primary.value} and the secondary the {secondary.value}: "
                     f"Company Settings (Payer Rules) say the primary insurance's rule, the {primary.value}.")


@dataclass(frozen=True)
class Service:
    """One service documented on the note."""

    code: str
    minutes: int = 0
    furnished_by: str = "therapist"  # "therapist", "assistant" (alone) or "together"
    assistant_minutes: int = 0  # with "together": the assistant's minutes independent of the therapist
    amount: Decimal = Decimal("0")  # the fee schedule's charge per unit


@dataclass
class Line:
    code: str
    minutes: int
    units: int
    modifiers: list[str]
    reasons: list[str]
    review: bool = False
    charge: Decimal = Decimal("0")


@dataclass
class ChargeSummary:
    method: UnitCalculation
    method_reason: str
    lines: list[Line]
    units: UnitResult
    total_timed_minutes: int
    total_treatment_minutes: int
    warnings: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))


def charge_summary(services: list[Service], *, discipline: str, day: date, method: UnitCalculation, method_reason: str,
                   medicare: bool, spent_this_year: Decimal = Decimal("0"), case_applies_kx: bool = False) -> ChargeSummary:
    """The Charge Summary of ``services`` given on ``day`` under ``discipline``'s plan of care.

    :param spent_this_year: the patient's Medicare therapy charges this year in the discipline's group before
        this note (Caseload's finalized charges plus what the case says was used elsewhere).
    """
    known = {s.code: code_on(s.code, day) for s in services}
    unknown = [code for code, entry in known.items() if entry is None]
    timed = {s.code: s.minutes for s in services if known[s.code] is not None and known[s.code].timed}
    untimed = [s.code for s in services if known[s.code] is not None and not known[s.code].timed]
    units = calculate_units(method, timed, untimed)
    spent, lines, warnings = spent_this_year, [], []
    for service in services:
        if known[service.code] is None:
            continue
        count = units.units.get(service.code, 0)
        calls: list[ModifierCall] = [discipline_modifier(discipline), assistant_modifier(
            discipline, service.furnished_by, service.minutes,
            service.assistant_minutes if service.furnished_by == TOGETHER else service.minutes,
            timed=known[service.code].timed, medicare=medicare)]
        charge = service.amount * count
        kx, warning = kx_modifier(day.year, discipline, spent, charge, medicare=medicare, case_applies_kx=case_applies_kx)
        calls.append(kx)
        if warning and warning not in warnings:
            warnings.append(warning)
        spent += charge
        lines.append(Line(code=service.code, minutes=service.minutes, units=count,
                          modifiers=ordered(c.modifier for c in calls), reasons=[c.reason for c in calls if c.modifier],
                          review=any(c.review for c in calls), charge=charge))
    total_timed = sum(timed.values())
    return ChargeSummary(method=method, method_reason=method_reason, lines=lines, units=units,
                         total_timed_minutes=total_timed,
                         total_treatment_minutes=total_timed + sum(s.minutes for s in services if s.code in untimed),
                         warnings=warnings, unknown_codes=unknown)
