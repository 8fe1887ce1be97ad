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
    MAX_MODIFIERS,
    TOGETHER,
    ModifierCall,
    assistant_modifier,
    discipline_modifier,
    kx_modifier,
    ordered,
)
from core.billing.ncci import Pair, pairs_among
from core.billing.units import UnitResult, calculate_units, cms_total_units
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
    pointers: tuple[int, ...] = ()  # the note's diagnoses (1-based) the line points to
    units_entered: int | None = None  # the clinician's own count; None: the computed one
    ncci_confirmed: bool = False  # Medicare: the therapist confirms 59 on an NCCI pair's column-two code
    chosen_modifiers: tuple[str, ...] = ()  # Additional Modifiers the clinician put on the line


@dataclass
class Line:
    code: str
    minutes: int
    units: int
    modifiers: list[str]
    reasons: list[str]
    review: bool = False
    charge: Decimal = Decimal("0")
    computed_units: int = 0
    amount: Decimal = Decimal("0")
    derivation: str = ""
    description: str = ""
    ncci: Pair | None = None  # the NCCI pair this line is the column-two code of
    service: Service | None = None
    tie_units: frozenset[int] = frozenset()  # every count a correct allocation gives the line (CMS ties: several)
    dropped: list[str] = field(default_factory=list)  # chosen modifiers left off: a line carries at most four


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
    choice: int = 0  # the allocation used: 0 the default, k the k-th of ``units.alternatives``
    pairs: list[Pair] = field(default_factory=list)  # NCCI pairs among the billed codes

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def allocations(self) -> list[dict[str, int]]:
        """The default allocation, then the tied alternatives (the clinician's choice)."""
        return [self.units.units, *self.units.alternatives]


def _ncci_call(line_code: str, pairs: list[Pair], service: Service, *, medicare: bool, ncci_auto: bool) -> tuple[ModifierCall, Pair | None]:
    pair = next((p for p in pairs if p.column_2 == line_code), None)
    if pair is None or not pair.modifier_allowed:
        return ModifierCall(None, ""), pair
    other = pair.column_1
    if medicare and service.ncci_confirmed:
        return ModifierCall("59", f"59: {line_code} with {other} is an NCCI pair; the therapist confirmed separate "
                                  "15-minute blocks."), pair
    if not medicare and ncci_auto:
        return ModifierCall("59", f"59: {line_code} with {other} is an NCCI pair (added: the insurance has 59 "
                                  "among its Additional Modifiers)."), pair
    return ModifierCall(None, ""), pair


def charge_summary(services: list[Service], *, discipline: str, day: date, method: UnitCalculation, method_reason: str,
                   medicare: bool, spent_this_year: Decimal = Decimal("0"), case_applies_kx: bool = False,
                   choice: int = 0, ncci_auto: bool = False, pairs: tuple[Pair, ...] | None = None) -> ChargeSummary:
    """The Charge Summary of ``services`` given on ``day`` under ``discipline``'s plan of care.

    :param spent_this_year: the patient's Medicare therapy charges this year in the discipline's group before
        this note (Caseload's finalized charges plus what the case says was used elsewhere).
    :param choice: a CMS tie: which allocation the clinician picked (0: the default; k: the k-th alternative).
    :param ncci_auto: a non-Medicare payer with 59 among its Additional Modifiers: NCCI pairs get 59 added.
    :param pairs: the NCCI table (default: ``core.billing.ncci``'s loaded one).
    """
    known = {s.code: code_on(s.code, day) for s in services}
    unknown = [code for code, entry in known.items() if entry is None]
    timed = {s.code: s.minutes for s in services if known[s.code] is not None and known[s.code].timed}
    untimed = [s.code for s in services if known[s.code] is not None and not known[s.code].timed]
    units = calculate_units(method, timed, untimed)
    allocations = [units.units, *units.alternatives]
    choice = choice if 0 <= choice < len(allocations) else 0
    allocation = allocations[choice]
    billed_codes = [code for code, count in allocation.items() if count > 0]
    in_force = pairs_among(billed_codes, day, pairs)
    spent, lines, warnings = spent_this_year, [], []
    for service in services:
        entry = known[service.code]
        if entry is None:
            continue
        computed = allocation.get(service.code, 0)
        count = service.units_entered if service.units_entered is not None else computed
        calls: list[ModifierCall] = [discipline_modifier(discipline), assistant_modifier(
            discipline, service.furnished_by, service.minutes,
            service.assistant_minutes if service.furnished_by == TOGETHER else service.minutes,
            timed=entry.timed, medicare=medicare)]
        ncci, pair = _ncci_call(service.code, in_force, service, medicare=medicare, ncci_auto=ncci_auto)
        calls.append(ncci)
        charge = service.amount * count
        kx, warning = kx_modifier(day.year, discipline, spent, charge, medicare=medicare, case_applies_kx=case_applies_kx)
        calls.append(kx)
        if warning and warning not in warnings:
            warnings.append(warning)
        spent += charge
        required = list(dict.fromkeys(c.modifier for c in calls if c.modifier))
        extra = [m for m in dict.fromkeys(service.chosen_modifiers) if m and m not in required]
        room = max(0, MAX_MODIFIERS - len(required))
        lines.append(Line(
            code=service.code, minutes=service.minutes, units=count, modifiers=ordered(required + extra[:room]),
            reasons=[c.reason for c in calls if c.modifier] + [f"{m}: added by the clinician." for m in extra[:room]],
            review=any(c.review for c in calls), charge=charge, computed_units=computed, amount=service.amount,
            derivation=_derivation(service, entry.timed, computed, count, units, method, day),
            description=entry.description, ncci=pair, service=service,
            tie_units=frozenset(a.get(service.code, 0) for a in allocations), dropped=extra[room:]))
    total_timed = sum(timed.values())
    return ChargeSummary(method=method, method_reason=method_reason, lines=lines, units=units,
                         total_timed_minutes=total_timed,
                         total_treatment_minutes=total_timed + sum(s.minutes for s in services if s.code in untimed),
                         warnings=warnings, unknown_codes=unknown, choice=choice, pairs=in_force)


def _derivation(service: Service, timed: bool, computed: int, count: int, units: UnitResult, method: UnitCalculation,
                day: date) -> str:
    """One line's derivation as stored on it ("97112 24 min → 2 units (the day's 47 timed minutes → 3 units, CMS
    8-minute rule)")."""
    plural = "s" if computed != 1 else ""
    if not timed:
        text = f"{service.code}: untimed, 1 unit whatever the minutes"
    elif method is UnitCalculation.EIGHT_MINUTE_RULE:
        total = units.total_timed_minutes
        day_units = cms_total_units(total, day)
        text = (f"{service.code} {service.minutes} min → {computed} unit{plural} (the day's {total} timed minutes → "
                f"{day_units} unit{'s' if day_units != 1 else ''}, CMS 8-minute rule)")
    else:
        text = f"{service.code} {service.minutes} min → {computed} unit{plural} (Rule of 8s: each code on its own)"
    if count != computed:
        text += f"; {count} entered by the clinician"
    return text
