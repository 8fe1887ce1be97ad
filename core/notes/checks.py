"""Finalize checks: core's (required sections per note type, a complete plan of care on evaluative
notes, the date of service, the Medicare clocks set as hard stops) and every enabled plugin's
``caseload_finalize_veto``, gathered into one list shown together, each linked to its field."""
from __future__ import annotations

from datetime import date

from core.notes.alerts import case_clocks
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


def core_problems(note, clinic, today: date) -> list[Problem]:
    """Core's reasons ``note`` cannot be finalized on ``today`` (the clinic's date), and its warnings."""
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
    for policy in note.case.policies:
        if not (policy.start_date <= note.date_of_service <= policy.end_date):
            problems.append(Problem("notes.outside_policy", (
                f"The date of service is outside the {policy.rank.value.lower()} policy's dates "
                f"({policy.start_date:%m/%d/%Y} to {policy.end_date:%m/%d/%Y})."), "date_of_service"))
    if note.kind.is_billable and not note.do_not_bill:
        problems.extend(_authorization_problems(note))
    if note.kind is NoteKind.DAILY_NOTE:
        clocks = case_clocks(note.case, clinic.company, today, for_date=note.date_of_service)
        problems.extend(Problem(f"notes.clock.{a.key}", a.message, "date_of_service", blocking=a.blocks)
                        for a in clocks.alerts)
    return problems


def _a(words: str) -> str:
    return ("an " if words[:1].upper() in "AEIOU" else "a ") + words


def _authorization_problems(note) -> list[Problem]:
    """Warnings (not stops: the visit happened) when the case's authorization does not cover the visit."""
    in_force = [a for a in note.case.authorizations if a.start_date <= note.date_of_service <= a.end_date]
    needed = any(p.insurance.authorization_required for p in note.case.policies)
    if not in_force:
        if needed:
            return [Problem("notes.no_authorization", "The insurance requires an authorization and none covers the date "
                            "of service: add the authorization on the case.", "date_of_service", blocking=False)]
        return []
    if all(a.visits_remaining <= 0 for a in in_force):
        a = in_force[0]
        return [Problem("notes.authorization_used_up", (
            f"Authorization {a.number} has no visits left ({a.visits_used} of {a.visits_authorized} used): this visit "
            "goes over it."), "date_of_service", blocking=False)]
    return []


def finalize_problems(note, clinic, user, today: date) -> list[Problem]:
    """Everything that stops (or warns about) finalizing ``note``: core's checks, then the plugins'."""
    vetoes = flatten(hooks_for(clinic).caseload_finalize_veto(note=note, clinic=clinic, user=user))
    return core_problems(note, clinic, today) + [p for p in vetoes if isinstance(p, Problem)]
