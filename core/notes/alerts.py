"""The Medicare clocks of a case, computed from its finalized notes and plan of care, and the company's
choice of a warning or a hard stop for each (Company Settings: Plan of Care Alerts).

The clocks apply when Medicare is a payer on the case (as WebPT's POC alerts do). The numbers (days,
windows) are ``core.notes.rules`` data; which clocks exist and their default level are ``POC_ALERTS``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from core.extensions import db
from core.notes.clocks import certification_end, progress_clock, signature_due
from core.notes.models import Note, PlanCertification
from core.notes.rules import clock_rules_on
from core.notes.workflow import NoteKind, NoteStatus
from core.tenancy.poc_alerts import HARD_STOP, POC_ALERTS, alert_levels  # noqa: F401  (re-exported)

PLAN_KINDS = (NoteKind.INITIAL_EVALUATION, NoteKind.PLACEHOLDER_EVALUATION, NoteKind.PROGRESS_NOTE)
"""Notes whose plan of care opens (or renews) a certification period."""


@dataclass
class Alert:
    key: str
    message: str
    level: str  # WARNING or HARD_STOP

    @property
    def blocks(self) -> bool:
        return self.level == HARD_STOP


@dataclass
class CaseClocks:
    """What the case page and the note being written show of the plan of care and its clocks."""

    medicare: bool
    plan_note: Note | None = None
    certification: PlanCertification | None = None
    certification_start: date | None = None
    certification_end: date | None = None
    signature_due: date | None = None
    signature_status: str = ""
    treatment_days: int = 0
    progress_due_at: int = 10
    episode_start: date | None = None
    last_progress_report: date | None = None
    alerts: list[Alert] = field(default_factory=list)
    finalized_kinds: list[NoteKind] = field(default_factory=list)  # of the case's finalized notes

    @property
    def progress_report_due(self) -> bool:
        return self.plan_note is not None and self.treatment_days >= self.progress_due_at


def case_clocks(case, company, today: date, *, for_date: date | None = None) -> CaseClocks:
    """The clocks of ``case`` on ``today``. With ``for_date`` (the date of service of a daily note being
    finalized), the alerts are those that note would raise: the certification is checked on that date and
    the note's day is counted as a treatment day. Two statements: the finalized notes' kinds and dates,
    then the latest plan of care with its certification."""
    medicare = any(p.insurance.insurance_type.is_medicare for p in case.policies)
    rows = db.session.execute(
        select(Note.id, Note.kind, Note.date_of_service)
        .where(Note.case_id == case.id, Note.status == NoteStatus.FINALIZED)
        .order_by(Note.date_of_service, Note.id)
    ).all()
    plan_rows = [r for r in rows if r.kind in PLAN_KINDS]
    plan_note = certification = None
    if plan_rows:
        plan_note, certification = db.session.execute(
            select(Note, PlanCertification).outerjoin(PlanCertification, PlanCertification.note_id == Note.id)
            .where(Note.id == plan_rows[-1].id)).one()
    return clocks_of(medicare, rows, plan_note, certification, company, today, for_date=for_date)


def clocks_of(medicare: bool, rows, plan_note, certification, company, today: date, *, for_date: date | None = None) -> CaseClocks:
    """The clocks from what was read (no database): ``rows`` are the case's finalized notes in date order
    (each with ``kind`` and ``date_of_service``), ``plan_note`` the latest of them that holds a plan of care
    (with ``kind``, ``date_of_service``, ``plan_start``, ``plan_end``) and ``certification`` its
    :class:`PlanCertification` (or anything with the same dates), or None."""
    clocks = CaseClocks(medicare=medicare, finalized_kinds=[r.kind for r in rows])
    plan_rows = [r for r in rows if r.kind in PLAN_KINDS]
    if not plan_rows or plan_note is None:
        return clocks
    first_eval = next((r for r in plan_rows if r.kind is not NoteKind.PROGRESS_NOTE), plan_rows[0])
    note = plan_note
    clocks.plan_note, clocks.certification = note, certification
    clocks.episode_start = first_eval.date_of_service
    clocks.certification_start = note.plan_start or note.date_of_service
    clocks.certification_end = certification_end(clocks.certification_start, note.plan_end)

    # Treatment days since the last progress report (the day of the note being finalized included).
    treatments = [r.date_of_service for r in rows if r.kind is not NoteKind.PLACEHOLDER_EVALUATION]
    if for_date is not None:
        treatments.append(for_date)
    progress = [r.date_of_service for r in rows if r.kind is NoteKind.PROGRESS_NOTE]
    clocks.last_progress_report = progress[-1] if progress else None
    clock = progress_clock(treatments, clocks.episode_start, progress[-1] if progress else None, for_date or today)
    clocks.treatment_days, clocks.progress_due_at = clock.treatment_days, clock.due_at

    # The physician's signature on the plan (the first treatment of this certification period).
    cert = clocks.certification
    verbal = bool(cert and cert.verbal_order_on)
    clocks.signature_due = signature_due(clocks.certification_start, verbal_order=verbal)
    initial = note.kind is not NoteKind.PROGRESS_NOTE
    rules = clock_rules_on(clocks.certification_start)
    if cert and cert.signed_on:
        clocks.signature_status = f"Signed by the physician on {cert.signed_on:%m/%d/%Y}"
    elif (initial and rules.transmission_meets_initial_certification and cert and cert.order_signed_on and cert.sent_on
          and cert.sent_on <= signature_due(clocks.certification_start)):
        clocks.signature_status = (f"Initial certification met: signed order of {cert.order_signed_on:%m/%d/%Y} and "
                                   f"plan of care sent on {cert.sent_on:%m/%d/%Y}")
    elif cert and cert.sent_on:
        clocks.signature_status = f"Sent to the physician on {cert.sent_on:%m/%d/%Y}; signature due by {clocks.signature_due:%m/%d/%Y}"
    else:
        clocks.signature_status = f"Not sent to the physician yet; signature due by {clocks.signature_due:%m/%d/%Y}"

    if medicare:
        levels = alert_levels(company)
        on = for_date or today
        if on > clocks.certification_end:
            clocks.alerts.append(Alert("certification", (
                f"The plan of care expired on {clocks.certification_end:%m/%d/%Y}: recertify it with a "
                "Progress Note / Re-Certification before more daily notes."), levels["certification"]))
        signed = clocks.signature_status.startswith(("Signed", "Initial certification met"))
        if not signed and on > clocks.signature_due:
            clocks.alerts.append(Alert("signature", (
                f"The physician's signature on the plan of care was due by {clocks.signature_due:%m/%d/%Y}."),
                levels["signature"]))
        if clocks.treatment_days > clocks.progress_due_at or (for_date is None and clocks.progress_report_due):
            clocks.alerts.append(Alert("progress_report", (
                f"Progress report due: treatment day {clocks.treatment_days} since the last progress report "
                f"(due at the {clocks.progress_due_at}th)."), levels["progress_report"]))
    return clocks
