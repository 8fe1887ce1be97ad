"""Everything that changes a note, each through ``workflow.decide`` (so whichever screen, queue, URL or tab a
note was opened from, its state alone decides what can be done): start, save, forward, return, finalize,
co-sign and finalize, addenda and their Finalize / Finalize & Rebill, the physician's certification.

A refused action raises :class:`NoteRefused` with the user's words and changes nothing. Functions add to
the session and commit, except where they say otherwise; the finalize hook runs after the commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import g, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from core.accounts import PermissionAttestation, User, signature_for
from core.audit import record
from core.billing import set_totals, write_lines
from core.cases import Authorization, Case, CaseStatus, PolicyRank
from core.extensions import db, utcnow
from core.notes.alerts import case_clocks
from core.notes.charges import billable, note_charges
from core.notes.checks import finalize_problems
from core.notes.content import COPIED_FIELDS, addendum_sha256, note_sha256
from core.notes.editing import NoteInput, read_note_form
from core.notes.models import TEXT_LIMIT, Addendum, Note, NoteDiagnosis, NoteSignature, RefusedSave
from core.notes.sections import note_sections, read_sections
from core.notes.workflow import Action, Actor, Decision, NoteFacts, NoteKind, NoteStatus, decide
from core.plugin_api import Problem
from core.plugin_host import hooks_for
from core.tenancy import clinic_zone
from core.web import Permission, clean_lines

log = logging.getLogger(__name__)


class NoteRefused(Exception):
    """An action that is not allowed now; ``str(error)`` is the message for the user."""


class VersionConflict(NoteRefused):
    """A save made from an older version of the note (someone saved it first)."""


@dataclass
class FinalizeBlocked(Exception):
    """Finalize stopped by checks: every problem, blocking or not, to show together."""

    problems: list[Problem] = field(default_factory=list)


def clinic_today(clinic) -> date:
    return datetime.now(clinic_zone(clinic)).date()


# -- who and what ----------------------------------------------------------------------------------
def actor_for(user: User) -> Actor:
    """The rules' view of ``user``: type, permissions and (assistants) the Finish SOAP Notes attestation."""
    permissions = frozenset(user.permission_set)
    known = g.setdefault("_note_actors", {}) if has_app_context() else {}
    if (user.id, permissions) in known:  # one page asks several decisions of one user: one attestation read
        return known[(user.id, permissions)]
    attested = False
    if user.user_type.license_category.value == "Assistants" and Permission.FINISH_NOTES in permissions:
        attested = db.session.scalar(select(PermissionAttestation.id).where(
            PermissionAttestation.user_id == user.id, PermissionAttestation.permission == Permission.FINISH_NOTES)) is not None
    known[(user.id, permissions)] = actor = Actor(user.id, user.user_type, permissions, attested)
    return actor


def facts_for(note: Note, clinic) -> NoteFacts:
    primary = note.case.policy(PolicyRank.PRIMARY)
    return NoteFacts(
        kind=note.kind, status=note.status, author_id=note.author_id, cosigner_id=note.cosigner_id,
        clinic_allows_assistants=bool(clinic.assistant_finalization),
        insurance_allows_assistants=bool(primary.insurance.allow_assistant_finalize) if primary else None,
    )


def decision(action: Action, note: Note, clinic, user: User, cosigner: User | None = None) -> Decision:
    return decide(action, facts_for(note, clinic), actor_for(user), actor_for(cosigner) if cosigner else None)


def _require(action: Action, note: Note, clinic, user: User, cosigner: User | None = None) -> Decision:
    answer = decision(action, note, clinic, user, cosigner)
    if not answer:
        raise NoteRefused(answer.reason)
    return answer


# -- start -----------------------------------------------------------------------------------------
STARTING_KINDS = (NoteKind.INITIAL_EVALUATION, NoteKind.PLACEHOLDER_EVALUATION)


def startable_kinds(case: Case, finalized_kinds: list[NoteKind] | None = None) -> list[NoteKind]:
    """The note types that can be started on ``case`` now: an evaluation (or a placeholder) first; daily
    notes, progress notes and the discharge summary once an evaluation is finalized.

    :param finalized_kinds: the kinds of the case's finalized notes, when the caller read them already.
    """
    if case.status is not CaseStatus.ACTIVE:
        return []
    kinds = finalized_kinds if finalized_kinds is not None else db.session.scalars(
        select(Note.kind).where(Note.case_id == case.id, Note.status == NoteStatus.FINALIZED)).all()
    if any(k in STARTING_KINDS for k in kinds):
        return [NoteKind.DAILY_NOTE, NoteKind.PROGRESS_NOTE, NoteKind.DISCHARGE_SUMMARY]
    return list(STARTING_KINDS)


def start_note(case: Case, kind: NoteKind, date_of_service: date, user: User, clinic, *, copy_from: Note | None = None) -> Note:
    """A new draft of ``kind`` on ``case`` by ``user`` (commits)."""
    if Permission.START_NOTES not in user.permission_set:
        raise NoteRefused("You need the Start SOAP Notes permission to write notes.")
    if user.user_type.license_category.value not in ("Therapists", "Assistants", "Students"):
        raise NoteRefused(f"A {user.user_type.value} profile does not document notes.")
    if kind not in startable_kinds(case):
        if case.status is not CaseStatus.ACTIVE:
            raise NoteRefused("This case is discharged: start a new case to document more visits.")
        raise NoteRefused(f"A {kind.value} needs a finalized Initial Evaluation (or placeholder) on the case first."
                          if kind not in STARTING_KINDS else "This case already has its evaluation: write a Progress Note / Re-Certification.")
    if date_of_service > clinic_today(clinic):
        raise NoteRefused("The date of service cannot be in the future.")
    note = Note(clinic_id=case.clinic_id, patient_id=case.patient_id, case_id=case.id, kind=kind,
                date_of_service=date_of_service, author_id=user.id, status=NoteStatus.DRAFT)
    note.case = case
    if copy_from is not None:
        for name in COPIED_FIELDS:
            setattr(note, name, getattr(copy_from, name))
        note.copied_from_id = copy_from.id
        note.diagnoses = [NoteDiagnosis(position=d.position, code=d.code, description=d.description,
                                        is_treating=d.is_treating) for d in copy_from.diagnoses]
    db.session.add(note)
    db.session.flush()
    record("note.create", "note", note.id, clinic_id=note.clinic_id, actor=user,
           summary=f"{kind.value}" + (f", copied from note {copy_from.id}" if copy_from else ""))
    db.session.commit()
    return note


# -- save ------------------------------------------------------------------------------------------
def save_note(note: Note, clinic, user: User, form, version: int | None) -> NoteInput:
    """Save the editor's ``form`` into the draft (commits). The fields with a bad value keep their old
    value and come back in ``errors``. A save from an older ``version`` made on another page (another tab,
    another person) raises :class:`VersionConflict` and keeps the refused text for its writer
    (``RefusedSave``), so neither text is lost. Saves of one page (``editor`` token, ``seq`` counter) never
    conflict with each other: its newest text wins, an older request arriving late changes nothing."""
    _require(Action.SAVE, note, clinic, user)
    parsed = read_note_form(form, evaluative=note.kind.is_evaluative, today=clinic_today(clinic))
    sections, section_errors = read_sections(note_sections(clinic, note.kind), form, note.sections)
    parsed.errors.update(section_errors)
    editor, seq = str(form.get("editor", ""))[:32], str(form.get("seq", ""))
    seq = int(seq) if seq.isdigit() and len(seq) < 10 else 0
    same_editor = bool(editor) and editor == note.editor_token
    if version is not None and version != note.version:
        if same_editor and seq <= note.editor_seq:
            return parsed  # this page's older save arriving after a newer one: the newer text stands
        if not same_editor and not _changes_anything(note, parsed, sections):
            return parsed  # the same text, saved already: nothing to refuse
    if version is not None and version != note.version and not same_editor:
        _keep_refused(note, user, form)
        raise VersionConflict(
            "Someone saved this note after you opened it, so your save was refused. Your text is kept under "
            "\"Your unsaved text\"; reload the note to see the saved version and copy in what you need.")
    with db.session.no_autoflush:  # one UPDATE at the commit: the charges' queries must not flush the note half-saved
        for name, value in parsed.values.items():
            setattr(note, name, value)
        note.sections = sections
        if editor:
            note.editor_token, note.editor_seq = editor, seq
        if parsed.diagnoses is not None:
            current = [(d.code, d.is_treating) for d in note.diagnoses]
            wanted = [(d.code, treating) for d, treating in parsed.diagnoses]
            if current != wanted:  # rewritten in place, position by position (no flush between)
                rows = list(note.diagnoses)
                for i, (d, treating) in enumerate(parsed.diagnoses):
                    if i < len(rows):
                        rows[i].code, rows[i].description, rows[i].is_treating = d.code, d.description, treating
                    else:
                        note.diagnoses.append(NoteDiagnosis(position=i, code=d.code, description=d.description, is_treating=treating))
                for extra in rows[len(parsed.diagnoses):]:
                    note.diagnoses.remove(extra)
        lines = _charges_to_save(note, clinic, form, parsed)  # after the diagnoses: the lines point to them
        note.updated_at = utcnow()
    try:
        db.session.flush()  # the note's versioned UPDATE first: a save that lost the race stops before the lines
        if lines is not _UNCHANGED:
            write_lines(note, lines)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        _keep_refused(db.session.get(Note, note.id), user, form)
        raise VersionConflict("Someone saved this note at the same moment, so your save was refused; your text is kept.") from None
    return parsed


_UNCHANGED = object()


def _charges_to_save(note: Note, clinic, form, parsed: NoteInput):
    """The Charge Summary rows posted, computed, with the note's totals set: the charges to write as its lines
    (None: none, for Do Not Bill), or ``_UNCHANGED`` when the form has no Charge Summary or a row has a bad
    field (the stored lines stay; the errors come back in ``parsed.errors``)."""
    if not note.kind.is_billable or ("charges_present" not in form and "do_not_bill_present" not in form):
        return _UNCHANGED
    if note.do_not_bill:
        set_totals(note, None)
        return None
    plan_note = None if note.kind.is_evaluative else case_clocks(note.case, clinic.company, clinic_today(clinic)).plan_note
    state = note_charges(note, clinic, plan_note, form)
    if state.rows is None:
        return _UNCHANGED
    parsed.errors.update(state.rows.errors)
    if state.rows.errors:
        return _UNCHANGED
    set_totals(note, state.charges)
    return state.charges


def _changes_anything(note: Note, parsed: NoteInput, sections: dict) -> bool:
    """Whether saving ``parsed`` would change ``note`` at all."""
    if any(getattr(note, name) != value for name, value in parsed.values.items()):
        return True
    if parsed.diagnoses is not None and [(d.code, d.is_treating) for d in note.diagnoses] != [
            (d.code, treating) for d, treating in parsed.diagnoses]:
        return True
    return (note.sections or {}) != sections


def _keep_refused(note: Note, user: User, form) -> None:
    kept = {k: v[:TEXT_LIMIT] for k, v in form.items() if k not in ("csrf_token", "version")}
    db.session.add(RefusedSave(note_id=note.id, user_id=user.id, content=kept))
    db.session.commit()


def refused_saves(note: Note, user: User) -> list[RefusedSave]:
    return list(db.session.scalars(select(RefusedSave).where(RefusedSave.note_id == note.id, RefusedSave.user_id == user.id)
                                   .order_by(RefusedSave.id.desc())))


# -- forward, return -------------------------------------------------------------------------------
def forward_note(note: Note, clinic, user: User, cosigner: User) -> None:
    answer = _require(Action.FORWARD, note, clinic, user, cosigner)
    if cosigner.user_type.value != note.case.discipline.value:
        raise NoteRefused(f"A {note.case.discipline.value} case's note is co-signed by a {note.case.discipline.value}.")
    note.status, note.cosigner_id, note.forwarded_at, note.return_comment = answer.to, cosigner.id, utcnow(), ""
    record("note.forward", "note", note.id, clinic_id=note.clinic_id, actor=user, summary=f"Forwarded to user {cosigner.id} for co-signature")
    _commit_once(note)


def return_note(note: Note, clinic, user: User, comment: str) -> None:
    comment = (comment or "").strip()
    if not comment:
        raise NoteRefused("Say what the author should change: a returned note needs a comment.")
    if len(comment) > 2000:
        raise NoteRefused("Use at most 2,000 characters for the comment.")
    _clean(comment)
    answer = _require(Action.RETURN, note, clinic, user)
    note.status, note.return_comment = answer.to, comment
    record("note.return", "note", note.id, clinic_id=note.clinic_id, actor=user, summary="Returned to the author")
    _commit_once(note)


def _clean(text: str) -> None:
    try:
        clean_lines(text)
    except ValueError as error:
        raise NoteRefused(str(error)) from None


def _commit_once(note: Note) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise NoteRefused("This note changed while you were working on it: reload it to see its state now.") from None


# -- finalize --------------------------------------------------------------------------------------
def finalize_note(note: Note, clinic, user: User, *, supervised_by: User | None = None, acknowledged: bool = False) -> list[Problem]:
    """Finalize ``note`` (the author alone, or the named co-signer: Co-sign & Finalize).

    Raises :class:`NoteRefused` when the rules do not allow it, :class:`FinalizeBlocked` with every
    problem when a check stops it (or when there are warnings not yet ``acknowledged``). Two finalize
    requests at once finalize once: the second finds the version changed and is refused. Returns the
    warnings the finalize went through with.
    """
    action = Action.COSIGN if note.status is NoteStatus.PENDING_COSIGNATURE else Action.FINALIZE
    _require(action, note, clinic, user)
    assistant_alone = action is Action.FINALIZE and user.user_type.license_category.value == "Assistants"
    clocks = case_clocks(note.case, clinic.company, clinic_today(clinic), for_date=note.date_of_service) \
        if note.kind.is_billable else None
    state = note_charges(note, clinic, clocks.plan_note) if clocks is not None else None
    problems = finalize_problems(note, clinic, user, clinic_today(clinic), state, clocks)
    if assistant_alone:
        if supervised_by is None:
            problems.append(Problem("notes.supervisor_missing", "Choose the therapist who supervised this visit (Supervised by).", "supervised_by"))
        elif not supervised_by.is_therapist or not supervised_by.is_active:
            problems.append(Problem("notes.supervisor_invalid", "Supervised by must be an active PT, OT or SLP of the clinic.", "supervised_by"))
    blocking = [p for p in problems if p.blocking]
    warnings = [p for p in problems if not p.blocking]
    if blocking or (warnings and not acknowledged):
        raise FinalizeBlocked(problems)

    hooks = hooks_for(clinic)  # before the commit expires the clinic, and before any change (it may query)
    now = utcnow()
    # The signatures first: reading the signatures on file must not flush a half-finalized note.
    signatures = [_signature(note.author, "provider", now if action is Action.FINALIZE else note.forwarded_at or now)]
    if action is Action.COSIGN:
        signatures.append(_signature(user, "co-signer", now))
    with db.session.no_autoflush:
        if state is not None:  # the totals as finalized: recomputed now (the year's spend may have moved since the save)
            set_totals(note, state.charges)
        if assistant_alone:
            note.supervised_by_id = supervised_by.id
            if clinic.assistant_finalization:
                note.assistant_verbiage = clinic.assistant_finalization_verbiage or ""
        note.status, note.finalized_at, note.finalized_by_id = NoteStatus.FINALIZED, now, user.id
        note.signatures = signatures
        note.content_sha256 = note_sha256(note)
        case = note.case
        case.has_finalized_notes = True
        if note.kind is NoteKind.DISCHARGE_SUMMARY:
            case.status = CaseStatus.DISCHARGED
    record("note.cosign" if action is Action.COSIGN else "note.finalize", "note", note.id, clinic_id=note.clinic_id, actor=user,
           summary=f"{note.kind.value} finalized" + (" (Do Not Bill)" if note.do_not_bill else ""))
    try:
        db.session.flush()  # the note's UPDATE ... WHERE version = the one read: a second finalize stops here
        if state is not None:  # the lines as finalized, after the note's versioned UPDATE (a second finalize stopped)
            write_lines(note, state.charges, billed=billable(note))
        if billable(note):
            db.session.execute(
                update(Authorization)
                .where(Authorization.case_id == note.case_id, Authorization.start_date <= note.date_of_service,
                       Authorization.end_date >= note.date_of_service)
                .values(visits_used=Authorization.visits_used + 1)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise NoteRefused("This note was finalized or changed by another request: reload it to see its state now.") from None
    _announce(hooks, note, clinic, user)
    return warnings


def _signature(user: User, role: str, when: datetime) -> NoteSignature:
    """A copy of ``user``'s signature as it is now (image, or typed name) with name and credentials."""
    on_file = signature_for(user.id)
    return NoteSignature(
        role=role, user_id=user.id, name=user.name, credentials=user.user_type.value, signed_at=when,
        kind=on_file.kind if on_file else None, image=on_file.image if on_file else None,
        mime=on_file.mime if on_file else None, typed_text=on_file.typed_text if on_file else None,
    )


def _announce(hooks, note: Note, clinic, user: User) -> None:
    """``caseload_note_finalized`` after the commit; a failing plugin is logged (no patient data)."""
    try:
        hooks.caseload_note_finalized(note=note, clinic=clinic, user=user)
    except Exception:  # noqa: BLE001 (a plugin's failure never undoes a finalize)
        log.exception("caseload_note_finalized failed for note %s", note.id)


# -- addenda ---------------------------------------------------------------------------------------
def add_addendum(note: Note, user: User, text: str) -> Addendum:
    """A draft addendum to a finalized note (commits)."""
    if not note.is_finalized:
        raise NoteRefused("Only a finalized note takes an addendum: edit the draft itself.")
    if Permission.START_NOTES not in user.permission_set:
        raise NoteRefused("You need the Start SOAP Notes permission to write an addendum.")
    text = _addendum_text(text)
    addendum = Addendum(note_id=note.id, author_id=user.id, text=text)
    db.session.add(addendum)
    db.session.flush()
    record("note.addendum", "note", note.id, clinic_id=note.clinic_id, actor=user, summary=f"Addendum {addendum.id} started")
    db.session.commit()
    return addendum


def _addendum_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise NoteRefused("Write the addendum's text.")
    _clean(text)
    if len(text) > TEXT_LIMIT:
        raise NoteRefused(f"Use at most {TEXT_LIMIT:,} characters.")
    return text


def finalize_addendum(addendum: Addendum, user: User, *, rebill: bool, text: str | None = None) -> None:
    """Finalize (no claim impact) or Finalize & Rebill (claim impact: the note's charges are marked for a
    charge update, which the billing feed turns into a corrected claim)."""
    if addendum.is_finalized:
        raise NoteRefused("This addendum is finalized already.")
    if addendum.author_id != user.id:
        raise NoteRefused("Only the addendum's author can finalize it.")
    if Permission.FINISH_NOTES not in user.permission_set:
        raise NoteRefused("You need the Finish SOAP Notes permission to finalize an addendum.")
    if text is not None:
        addendum.text = _addendum_text(text)
    note = addendum.note
    addendum.rebill, addendum.finalized_at = bool(rebill), utcnow()
    addendum.signed_name, addendum.signed_credentials = user.name, user.user_type.value
    addendum.content_sha256 = addendum_sha256(addendum)
    if rebill and note.kind.is_billable and not note.do_not_bill:
        note.charges_need_update = True
    record("note.addendum_finalize", "note", note.id, clinic_id=note.clinic_id, actor=user,
           summary=f"Addendum {addendum.id}: " + ("Finalize & Rebill" if rebill else "Finalize"))
    db.session.commit()


__all__ = [
    "FinalizeBlocked", "NoteRefused", "VersionConflict", "actor_for", "add_addendum", "clinic_today", "decision",
    "facts_for", "finalize_addendum", "finalize_note", "forward_note", "refused_saves", "return_note", "save_note",
    "start_note", "startable_kinds",
]
