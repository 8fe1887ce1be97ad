"""The notes' screens: start a note (from the case page or the chart), the note editor with autosave,
Forward / Return / Finalize / Co-sign & Finalize, the finalized note with its addenda and the physician's
certification, its print view, My notes and Incomplete Cosign Docs.

View Patients lets a user read notes; Start, Forward and Finish SOAP Notes decide the rest (through
``actions``, which asks the state machine). Another clinic's note, case or patient answers 404.
"""
from __future__ import annotations

import secrets
from functools import cache

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from core.accounts import User
from core.audit import record
from core.billing import FURNISHED_BY, MAX_LINES, codes_for, lines_of
from core.cases import Case, CasePolicy, active_therapists
from core.extensions import db, utcnow
from core.notes import actions
from core.notes.alerts import case_clocks
from core.notes.charges import claim_problems, note_charges
from core.notes.content import MEASUREMENT_KINDS, is_intact
from core.notes.editing import GOAL_ROWS_SPARE, MEASUREMENT_ROWS_SPARE, parse_date
from core.notes.lists import cosign_page, filters_from, my_notes_page, notes_page
from core.notes.models import MAX_DIAGNOSES, Addendum, GoalStatus, Note, NoteSignature, PlanCertification, RefusedSave
from core.notes.sections import field_name, note_sections
from core.notes.workflow import Action, NoteKind, NoteStatus
from core.patients import Patient
from core.tenancy import current_clinic, get_in_clinic_or_404
from core.web import Permission, commit_after_response, is_htmx, render, require

bp = Blueprint("notes", __name__, url_prefix="/notes")

SIGNED_COPY_TYPES = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}
SIGNED_COPY_MAX = 10 * 1024 * 1024


@cache
def _note_statement():
    return select(Note).where(Note.id == bindparam("note_id")).options(
        joinedload(Note.case).joinedload(Case.policies).joinedload(CasePolicy.insurance),
        joinedload(Note.patient), joinedload(Note.author), joinedload(Note.diagnoses),
    )


def _load_note(note_id: int) -> Note:
    require(Permission.VIEW_PATIENTS)
    note = db.session.scalars(_note_statement(), {"note_id": note_id}).unique().first()
    if note is None or note.clinic_id != current_clinic().id:
        abort(404)
    return note


def _load_case(case_id: int) -> Case:
    require(Permission.VIEW_PATIENTS)
    return get_in_clinic_or_404(Case, case_id)


def _note_url(note: Note, **kw) -> str:
    return url_for("notes.show", note_id=note.id, **kw)


# -- template helpers: the case page's and chart's note sections -----------------------------------
@bp.app_context_processor
def notes_template_helpers():
    return {"case_notes_section": _case_section, "chart_notes_section": _chart_section, "note_field": field_name}


def _case_section(case: Case) -> dict:
    clinic = current_clinic()
    filters = filters_from(request.args)
    clocks = case_clocks(case, clinic.company, actions.clinic_today(clinic))
    return {"page": notes_page("case", case.id, clinic.id, filters), "filters": filters, "clocks": clocks,
            "startable": actions.startable_kinds(case, clocks.finalized_kinds) if current_user.can(Permission.START_NOTES) else [],
            "copy_offer": _copy_offer(case, clinic)}


def _chart_section(patient: Patient) -> dict:
    filters = filters_from(request.args)
    return {"page": notes_page("patient", patient.id, patient.clinic_id, filters), "filters": filters}


def _copy_offer(case: Case, clinic) -> Note | None:
    """Initial Exam Case Copy: on a case without notes, the patient's most recently finalized evaluative
    note of another case (to copy into this one as a draft Initial Evaluation)."""
    if not clinic.company.initial_exam_case_copy or not current_user.can(Permission.START_NOTES):
        return None
    if db.session.scalar(select(Note.id).where(Note.case_id == case.id).limit(1)) is not None:
        return None
    return db.session.scalar(
        select(Note).where(Note.patient_id == case.patient_id, Note.case_id != case.id, Note.clinic_id == clinic.id,
                           Note.status == NoteStatus.FINALIZED, Note.kind != NoteKind.DAILY_NOTE)
        .order_by(Note.date_of_service.desc(), Note.finalized_at.desc()).limit(1))


# -- start -----------------------------------------------------------------------------------------
@bp.route("/new/<int:case_id>", methods=["GET", "POST"])
@login_required
def start(case_id: int):
    """Start a note on a case: choose its type and date of service."""
    case = _load_case(case_id)
    require(Permission.START_NOTES)
    clinic = current_clinic()
    kinds = actions.startable_kinds(case)
    errors, chosen = {}, {"kind": request.values.get("kind", ""), "date_of_service": request.values.get("date_of_service", "")}
    if request.method == "POST":
        kind = next((k for k in kinds if k.value == chosen["kind"]), None)
        if kind is None:
            errors["kind"] = "Choose the type of note." if kinds else "No note can be started on this case now."
        try:
            day = parse_date(chosen["date_of_service"]) or actions.clinic_today(clinic)
        except ValueError as error:
            errors["date_of_service"], day = str(error), None
        if not errors:
            existing = db.session.scalar(select(Note).where(
                Note.case_id == case.id, Note.kind == kind, Note.date_of_service == day, Note.author_id == current_user.id,
                Note.status != NoteStatus.FINALIZED).limit(1))
            if existing is not None and request.form.get("another") != "yes":
                flash(f"You already have a {kind.value} of {day:%m/%d/%Y} on this case that is not finalized yet: "
                      "here it is.", "info")
                return redirect(_note_url(existing), code=303)
            try:
                note = actions.start_note(case, kind, day, current_user, clinic)
            except actions.NoteRefused as refused:
                errors["kind"] = str(refused)
            else:
                return redirect(_note_url(note), code=303)
    if not chosen["date_of_service"]:
        chosen["date_of_service"] = actions.clinic_today(clinic).isoformat()
    return render("notes/start.html", case=case, patient=case.patient, kinds=kinds, chosen=chosen, errors=errors,
                  status=422 if errors else 200)


@bp.route("/copy/<int:case_id>", methods=["POST"])
@login_required
def copy_initial_exam(case_id: int):
    """Initial Exam Case Copy: the offered evaluation, copied into ``case`` as a draft Initial Evaluation
    (its content; not its date, nor its signatures)."""
    case = _load_case(case_id)
    require(Permission.START_NOTES)
    clinic = current_clinic()
    source = _copy_offer(case, clinic)
    if source is None or str(source.id) != request.form.get("source_id"):
        flash("There is no evaluation to copy into this case.", "error")
        return redirect(url_for("cases.show", patient_id=case.patient_id, case_id=case.id), code=303)
    try:
        note = actions.start_note(case, NoteKind.INITIAL_EVALUATION, actions.clinic_today(clinic), current_user, clinic,
                                  copy_from=source)
    except actions.NoteRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("cases.show", patient_id=case.patient_id, case_id=case.id), code=303)
    flash(f"Copied the {source.kind.value} of {source.date_of_service:%m/%d/%Y} into a draft Initial Evaluation. "
          "Check its date of service and content.", "success")
    return redirect(_note_url(note), code=303)


# -- the note --------------------------------------------------------------------------------------
ROWS_ADDED = 3
"""Rows an Add Diagnosis / Add Goal / Add Measurement button adds to the editor."""
MORE = ("diagnoses", "goals", "measurements", "charges")


def _charge_view(note: Note, clinic, clocks, form=None, more: bool = False) -> dict | None:
    """The Charge Summary's screen values: the computed charges (from ``form``'s rows when given), the claim
    checks, the stored lines as rows, the code list, and whether charge amounts are shown (Billing Report Admin)."""
    if not note.kind.is_billable:
        return None
    state = note_charges(note, clinic, clocks.plan_note, form)
    stored = lines_of(note.id)
    context = state.context
    return {
        "context": context, "charges": state.charges, "stored": stored, "diagnoses": state.diagnoses,
        "problems": [] if note.do_not_bill else claim_problems(note, clinic, state, clocks),
        "rows": min(MAX_LINES, len(stored) + 2 + (ROWS_ADDED if more else 0)),
        "codes": codes_for(context.discipline, note.date_of_service),
        "custom_codes": list(context.custom_codes.values()) if context.self_pay else [],
        "additional_modifiers": context.additional_modifiers, "furnished_by": FURNISHED_BY,
        "show_amounts": current_user.can(Permission.BILLING_REPORT_ADMIN), "value": _charge_value,
        "row_errors": state.rows.errors if state.rows else {},
    }


def _charge_value(posted, name: str, i: int, stored):
    """A Charge Summary field's value: what was posted (a refused save shows it again), else the stored line's."""
    if posted:
        return posted.get(f"{name}-{i}", "")
    return "" if stored is None else stored


def _editor_context(note: Note, clinic, **extra) -> dict:
    more = request.args.get("more") if request.args.get("more") in MORE else None
    can_save = bool(actions.decision(Action.SAVE, note, clinic, current_user))
    pending_for_me = note.status is NoteStatus.PENDING_COSIGNATURE and note.cosigner_id == current_user.id
    alone = actions.decision(Action.FINALIZE, note, clinic, current_user) if note.status is not NoteStatus.PENDING_COSIGNATURE else None
    is_assistant = current_user.user_type.license_category.value == "Assistants"
    therapists = [t for t in _case_therapists(note, clinic) if t.id != current_user.id]
    cosigners = [t for t in therapists if t.can(Permission.FINISH_NOTES)] if can_save else []
    clocks = case_clocks(note.case, clinic.company, actions.clinic_today(clinic))
    context = {
        "charge": _charge_view(note, clinic, clocks, more=more == "charges"),
        "note": note, "case": note.case, "patient": note.patient, "can_save": can_save, "pending_for_me": pending_for_me,
        "finalize_alone": alone, "needs_supervisor": bool(alone) and is_assistant, "therapists": therapists,
        "cosigners": cosigners, "sections": note_sections(clinic, note.kind),
        "clocks": clocks,
        "refused": [(kept, _readable(kept.content)) for kept in actions.refused_saves(note, current_user)] if can_save else [],
        "measurement_kinds": MEASUREMENT_KINDS, "goal_statuses": GoalStatus.CHOICES, "max_diagnoses": MAX_DIAGNOSES,
        "goal_rows": len(note.goals or []) + GOAL_ROWS_SPARE + (ROWS_ADDED if more == "goals" else 0),
        "measurement_rows": len(note.measurements or []) + MEASUREMENT_ROWS_SPARE + (ROWS_ADDED if more == "measurements" else 0),
        "diagnosis_rows": min(MAX_DIAGNOSES, len(note.diagnoses) + 2 + (ROWS_ADDED if more == "diagnoses" else 0)),
        "page_url": _note_url(note),
        "form_values": None, "errors": {}, "problems": [], "message": None,
        "editor_token": secrets.token_hex(8),
        "can_forward": can_save and note.status is not NoteStatus.PENDING_COSIGNATURE and current_user.can(Permission.FORWARD_NOTES),
    }
    context.update(extra)
    return context


FIELD_LABELS = {"subjective": "Subjective", "objective": "Objective", "assessment": "Assessment", "plan": "Plan",
                "date_of_service": "Date of Service", "frequency_per_week": "Frequency (visits per week)",
                "duration_weeks": "Duration (weeks)", "interventions": "Planned interventions",
                "plan_start": "Plan start date", "plan_end": "Plan end date"}
ROW_LABELS = {"dx_code": "Diagnosis {n}", "goal_text": "Goal {n}", "m_site": "Measure {n} site", "m_value": "Measure {n} value"}


def _readable(content: dict) -> list[tuple[str, str]]:
    """A refused save's text under the editor's own labels (its hidden and choice fields left out)."""
    shown = []
    for name, value in content.items():
        if not value:
            continue
        if name in FIELD_LABELS:
            shown.append((FIELD_LABELS[name], value))
        elif "-" in name and name.rsplit("-", 1)[0] in ROW_LABELS and name.rsplit("-", 1)[1].isdigit():
            prefix, index = name.rsplit("-", 1)
            shown.append((ROW_LABELS[prefix].format(n=int(index) + 1), value))
    return shown


def _show_note(note: Note, clinic, status: int = 200, **extra):
    if note.is_finalized or not actions.decision(Action.SAVE, note, clinic, current_user):
        return _read_view(note, clinic, status=status, **extra)
    return render("notes/editor.html", status=status, **_editor_context(note, clinic, **extra))


def _read_view(note: Note, clinic, status: int = 200, **extra):
    certification = db.session.scalar(select(PlanCertification).where(PlanCertification.note_id == note.id)) \
        if note.kind.is_evaluative else None
    return render("notes/show.html", status=status, note=note, case=note.case, patient=note.patient, page_url=_note_url(note),
                  charge_lines=lines_of(note.id) if note.kind.is_billable else [],
                  show_amounts=current_user.can(Permission.BILLING_REPORT_ADMIN),
                  sections=note_sections(clinic, note.kind), certification=certification,
                  intact=is_intact(note) if note.is_finalized else None,
                  users={u.id: u for u in _named_users(note)}, **extra)


def _named_users(note: Note) -> list[User]:
    ids = {note.cosigner_id, note.supervised_by_id, note.finalized_by_id} - {None}
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


@bp.route("/<int:note_id>")
@login_required
def show(note_id: int):
    """The note: its editor while the signed-in user may change it, otherwise the read view."""
    note = _load_note(note_id)
    record("note.view", "note", note.id, clinic_id=note.clinic_id)
    commit_after_response()
    return _show_note(note, current_clinic())


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/<int:note_id>/save", methods=["POST"])
@login_required
def save(note_id: int):
    """Save the draft: htmx autosave (debounced typing, every change, leaving the page) answers the save
    status with the new version; the Save Draft button answers the whole editor."""
    note = _load_note(note_id)
    clinic = current_clinic()
    try:
        parsed = actions.save_note(note, clinic, current_user, request.form, _version())
    except actions.VersionConflict as conflict:
        if is_htmx():
            return render("notes/_save_status.html", status=409, note=db.session.get(Note, note_id), errors={},
                          message=str(conflict), conflict=True, fields=[])
        note = _load_note(note_id)
        return _show_note(note, clinic, status=409, message=str(conflict))
    except actions.NoteRefused as refused:
        if is_htmx():
            return render("notes/_save_status.html", status=422, note=note, errors={}, message=str(refused), fields=[])
        flash(str(refused), "error")
        return redirect(_note_url(note), code=303)
    if is_htmx():
        fields = [k for k in request.form if k not in ("csrf_token", "version")]
        return render("notes/_save_status.html", note=note, errors=parsed.errors, message=None, fields=fields,
                      saved_at=note.updated_at)
    if parsed.errors:
        return _show_note(note, clinic, status=422, errors=parsed.errors, form_values=request.form)
    more = request.form.get("more")
    if more in MORE:  # Add Diagnosis / Add Goal / Add Measurement: saved, and the editor has more rows
        return redirect(_note_url(note, more=more, _anchor=f"f-{more}"), code=303)
    flash("Draft saved.", "success")
    return redirect(_note_url(note), code=303)


def _save_posted(note: Note, clinic):
    """Save what the editor posted with a Forward or Finalize button (nothing typed is lost). Answers a
    response when the save was refused or had bad fields, else None."""
    if "version" not in request.form:
        return None
    try:
        parsed = actions.save_note(note, clinic, current_user, request.form, _version())
    except actions.VersionConflict as conflict:
        return _show_note(_load_note(note.id), clinic, status=409, message=str(conflict))
    except actions.NoteRefused:
        return None  # not the user's to edit: the action itself answers why
    if parsed.errors:
        return _show_note(note, clinic, status=422, errors=parsed.errors, form_values=request.form,
                          message="Correct the highlighted fields first.")
    return None


def _case_therapists(note: Note, clinic) -> list[User]:
    """The clinic's active therapists of the case's discipline (a PT case's co-signer is a PT)."""
    return [t for t in active_therapists(clinic) if t.user_type.value == note.case.discipline.value]


def _therapist_for(note: Note, raw: str | None, clinic) -> User | None:
    if not (raw or "").isdigit():
        return None
    return next((t for t in _case_therapists(note, clinic) if t.id == int(raw)), None)


@bp.route("/<int:note_id>/forward", methods=["POST"])
@login_required
def forward(note_id: int):
    note = _load_note(note_id)
    clinic = current_clinic()
    refused = _save_posted(note, clinic)
    if refused is not None:
        return refused
    cosigner = _therapist_for(note, request.form.get("cosigner_id"), clinic)
    try:
        if cosigner is None:
            raise actions.NoteRefused(f"Choose the {note.case.discipline.value} who will co-sign the note.")
        actions.forward_note(note, clinic, current_user, cosigner)
    except actions.NoteRefused as error:
        return _show_note(note, clinic, status=422, message=str(error), errors={"cosigner_id": str(error)})
    flash(f"Forwarded to {cosigner.name} for co-signature.", "success")
    return redirect(_note_url(note), code=303)


@bp.route("/<int:note_id>/return", methods=["POST"])
@login_required
def return_to_author(note_id: int):
    note = _load_note(note_id)
    clinic = current_clinic()
    try:
        actions.return_note(note, clinic, current_user, request.form.get("comment", ""))
    except actions.NoteRefused as error:
        return _show_note(note, clinic, status=422, message=str(error), errors={"comment": str(error)})
    flash("Returned to the author with your comment.", "success")
    return redirect(url_for("notes.cosign_queue"), code=303)


@bp.route("/<int:note_id>/finalize", methods=["POST"])
@login_required
def finalize(note_id: int):
    """Finalize (the author) or Co-sign & Finalize (the named co-signer), after saving what was posted."""
    note = _load_note(note_id)
    clinic = current_clinic()
    refused = _save_posted(note, clinic)
    if refused is not None:
        return refused
    supervisor = _therapist_for(note, request.form.get("supervised_by"), clinic)
    try:
        warnings = actions.finalize_note(note, clinic, current_user, supervised_by=supervisor,
                                         acknowledged=request.form.get("acknowledge_warnings") == "on")
    except actions.NoteRefused as error:
        return _show_note(_load_note(note_id), clinic, status=422, message=str(error))
    except actions.FinalizeBlocked as blocked:
        return _show_note(note, clinic, status=422, problems=blocked.problems)
    flash(f"{note.kind.value} finalized." + (" Finalized with warnings: " + " ".join(w.message for w in warnings) if warnings else ""),
          "success")
    return redirect(_note_url(note), code=303)


@bp.route("/<int:note_id>/charges", methods=["POST"])
@login_required
def charge_preview(note_id: int):
    """The Charge Summary recomputed from the editor's rows as the therapist types (htmx; nothing is saved: the
    autosave keeps the rows). Bad rows come back with their messages at the field."""
    note = _load_note(note_id)
    clinic = current_clinic()
    if not note.kind.is_billable or not actions.decision(Action.SAVE, note, clinic, current_user):
        abort(404)
    clocks = case_clocks(note.case, clinic.company, actions.clinic_today(clinic))
    charge = _charge_view(note, clinic, clocks, form=request.form)
    slots = ("c_code", "c_minutes", "c_by", "c_asst", "c_units", "c_dx") + (("c_mod",) if charge["additional_modifiers"] else ())
    fields = list(dict.fromkeys(k for k in request.form if k.rsplit("-", 1)[0] in slots))
    return render("notes/_charge_preview.html", charge=charge, errors=charge["row_errors"], fields=fields)


@bp.route("/<int:note_id>/refused/<int:refused_id>/dismiss", methods=["POST"])
@login_required
def dismiss_refused(note_id: int, refused_id: int):
    note = _load_note(note_id)
    kept = db.session.get(RefusedSave, refused_id)
    if kept is None or kept.note_id != note.id or kept.user_id != current_user.id:
        abort(404)
    db.session.delete(kept)
    db.session.commit()
    return redirect(_note_url(note), code=303)


# -- signatures, print -----------------------------------------------------------------------------
@bp.route("/<int:note_id>/signatures/<int:signature_id>")
@login_required
def signature_image(note_id: int, signature_id: int):
    note = _load_note(note_id)
    signature = db.session.get(NoteSignature, signature_id)
    if signature is None or signature.note_id != note.id or not signature.image:
        abort(404)
    response = Response(signature.image, mimetype=signature.mime or "image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<int:note_id>/print")
@login_required
def print_view(note_id: int):
    """A finalized note for paper or PDF (the browser's print): the plan of care with a line for the
    physician's signature."""
    note = _load_note(note_id)
    if not note.is_finalized:
        abort(404)
    record("note.print", "note", note.id, clinic_id=note.clinic_id)
    commit_after_response()
    clinic = current_clinic()
    return render("notes/print.html", note=note, case=note.case, patient=note.patient, clinic=clinic,
                  charge_lines=lines_of(note.id) if note.kind.is_billable else [],
                  show_amounts=current_user.can(Permission.BILLING_REPORT_ADMIN),
                  sections=note_sections(clinic, note.kind), users={u.id: u for u in _named_users(note)},
                  intact=is_intact(note))


# -- addenda ---------------------------------------------------------------------------------------
@bp.route("/<int:note_id>/addenda", methods=["POST"])
@login_required
def add_addendum(note_id: int):
    note = _load_note(note_id)
    clinic = current_clinic()
    try:
        addendum = actions.add_addendum(note, current_user, request.form.get("text", ""))
        mode = request.form.get("finalize")
        if mode in ("finalize", "rebill"):
            actions.finalize_addendum(addendum, current_user, rebill=mode == "rebill")
    except actions.NoteRefused as error:
        return _read_view(note, clinic, status=422, addendum_error=str(error), addendum_text=request.form.get("text", ""))
    flash("Addendum finalized." if addendum.is_finalized else "Addendum saved as a draft.", "success")
    return redirect(_note_url(note, _anchor="addenda"), code=303)


@bp.route("/<int:note_id>/addenda/<int:addendum_id>/finalize", methods=["POST"])
@login_required
def finalize_addendum(note_id: int, addendum_id: int):
    note = _load_note(note_id)
    addendum = db.session.get(Addendum, addendum_id)
    if addendum is None or addendum.note_id != note.id:
        abort(404)
    mode = request.form.get("finalize")
    try:
        if mode not in ("finalize", "rebill"):
            raise actions.NoteRefused("Choose Finalize or Finalize & Rebill.")
        actions.finalize_addendum(addendum, current_user, rebill=mode == "rebill", text=request.form.get("text"))
    except actions.NoteRefused as error:
        return _read_view(note, current_clinic(), status=422, addendum_error=str(error))
    flash("Addendum finalized" + (": the note's charges are marked for a charge update (rebill)." if addendum.rebill else "."), "success")
    return redirect(_note_url(note, _anchor="addenda"), code=303)


# -- physician certification of the plan of care ---------------------------------------------------
@bp.route("/<int:note_id>/certification", methods=["POST"])
@login_required
def certification(note_id: int):
    """POC sent to the physician, verbal order, signed order (2025 rule), signed copy received (with its
    upload). Kept apart from the note's locked content."""
    note = _load_note(note_id)
    require(Permission.EDIT_PATIENTS)
    if not note.is_finalized or not note.kind.is_evaluative:
        abort(404)
    cert = db.session.scalar(select(PlanCertification).where(PlanCertification.note_id == note.id)) or PlanCertification(note_id=note.id)
    errors, values = {}, {}
    for name in ("sent_on", "verbal_order_on", "order_signed_on", "signed_on", "received_on"):
        try:
            values[name] = parse_date(request.form.get(name, ""))
        except ValueError as error:
            errors[name] = str(error)
        else:
            if values[name] and values[name] > actions.clinic_today(current_clinic()):
                errors[name] = "This date cannot be in the future."
    upload = request.files.get("signed_copy")
    data = upload.read(SIGNED_COPY_MAX + 1) if upload and upload.filename else b""
    if data:
        mime = next((m for m, magic in SIGNED_COPY_TYPES.items() if data.startswith(magic)), None)
        if len(data) > SIGNED_COPY_MAX:
            errors["signed_copy"] = "The signed copy can be at most 10 MB."
        elif mime is None:
            errors["signed_copy"] = "Upload the signed copy as a PDF, PNG or JPEG."
    if errors:
        return _read_view(note, current_clinic(), status=422, certification_errors=errors)
    for name, value in values.items():
        setattr(cert, name, value)
    if data:
        cert.signed_copy, cert.signed_copy_mime = data, mime
        cert.signed_copy_name = (upload.filename or "")[:200]
    cert.updated_at, cert.updated_by_id = utcnow(), current_user.id
    db.session.add(cert)
    record("note.certification", "note", note.id, clinic_id=note.clinic_id, summary="Physician certification updated")
    db.session.commit()
    flash("Physician certification saved.", "success")
    return redirect(_note_url(note, _anchor="certification"), code=303)


@bp.route("/<int:note_id>/certification/signed-copy")
@login_required
def signed_copy(note_id: int):
    note = _load_note(note_id)
    cert = db.session.scalar(select(PlanCertification).where(PlanCertification.note_id == note.id))
    if cert is None or not cert.signed_copy:
        abort(404)
    record("note.certification_download", "note", note.id, clinic_id=note.clinic_id)
    commit_after_response()
    response = Response(cert.signed_copy, mimetype=cert.signed_copy_mime)
    response.headers["Content-Disposition"] = "attachment; filename=signed-plan-of-care" + (
        ".pdf" if cert.signed_copy_mime == "application/pdf" else ".png" if cert.signed_copy_mime == "image/png" else ".jpg")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- queues ----------------------------------------------------------------------------------------
@bp.route("/")
@login_required
def mine():
    """My notes: the signed-in provider's drafts, returned notes and notes pending co-signature."""
    require(Permission.START_NOTES)
    page = my_notes_page(current_user.id, current_clinic().id)
    return render("notes/mine.html", "notes/_queue_table.html", page=page, endpoint="notes.mine", queue="mine")


@bp.route("/cosign")
@login_required
def cosign_queue():
    """Incomplete Cosign Docs: notes forwarded to the signed-in therapist for co-signature."""
    require(Permission.FINISH_NOTES)
    page = cosign_page(current_user.id, current_clinic().id)
    return render("notes/cosign.html", "notes/_queue_table.html", page=page, endpoint="notes.cosign_queue", queue="cosign")
