"""A note's Charge Summary and claim facts: the note's side of ``core.billing``.

* ``note_diagnoses``: the diagnoses the charge lines point to (an evaluative note's own; a daily note's from
  the plan of care in force).
* ``note_charges``: the Charge Summary computed from the posted rows or the stored lines.
* ``claim_facts`` / ``claim_problems``: the scrubber's facts about the visit and its findings as finalize
  problems, each linked to the screen where it is fixed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from werkzeug.routing import BuildError

from core.billing import (
    ChargeContext,
    ChargeRows,
    ClaimFacts,
    NoteCharges,
    Provider,
    charge_context,
    compute,
    lines_of,
    read_charge_rows,
    scrub,
    services_of,
)
from core.notes.alerts import HARD_STOP, alert_levels
from core.notes.diagnoses import DiagnosisError, check_code
from core.notes.workflow import NoteKind
from core.plugin_api import Problem


@dataclass
class ChargeState:
    """What the editor shows and finalize checks: the context, the computed charges (None: nothing billable),
    the rows' field errors, and the scrubber's problems."""

    context: ChargeContext | None
    charges: NoteCharges | None
    rows: ChargeRows | None = None
    problems: list[Problem] = field(default_factory=list)
    diagnoses: list = field(default_factory=list)


def billable(note) -> bool:
    return note.kind.is_billable and not note.do_not_bill


def note_diagnoses(note, plan_note) -> list:
    """The diagnoses a note's charge lines point to, in claim order."""
    if note.kind.is_evaluative or note.kind is NoteKind.DISCHARGE_SUMMARY:
        return list(note.diagnoses)
    return list(plan_note.diagnoses) if plan_note is not None else []


def note_charges(note, clinic, plan_note, form=None) -> ChargeState:
    """The Charge Summary of ``note``: from the Charge Summary rows in ``form`` when it has them, else from the
    stored lines. Constant statements: the context's three, the stored lines' one."""
    diagnoses = note_diagnoses(note, plan_note)
    if not note.kind.is_billable:
        return ChargeState(None, None, diagnoses=diagnoses)
    context = charge_context(note.case, clinic.company, note.date_of_service, note_id=note.id or 0)
    rows = None
    if form is not None and "charges_present" in form:
        rows = read_charge_rows(form, day=note.date_of_service, diagnosis_count=len(diagnoses),
                                custom_codes=context.custom_codes if context.self_pay else {}, self_pay=context.self_pay,
                                allowed_modifiers=context.additional_modifiers)
    if rows is not None and not rows.errors:
        services, custom, choice = rows.services, rows.custom, rows.choice
    else:
        services, custom = services_of(lines_of(note.id)) if note.id else ([], {})
        choice = note.unit_choice or 0
    custom = {i: code for i, code in custom.items() if code in context.custom_codes}
    services = [s for i, s in enumerate(services) if i in custom or s.code not in context.custom_codes]
    charges = compute(context, services, custom, choice) if not note.do_not_bill else None
    return ChargeState(context, charges, rows, diagnoses=diagnoses)


def rendering_provider(note, users_by_id: dict | None = None) -> Provider | None:
    """The therapist the visit is billed under: the author when a therapist, else the co-signer or supervisor."""
    author = note.author
    if author.user_type.license_category.value == "Therapists":
        return Provider(author.id, author.name, author.npi)
    for other in (note.cosigner, note.supervised_by):
        if other is not None:
            return Provider(other.id, other.name, other.npi)
    return None


def claim_facts(note, clinic, state: ChargeState, clocks) -> ClaimFacts:
    """The scrubber's facts about ``note`` (``clocks``: the case's ``CaseClocks`` for the note's date). The plan of
    care ends at its end date, for Medicare at the certification's end (90 days at most); the company's Plan of
    Care Alerts say whether a daily note past it is a warning or a hard stop."""
    plan_note = clocks.plan_note
    plan_end = (clocks.certification_end if clocks.medicare else plan_note.plan_end) if plan_note is not None else None
    diagnoses = []
    for d in state.diagnoses:
        try:
            check_code(d.code)
            diagnoses.append((d.code, True))
        except DiagnosisError:
            diagnoses.append((d.code, False))
    return ClaimFacts(
        patient=note.patient, case=note.case, day=note.date_of_service, billable=billable(note), charges=state.charges,
        diagnoses=diagnoses, rendering=rendering_provider(note), is_daily_note=note.kind is NoteKind.DAILY_NOTE,
        plan_end=plan_end, plan_expired_blocks=alert_levels(clinic.company)["certification"] == HARD_STOP,
        referral_required=bool(clinic.referral_required))


def _fix_url(note, screen: str, where: str | None, facts: ClaimFacts) -> str | None:
    """Where a scrubber finding of ``screen`` is fixed (``note``: a field of the editor itself, no URL)."""
    anchor = f"f-{where}" if where else None
    if screen == "patient":
        return url_for("patients.edit_patient", patient_id=note.patient_id, _anchor=anchor)
    if screen == "case":
        return url_for("cases.edit_case", patient_id=note.patient_id, case_id=note.case_id, _anchor=anchor)
    if screen == "user" and facts.rendering is not None:
        return url_for("user_manager.edit_user", user_id=facts.rendering.id, _anchor=anchor)
    if screen == "physician" and note.case.referring_physician_id:
        return url_for("insurances.edit_physician", physician_id=note.case.referring_physician_id, _anchor=anchor)
    if screen == "fee_schedule":
        return url_for("billing.fee_schedule")
    return None


def claim_problems(note, clinic, state: ChargeState, clocks) -> list[Problem]:
    """The scrubber's findings on ``note`` as finalize problems (field: the editor's field, or the fix's URL)."""
    facts = claim_facts(note, clinic, state, clocks)
    return [Problem(f.code, f.message, f.field if f.screen == "note" else None, blocking=f.blocking,
                    url=_safe_url(note, f.screen, f.field, facts)) for f in scrub(facts)]


def _safe_url(note, screen: str, where: str | None, facts: ClaimFacts) -> str | None:
    try:
        return _fix_url(note, screen, where, facts)
    except (RuntimeError, BuildError):  # outside a request (the demo, a script), or a screen not installed
        return None
