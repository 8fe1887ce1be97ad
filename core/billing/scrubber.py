"""The claim scrubber: one registry of named rules over a visit's claim facts. The note editor runs it as the
Charge Summary changes, finalize runs it again (a core finalize check), and the billing feed holds a charge on
the same rules and Billing Exceptions lists them: write a rule once, here.

A rule has a stable ``code`` (``billing.zip_invalid``), a ``title`` for lists, the ``screen`` where it is fixed
(``note``, ``patient``, ``case``, ``user``, ``physician``, ``fee_schedule``) and whether it ``blocks``. Its check
takes :class:`ClaimFacts` and yields ``(message, field)`` pairs: the message in a therapist's words, the field of
that screen to fix (None: the screen as a whole); a third item, when given, overrides ``blocking`` for that
finding. Facts are plain values the caller gathers (core.notes for a note, the feed for a finalized one), so
the rules read no database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from core.billing.catalogue import code_on
from core.billing.modifiers import ASSISTANT_MODIFIERS
from core.billing.note_charges import NoteCharges
from core.billing.thresholds import thresholds_for
from core.patients import primary_address_error, ssn_error
from core.payers import InsuranceType
from core.web import npi_error, phone_error, postal_code_error


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    screen: str
    blocking: bool
    check: Callable[["ClaimFacts"], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Finding:
    """One rule's finding on one visit."""

    code: str
    message: str
    screen: str
    field: str | None
    blocking: bool


@dataclass
class Provider:
    """The rendering provider (the therapist the visit is billed under)."""

    id: int
    name: str
    npi: str | None


@dataclass
class ClaimFacts:
    """What the rules read about one visit."""

    patient: object  # core.patients.Patient with addresses and phones
    case: object  # core.cases.Case with policies (and insurances), authorizations, referring physician
    day: date
    billable: bool  # a billable note type, not Do Not Bill
    charges: NoteCharges | None
    diagnoses: list[tuple[str, bool]] = field(default_factory=list)  # (code, valid on the date) in claim order
    rendering: Provider | None = None
    is_daily_note: bool = False
    plan_end: date | None = None  # the plan of care in force ends (Medicare: the certification's end), daily notes
    plan_expired_blocks: bool = True  # Company Settings, Plan of Care Alerts: a hard stop, or a warning
    referral_required: bool = False  # Clinic Settings: a referral for every new patient

    @property
    def policies(self):
        return list(self.case.policies)

    @property
    def medicare(self) -> bool:
        return any(p.insurance.insurance_type.is_medicare for p in self.policies)


RULES: dict[str, Rule] = {}


def rule(code: str, title: str, screen: str, *, blocking: bool = True):
    """Register the decorated check as the rule ``code``."""
    def register(check):
        RULES[code] = Rule(code, title, screen, blocking, check)
        return check
    return register


def scrub(facts: ClaimFacts, codes: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the rules (or only ``codes``) on ``facts``, blocking ones first, in rule order."""
    if not facts.billable:
        return []
    chosen = [RULES[c] for c in codes] if codes is not None else list(RULES.values())
    found = [Finding(r.code, said[0], r.screen, said[1], said[2] if len(said) > 2 else r.blocking)
             for r in chosen for said in r.check(facts)]
    return sorted(found, key=lambda f: not f.blocking)


# -- the patient -----------------------------------------------------------------------------------
@rule("billing.patient_incomplete", "Patient profile incomplete", "patient")
def _profile(facts):
    patient = facts.patient
    if patient.sex is None:
        yield "The patient's sex is missing from the profile.", "sex"
    if patient.primary_address is None:
        yield "The patient has no primary Home address.", "address_line1"
    if patient.primary_phone is None:
        yield "The patient has no primary phone number.", "phone"


@rule("billing.address_not_home", "Primary address not Home", "patient")
def _home(facts):
    address = facts.patient.primary_address
    if address is not None and (error := primary_address_error(address.address_type.value)):
        yield error, "address_type"


@rule("billing.zip_invalid", "ZIP code not 9 digits for Medicare", "patient")
def _zip(facts):
    address = facts.patient.primary_address
    if address is not None and (error := postal_code_error(address.postal_code, nine_required=facts.medicare)):
        yield error, "postal_code"


@rule("billing.phone_invalid", "Billing phone invalid (extension)", "patient")
def _phone(facts):
    phone = facts.patient.primary_phone
    if phone is not None and (error := phone_error(phone.number)):
        yield error, "phone"


@rule("billing.workers_comp", "Workers' Comp without SSN or claim number", "patient")
def _workers_comp(facts):
    comp = [p for p in facts.policies if p.insurance.insurance_type is InsuranceType.WORKERS_COMP]
    if comp and (error := ssn_error(facts.patient.ssn, required=True)):
        yield error, "ssn"
    for policy in comp:
        if not (policy.claim_number or "").strip():
            yield f"{policy.insurance.name}: Workers' Comp needs the claim number on the case's policy.", "claim_number"


# -- the case: policies, authorization, referral ---------------------------------------------------
@rule("billing.policy_dates", "Date of service outside the policy", "case")
def _policy_dates(facts):
    if not facts.policies:
        yield "The case has no insurance policy: add one (Self Pay for a patient who pays).", None
    for policy in facts.policies:
        if policy.start_date is None or policy.end_date is None:
            yield f"The {policy.rank.value.lower()} policy needs its start and end dates.", "start_date"
        elif not (policy.start_date <= facts.day <= policy.end_date):
            yield (f"The date of service is outside the {policy.rank.value.lower()} policy's dates "
                   f"({policy.start_date:%m/%d/%Y} to {policy.end_date:%m/%d/%Y})."), "start_date"


@rule("billing.authorization", "Authorization missing, used up or expired", "case", blocking=False)
def _authorization(facts):
    needed = any(p.insurance.authorization_required for p in facts.policies)
    covering = [a for a in facts.case.authorizations if a.start_date <= facts.day <= a.end_date]
    if not covering:
        if needed:
            expired = [a for a in facts.case.authorizations if a.end_date < facts.day]
            yield ((f"Authorization {expired[-1].number} expired on {expired[-1].end_date:%m/%d/%Y}: add the new "
                    "authorization on the case.") if expired else
                   "The insurance requires an authorization and none covers the date of service: add it on the case."), None
        return
    if all(a.visits_remaining <= 0 for a in covering):
        a = covering[0]
        yield (f"Authorization {a.number} has no visits left ({a.visits_used} of {a.visits_authorized} used): this visit "
               "goes over it."), None


@rule("billing.referral_missing", "Referral required but missing", "case")
def _referral(facts):
    if facts.referral_required and facts.case.referring_physician is None:
        yield "This clinic requires a referral: add the referring physician on the case.", "referring_physician_id"


# -- providers -------------------------------------------------------------------------------------
@rule("billing.rendering_npi", "Rendering provider without NPI", "user")
def _rendering(facts):
    provider = facts.rendering
    if provider is not None and (not provider.npi or npi_error(provider.npi)):
        yield (f"{provider.name} has no valid NPI: a claim needs the rendering provider's NPI (User Manager)."), "npi"


@rule("billing.referring_npi", "Referring physician without a valid NPI", "physician")
def _referring(facts):
    physician = facts.case.referring_physician
    if physician is not None and (error := npi_error(physician.npi or "")):
        yield f"The referring physician {physician.name}: {error}", "npi"


# -- diagnoses and codes ---------------------------------------------------------------------------
@rule("billing.diagnoses", "Diagnoses missing, invalid or not pointed to", "note")
def _diagnoses(facts):
    if not facts.diagnoses:
        yield "The claim has no diagnosis: add the ICD-10-CM diagnoses to the plan of care.", None
        return
    for position, (code, valid) in enumerate(facts.diagnoses, start=1):
        if not valid:
            yield f"Diagnosis {position} ({code}) is not a billable ICD-10-CM code on the date of service.", None
    for i, line in enumerate(_lines(facts)):
        if not line.service.pointers:
            yield f"{line.code}: point it to at least one of the diagnoses.", f"c_dx-{i}"
        elif max(line.service.pointers) > len(facts.diagnoses):
            yield f"{line.code}: it points to a diagnosis the claim does not have.", f"c_dx-{i}"


@rule("billing.no_charges", "Billable note without charges", "note")
def _no_charges(facts):
    if not _lines(facts):
        yield "Add the services given (CPT codes with their minutes), or check Do Not Bill.", "c_code-0"


@rule("billing.discipline_code", "Code the discipline may not bill", "note")
def _discipline(facts):
    for i, line in enumerate(_lines(facts)):
        entry = code_on(line.code, facts.day)
        if entry is not None and facts.charges.context.discipline not in entry.disciplines:
            yield (f"{line.code} ({entry.description}) is not billed under a {facts.charges.context.discipline} plan of care."), f"c_code-{i}"


@rule("billing.medicare_code", "Medicare-bundled or not-recognised code", "note")
def _medicare_codes(facts):
    if not facts.medicare:
        return
    for i, line in enumerate(_lines(facts)):
        entry = code_on(line.code, facts.day)
        if entry is None:
            continue
        if entry.medicare_bundled:
            yield (f"{line.code} ({entry.description}) is bundled for Medicare: it is never paid separately and the patient "
                   "cannot be billed for it. Take it off the Charge Summary."), f"c_code-{i}"
        if entry.medicare_instead:
            yield f"Medicare does not recognise {line.code}: bill {entry.medicare_instead} instead.", f"c_code-{i}"


@rule("billing.units_minutes", "Billed units disagree with the minutes", "note")
def _units(facts):
    charges = facts.charges
    for i, line in enumerate(_lines(facts)):
        if line.code in charges.context.custom_codes:
            continue
        if line.units not in line.tie_units:
            yield (f"{line.code}: {line.units} unit{'s' if line.units != 1 else ''} entered, but {line.minutes} minutes give "
                   f"{line.computed_units} by the {charges.summary.method.value}. Clear the units to bill the computed ones."), f"c_units-{i}"


@rule("billing.zero_fee", "No fee schedule amount", "fee_schedule", blocking=False)
def _fees(facts):
    for line in _lines(facts):
        if line.units and not line.amount:
            yield f"{line.code} has no amount in the fee schedule on {facts.day:%m/%d/%Y}: its charge is $0.00.", None


# -- modifiers -------------------------------------------------------------------------------------
@rule("billing.kx", "KX: past the Medicare threshold", "note", blocking=False)
def _kx(facts):
    charges = facts.charges
    if not facts.medicare or charges is None:
        return
    kx_lines = [line for line in charges.lines if "KX" in line.modifiers]
    if kx_lines and not charges.context.case_applies_kx:
        limits = thresholds_for(facts.day.year)
        threshold = limits.kx_ot if charges.context.discipline == "OT" else limits.kx_pt_slp
        yield (f"KX is on this visit's lines: the patient's therapy this year passes the ${threshold:,.0f} threshold. "
               "The note must show why continued therapy is medically necessary."), None
    for warning in charges.summary.warnings:
        yield warning, None


@rule("billing.assistant_modifier", "CQ/CO to review", "note", blocking=False)
def _assistant(facts):
    modifier = ASSISTANT_MODIFIERS.get(facts.charges.context.discipline if facts.charges else "", "CQ/CO")
    for i, line in enumerate(_lines(facts)):
        if line.review:
            yield (f"{line.code}: {modifier} was added because the assistant furnished more than 10% of it; check the "
                   "split of this line's units between therapist and assistant."), f"c_asst-{i}"


@rule("billing.ncci", "NCCI pair without its modifier", "note")
def _ncci(facts):
    for i, line in enumerate(_lines(facts)):
        pair = line.ncci
        if pair is None or line.units == 0:
            continue
        if not pair.modifier_allowed:
            yield (f"{line.code} cannot be billed with {pair.column_1} on the same day (NCCI pair, no modifier allowed): "
                   f"take {line.code} off."), f"c_code-{i}"
        elif not any(m in line.modifiers for m in ("59", "XE", "XS", "XP", "XU")):
            if facts.medicare:
                yield (f"{line.code} with {pair.column_1} is an NCCI pair: if they were done in distinct 15-minute blocks, "
                       f"confirm 59 on {line.code}; otherwise take {line.code} off."), f"c_ncci-{i}"
            else:  # a payer without 59 among its Additional Modifiers: it may deny the line; not a stop
                yield (f"{line.code} with {pair.column_1} is an NCCI pair: the payer may deny {line.code} without 59, and "
                       "59 is not among this insurance's Additional Modifiers."), f"c_code-{i}", False


@rule("billing.modifiers_dropped", "More than four modifiers", "note", blocking=False)
def _dropped(facts):
    for i, line in enumerate(_lines(facts)):
        if line.dropped:
            yield f"{line.code}: a line carries at most four modifiers; {', '.join(line.dropped)} left off.", f"c_mod-{i}"


# -- the plan of care ------------------------------------------------------------------------------
@rule("billing.plan_expired", "Daily note after the plan of care ended", "note")
def _plan(facts):
    if facts.is_daily_note and facts.plan_end is not None and facts.day > facts.plan_end:
        yield (f"The plan of care expired on {facts.plan_end:%m/%d/%Y}: write a Progress Note / Re-Certification with a new "
               "plan before billing more visits."), "date_of_service", facts.plan_expired_blocks


def _lines(facts: ClaimFacts):
    return facts.charges.lines if facts.charges is not None else []
