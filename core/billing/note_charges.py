"""A note's Charge Summary against the database: what the case's payers and the company say (``ChargeContext``,
three statements whatever the lines or the patient's history), the summary computed from it, and its lines kept
(``store_lines``; ``mark_billed`` when the note is finalized and goes to billing).

Billing sits below notes: the caller (core.notes) hands in the case, the note's id, date and diagnoses count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, delete, func, insert, select, update

from core.billing.charges import ChargeSummary, Line, Service, charge_summary, unit_method
from core.billing.models import ChargeLine, CustomCode, FeeScheduleEntry
from core.cases import PolicyRank
from core.extensions import db
from core.payers import InsuranceType, UnitCalculation

GROUPS = {"PT": ("PT", "SLP"), "SLP": ("PT", "SLP"), "OT": ("OT",)}
"""Medicare's therapy thresholds: PT and SLP share one, OT has its own."""


@dataclass
class ChargeContext:
    """What a note's charges depend on besides its own lines."""

    day: date
    discipline: str
    method: UnitCalculation
    method_reason: str
    medicare: bool
    self_pay: bool
    fees: dict[str, Decimal]
    custom_codes: dict[str, CustomCode]
    spent: Decimal  # Medicare therapy charges of the year in the discipline's group before this note
    spent_here: Decimal  # of which Caseload's own finalized charges
    spent_elsewhere: Decimal  # the case's "Medicare threshold amount used"
    case_applies_kx: bool
    additional_modifiers: tuple[str, ...]  # created by the company and enabled by the primary insurance
    place_of_service: str = "11"

    @property
    def ncci_auto(self) -> bool:
        return not self.medicare and "59" in self.additional_modifiers


@dataclass
class NoteCharges:
    """The computed Charge Summary of a note: the catalogue lines (``summary``) and the custom-code lines,
    in the order entered."""

    context: ChargeContext
    summary: ChargeSummary
    lines: list[Line] = field(default_factory=list)

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def total_units(self) -> int:
        return sum(line.units for line in self.lines)


@cache
def _fees_statement():
    return (select(FeeScheduleEntry.code, FeeScheduleEntry.amount)
            .where(FeeScheduleEntry.company_id == bindparam("company_id"), FeeScheduleEntry.effective_from <= bindparam("day"),
                   (FeeScheduleEntry.effective_to.is_(None)) | (FeeScheduleEntry.effective_to >= bindparam("day")))
            .order_by(FeeScheduleEntry.effective_from))


@cache
def _spend_statement():
    return select(func.coalesce(func.sum(ChargeLine.charge), 0)).where(
        ChargeLine.patient_id == bindparam("patient_id"), ChargeLine.billed.is_(True), ChargeLine.medicare.is_(True),
        ChargeLine.date_of_service >= bindparam("year_start"), ChargeLine.date_of_service <= bindparam("year_end"),
        ChargeLine.discipline.in_(bindparam("group", expanding=True)), ChargeLine.note_id != bindparam("note_id"))


def fees_on(company_id: int, day: date) -> dict[str, Decimal]:
    """The company's charge per unit for each code on ``day`` (the latest entry in force wins)."""
    return {code: Decimal(amount) for code, amount in db.session.execute(_fees_statement(), {"company_id": company_id, "day": day})}


def active_custom_codes(company_id: int) -> dict[str, CustomCode]:
    return {c.code: c for c in db.session.scalars(
        select(CustomCode).where(CustomCode.company_id == company_id, CustomCode.active.is_(True)).order_by(CustomCode.code))}


def year_spend(patient_id: int, discipline: str, year: int, *, exclude_note_id: int = 0) -> Decimal:
    """The patient's billed Medicare therapy charges of ``year`` in ``discipline``'s threshold group (one statement)."""
    return Decimal(db.session.scalar(_spend_statement(), {
        "patient_id": patient_id, "year_start": date(year, 1, 1), "year_end": date(year, 12, 31),
        "group": list(GROUPS[discipline]), "note_id": exclude_note_id}) or 0)


def charge_context(case, company, day: date, *, note_id: int = 0) -> ChargeContext:
    """The context of a note on ``case`` dated ``day`` (``case.policies`` with their insurances loaded)."""
    primary, secondary = case.policy(PolicyRank.PRIMARY), case.policy(PolicyRank.SECONDARY)
    method, reason = unit_method(primary.insurance.unit_calculation if primary else None,
                                 secondary.insurance.unit_calculation if secondary else None, company.payer_rule)
    medicare = any(p.insurance.insurance_type.is_medicare for p in case.policies)
    discipline = case.discipline.value
    here = year_spend(case.patient_id, discipline, day.year, exclude_note_id=note_id) if medicare else Decimal("0")
    elsewhere = Decimal(case.medicare_threshold_used or 0) if medicare and (
        case.medicare_threshold_year in (None, day.year)) else Decimal("0")
    enabled = set(primary.insurance.enabled_modifiers or []) if primary else set()
    additional = tuple(m for m in (company.additional_modifiers or []) if m in enabled)
    return ChargeContext(
        day=day, discipline=discipline, method=method, method_reason=reason, medicare=medicare,
        self_pay=primary is not None and primary.insurance.insurance_type is InsuranceType.SELF_PAY,
        fees=fees_on(company.id, day), custom_codes=active_custom_codes(company.id),
        spent=here + elsewhere, spent_here=here, spent_elsewhere=elsewhere, case_applies_kx=bool(case.apply_kx_modifier),
        additional_modifiers=additional, place_of_service=case.place_of_service)


def compute(context: ChargeContext, services: list[Service], custom: dict[int, str] | None = None, choice: int = 0) -> NoteCharges:
    """The Charge Summary of ``services`` (``custom``: the positions that are custom codes) in ``context``."""
    custom = custom or {}
    therapy = [_priced(s, context.fees.get(s.code, Decimal("0"))) for i, s in enumerate(services) if i not in custom]
    summary = charge_summary(therapy, discipline=context.discipline, day=context.day, method=context.method,
                             method_reason=context.method_reason, medicare=context.medicare,
                             spent_this_year=context.spent, case_applies_kx=context.case_applies_kx, choice=choice,
                             ncci_auto=context.ncci_auto)
    by_code = {line.code: line for line in summary.lines}
    lines = []
    for i, service in enumerate(services):
        if i in custom:
            lines.append(_custom_line(service, context.custom_codes[custom[i]]))
        elif service.code in by_code:
            lines.append(by_code[service.code])
    return NoteCharges(context=context, summary=summary, lines=lines)


def _priced(service: Service, amount: Decimal) -> Service:
    return Service(service.code, service.minutes, service.furnished_by, service.assistant_minutes, amount, service.pointers,
                   service.units_entered, service.ncci_confirmed, service.chosen_modifiers)


def _custom_line(service: Service, code: CustomCode) -> Line:
    count = service.units_entered if service.units_entered is not None else 1
    amount = Decimal(code.amount)
    compared = f", compares to CPT {code.comparative_code}" if code.comparative_code else ""
    return Line(code=code.code, minutes=service.minutes, units=count, modifiers=list(service.chosen_modifiers), reasons=[],
                charge=amount * count, computed_units=1, amount=amount, description=code.description, service=service,
                derivation=f"{code.code}: custom code, {count} × ${amount:,.2f}{compared}", tie_units=frozenset({1, count}))


def store_lines(note, charges: NoteCharges | None) -> None:
    """Keep ``charges`` as the note's charge lines (None or Do Not Bill: none), with its totals on the note.
    Two statements (the old lines out, the new ones in); the caller commits."""
    set_totals(note, charges)
    write_lines(note, charges)


def set_totals(note, charges: NoteCharges | None) -> None:
    """The Charge Summary's totals, unit method and tie choice on the note (attributes only: no statement)."""
    if charges is None:
        note.total_timed_minutes = note.total_treatment_minutes = 0
        return
    summary = charges.summary
    note.total_timed_minutes, note.total_treatment_minutes = summary.total_timed_minutes, summary.total_treatment_minutes
    note.unit_method, note.unit_method_reason, note.unit_choice = summary.method.value, summary.method_reason[:400], summary.choice


def write_lines(note, charges: NoteCharges | None, *, billed: bool = False) -> None:
    """The note's lines replaced by ``charges``' (two statements). Finalize writes them after the note's own
    versioned UPDATE, so a second finalize at the same moment stops there, before touching the lines."""
    db.session.execute(delete(ChargeLine).where(ChargeLine.note_id == note.id))
    if charges is None:
        return
    context = charges.context
    rows = [{
        "note_id": note.id, "clinic_id": note.clinic_id, "patient_id": note.patient_id, "date_of_service": context.day,
        "discipline": context.discipline, "medicare": context.medicare, "billed": billed, "position": position,
        "code": line.code, "custom": line.code in context.custom_codes, "description": line.description[:120],
        "minutes": line.minutes, "furnished_by": line.service.furnished_by, "assistant_minutes": line.service.assistant_minutes,
        "diagnosis_pointers": list(line.service.pointers), "units_entered": line.service.units_entered,
        "ncci_confirmed": line.service.ncci_confirmed, "chosen_modifiers": list(line.service.chosen_modifiers),
        "units": line.units, "modifiers": line.modifiers, "reasons": line.reasons, "derivation": line.derivation,
        "review": line.review, "unit_amount": line.amount, "charge": line.charge,
    } for position, line in enumerate(charges.lines)]
    if rows:
        db.session.execute(insert(ChargeLine), rows)


def services_of(lines: list[ChargeLine]) -> tuple[list[Service], dict[int, str]]:
    """The stored lines back as services (to recompute them), with the custom-code positions."""
    services = [Service(line.code, line.minutes, line.furnished_by, line.assistant_minutes, Decimal("0"),
                        tuple(line.diagnosis_pointers or ()), line.units_entered, line.ncci_confirmed,
                        tuple(line.chosen_modifiers or ())) for line in lines]
    return services, {i: line.code for i, line in enumerate(lines) if line.custom}


def lines_of(note_id: int) -> list[ChargeLine]:
    return list(db.session.scalars(select(ChargeLine).where(ChargeLine.note_id == note_id).order_by(ChargeLine.position)))


def mark_billed(note_id: int, billed: bool = True) -> None:
    """The note was finalized and goes to billing (or, False, not): its lines count in spend and the ledger."""
    db.session.execute(update(ChargeLine).where(ChargeLine.note_id == note_id).values(billed=billed)
                       .execution_options(synchronize_session=False))
