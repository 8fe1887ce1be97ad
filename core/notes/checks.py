"""Finalize checks: core's (required sections per note type, a complete plan of care on evaluative
notes, the date of service, the Medicare clocks set as hard stops, and on billable notes the claim
scrubber's rules, ``core.billing.scrubber``, the same the billing feed holds on) and every enabled
plugin's ``caseload_finalize_veto``, gathered into one list shown together, each linked to its field."""
from __future__ import annotations

from datetime import date

from core.notes.alerts import case_clocks
from core.notes.charges import ChargeState, claim_problems, note_charges
from core.notes.workflow import NoteKind
from core.plugin_api import Problem
from core.plugin_host import flatten, hooks_for

REQUIRED_SECTIONS = {
    NoteKind.INITIAL_EVALUATION: ("subjective", "objective", "assessment", "plan"),
    NoteKind.DAILY_NOTE: ("subjective", "objective", "assessment", "plan"),
    NoteKind.PROGRESS_NOTE: ("subjective", "objective", "assessment", "plan"),
    NoteKind.DISCHARGE_SUMMARY: ("subjective", "objective", "assessment", "plan"),
    NoteKind.PLACEHOLDER_EVALUATION: (),
}
"""The SOAP sections each note type needs before it can be finalized."""

PLAN_OF_CARE_KINDS = (NoteKind.INITIAL_EVALUATION, NoteKind.PROGRESS_NOTE, NoteKind.PLACEHOLDER_EVALUATION)
"""Note types that hold a full plan of care (Medicare: diagnoses, long-term goals, type, amount,
frequency and duration); a discharge summary reports on the goals and needs the diagnoses."""

LABELS = {"subjective": "Subjective", "objective": "Objective", "assessment": "Assessment", "plan": "Plan"}


def core_problems(note, clinic, today: date, state: ChargeState | None = None, clocks=None) -> list[Problem]:
    """Core's reasons ``note`` cannot be finalized on ``today`` (the clinic's date), and its warnings.

    :param state: the note's Charge Summary when the caller computed it already (else computed from its lines).
    :param clocks: the case's clocks for the note's date when the caller read them already.
    """
    problems = []
    for name in REQUIRED_SECTIONS[note.kind]:
        if not (getattr(note, name) or "").strip():
            problems.append(Problem("notes.section_missing", f"{LABELS[name]} is required on {_a(note.kind.value)}.", name))
    if note.kind in PLAN_OF_CARE_KINDS or note.kind is NoteKind.DISCHARGE_SUMMARY:
        if not note.diagnoses:
            problems.append(Problem("notes.no_diagnosis", "Add at least one ICD-10-CM diagnosis.", "dx_code-0"))
        elif not any(d.is_treating for d in note.diagnoses):
            problems.append(Problem("notes.no_treating_diagnosis", "Mark the treating diagnosis.", "dx_code-0"))
    if note.kind in PLAN_OF_CARE_KINDS:
        if not any(g.get("term") == "long" for g in note.goals or []):
            problems.append(Problem("notes.no_long_term_goal", "Add at least one long-term goal to the plan of care.", "goals"))
        for name, label in (("frequency_per_week", "frequency (visits per week)"), ("duration_weeks", "duration (weeks)"),
                            ("plan_start", "start date"), ("plan_end", "end date")):
            if getattr(note, name) is None:
                problems.append(Problem("notes.plan_incomplete", f"Enter the plan of care's {label}.", name))
        if not (note.interventions or "").strip():
            problems.append(Problem("notes.plan_incomplete", "Enter the planned interventions.", "interventions"))
    if note.date_of_service > today:
        problems.append(Problem("notes.future_date", "The date of service cannot be in the future.", "date_of_service"))
    clocks = clocks or case_clocks(note.case, clinic.company, today, for_date=note.date_of_service)
    if note.kind is NoteKind.DAILY_NOTE:  # the expired plan of care is the scrubber's (billing.plan_expired)
        problems.extend(Problem(f"notes.clock.{a.key}", a.message, "date_of_service", blocking=a.blocks)
                        for a in clocks.alerts if a.key != "certification" or not note.kind.is_billable)
    if note.kind.is_billable:
        state = state if state is not None else note_charges(note, clinic, clocks.plan_note)
        problems.extend(claim_problems(note, clinic, state, clocks))
    return problems


def _a(words: str) -> str:
    return ("an " if words[:1].upper() in "AEIOU" else "a ") + words


def finalize_problems(note, clinic, user, today: date, state: ChargeState | None = None, clocks=None) -> list[Problem]:
    """Everything that stops (or warns about) finalizing ``note``: core's checks, then the plugins'."""
    vetoes = flatten(hooks_for(clinic).caseload_finalize_veto(note=note, clinic=clinic, user=user))
    return core_problems(note, clinic, today, state, clocks) + [p for p in vetoes if isinstance(p, Problem)]
