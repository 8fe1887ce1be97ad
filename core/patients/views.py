"""The Patient Manager (search, paginated on the server, with plugin columns and actions), Add Patient,
Edit Patient, and the patient's chart: demographics edited in place, account notes and sticky notes.

View Patients lets a user search and open charts; Edit Patients lets them add and change patients and
write account notes. A patient of another clinic answers 404. Every chart read and every change is
audited with ids and field names only (never the values).
"""
from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from core.accounts import User
from core.audit import record
from core.extensions import db
from core.patients.duplicates import possible_duplicates
from core.patients.forms import AccountNoteForm, AddPatientForm, DemographicsForm, PatientForm
from core.patients.models import AccountNote, Patient, PatientAddress, PatientPhone, Sex, patient_search_statement
from core.patients.profile import create_patient, insurance_types
from core.payers import Insurance
from core.plugin_host import flatten, hooks_for
from core.tenancy import accessible_clinic_ids, current_clinic, get_in_clinic_or_404
from core.web import (
    Permission,
    commit_after_response,
    confirmation_page,
    confirmed,
    digits,
    is_htmx,
    normalise_phone,
    paginate,
    render,
    require,
)

bp = Blueprint("patients", __name__, url_prefix="/patients")

NOTES_PAGE_SIZE = 20


@bp.before_request
@login_required
def require_view_patients():
    require(Permission.VIEW_PATIENTS)


def patient_or_404(patient_id: int) -> Patient:
    return get_in_clinic_or_404(Patient, patient_id)


# The chart's statements, built once (see CONTRIBUTING.md, "Fast pages"): the values are bound parameters.
WITH_PHONES = joinedload(Patient.phones)
"""The Patient Manager's rows with their phones (the Primary phone column), in the page's statement."""
NOTE_AUTHOR = joinedload(AccountNote.author).load_only(User.first_name, User.last_name)
"""A note's author as the notes show them: the name only (not the profile, its permissions or clinics)."""


@cache
def _patient_with_contacts():
    """The patient with what the Demographics section shows of them: addresses and phones."""
    return (select(Patient).where(Patient.id == bindparam("patient_id"))
            .options(joinedload(Patient.addresses), joinedload(Patient.phones)))


@cache
def _notes_statements():
    """The chart's account notes (newest first), and its sticky notes with them."""
    in_chart = (AccountNote.patient_id == bindparam("patient_id"), AccountNote.clinic_id == bindparam("clinic_id"))
    newest_first = (AccountNote.created_at.desc(), AccountNote.id.desc())
    return (select(AccountNote).where(*in_chart).order_by(*newest_first),
            select(AccountNote).where(*in_chart, AccountNote.is_sticky.is_(True)).order_by(*newest_first)
            .options(NOTE_AUTHOR))


def chart_patient_or_404(patient_id: int) -> Patient:
    """The current clinic's patient with their addresses and phones (one statement), else 404."""
    patient = db.session.scalars(_patient_with_contacts(), {"patient_id": patient_id}).unique().first()
    if patient is None or patient.clinic_id != current_clinic().id:
        abort(404)
    return patient


# -- Patient Manager -----------------------------------------------------------------------------
def plugin_columns(clinic, patients) -> list:
    """The plugin columns for one page of patients (one hook call for the page), sorted by order then key."""
    columns = flatten(hooks_for(clinic).caseload_patient_manager_columns(clinic=clinic, viewer=current_user, patients=patients))
    return sorted(columns, key=lambda c: (c.order, c.key))


def plugin_actions(clinic) -> list[dict]:
    """Plugin buttons beside Add Patient that the user may use, sorted by order then label."""
    items = flatten(hooks_for(clinic).caseload_patient_manager_actions(clinic=clinic, user=current_user))
    visible = [i for i in items if i.permission is None or current_user.can(i.permission)]
    return [{"label": i.label, "url": url_for(i.endpoint)} for i in sorted(visible, key=lambda i: (i.order, i.label))]


@bp.get("/")
def index():
    clinic = current_clinic()
    term = (request.args.get("q") or "").strip()[:100]
    statement, params = patient_search_statement(clinic.id, term)
    page = paginate(statement, options=(WITH_PHONES,), params=params)
    return render(
        "patients/index.html",
        "patients/_table.html",
        clinic=clinic,
        page=page,
        term=term,
        columns=plugin_columns(clinic, page.items),
        actions=plugin_actions(clinic),
        args=request.args,
    )


# -- Add Patient and Edit Patient ----------------------------------------------------------------
def company_insurances(clinic) -> list[Insurance]:
    return list(db.session.scalars(
        select(Insurance).where(Insurance.company_id == clinic.company_id, Insurance.active.is_(True)).order_by(Insurance.name)
    ))


def format_ssn(ssn: str | None) -> str:
    return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}" if ssn and len(ssn) == 9 else (ssn or "")


def ssn_shown_to(user, patient: Patient) -> str:
    """The SSN as this user may see it: whole for Edit Patients, masked (***-**-1234) otherwise."""
    if not patient.ssn:
        return ""
    return format_ssn(patient.ssn) if user.can(Permission.EDIT_PATIENTS) else patient.masked_ssn


def _display_phone(number: str) -> str:
    return f"({number[:3]}) {number[3:6]}-{number[6:]}" if number and len(number) == 10 else (number or "")


def _demographics_data(patient: Patient) -> dict:
    return {
        "first_name": patient.first_name, "middle_initial": patient.middle_initial, "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth, "sex": patient.sex.value if patient.sex else None,
        "email": patient.email or "", "emergency_contact_name": patient.emergency_contact_name,
        "emergency_contact_relationship": patient.emergency_contact_relationship,
        "emergency_contact_phone": _display_phone(patient.emergency_contact_phone),
    }


def _profile_data(patient: Patient) -> dict:
    addresses = [SimpleNamespace(address_type=a.address_type.value, line1=a.line1, line2=a.line2, city=a.city, state=a.state,
                                 postal_code=a.zip_display) for a in patient.addresses]
    phones = [SimpleNamespace(phone_type=p.phone_type.value, number=p.display) for p in patient.phones]
    return {
        **_demographics_data(patient),
        "ssn": format_ssn(patient.ssn),
        "addresses": addresses,
        "primary_address": next((str(i) for i, a in enumerate(patient.addresses) if a.is_primary), None),
        "phones": phones,
        "primary_phone": next((str(i) for i, p in enumerate(patient.phones) if p.is_primary), None),
        "guarantor_is_patient": patient.guarantor_is_patient,
        **{f"guarantor_{name}": getattr(patient, f"guarantor_{name}") for name in (
            "first_name", "middle_initial", "last_name", "relationship", "city", "state")},
        "guarantor_line1": patient.guarantor_address_line1,
        "guarantor_line2": patient.guarantor_address_line2,
        "guarantor_postal_code": patient.guarantor_postal_code,
        "guarantor_phone": _display_phone(patient.guarantor_phone),
    }


def _apply_demographics(form: DemographicsForm, patient: Patient) -> None:
    patient.set_names(form.first_name.data, (form.middle_initial.data or "").upper(), form.last_name.data)
    patient.date_of_birth = form.date_of_birth.data
    patient.sex = Sex(form.sex.data)
    patient.email = form.email.data or None
    patient.emergency_contact_name = form.emergency_contact_name.data or ""
    patient.emergency_contact_relationship = form.emergency_contact_relationship.data or ""
    patient.emergency_contact_phone = normalise_phone(form.emergency_contact_phone.data) if form.emergency_contact_phone.data else ""


def _apply_profile(form: PatientForm, patient: Patient) -> None:
    _apply_demographics(form, patient)
    # ssn_error has refused anything but 9 digits, blank or "remove" (both of which leave no number).
    patient.ssn = digits(form.ssn.data) or None
    patient.addresses = [PatientAddress(**a) for a in form.filled_addresses()]
    patient.phones = [PatientPhone(**p) for p in form.filled_phones()]
    patient.guarantor_is_patient = bool(form.guarantor_is_patient.data)
    own = patient.guarantor_is_patient
    patient.guarantor_first_name = "" if own else form.guarantor_first_name.data
    patient.guarantor_middle_initial = "" if own else (form.guarantor_middle_initial.data or "").upper()
    patient.guarantor_last_name = "" if own else form.guarantor_last_name.data
    patient.guarantor_relationship = "" if own else form.guarantor_relationship.data
    patient.guarantor_address_line1 = "" if own else form.guarantor_line1.data
    patient.guarantor_address_line2 = "" if own else (form.guarantor_line2.data or "")
    patient.guarantor_city = "" if own else form.guarantor_city.data
    patient.guarantor_state = "" if own else form.guarantor_state.data
    patient.guarantor_postal_code = "" if own else digits(form.guarantor_postal_code.data)
    patient.guarantor_phone = "" if own else normalise_phone(form.guarantor_phone.data)


_PROFILE_FIELDS = (
    "first_name", "middle_initial", "last_name", "date_of_birth", "sex", "ssn", "email", "emergency_contact_name",
    "emergency_contact_relationship", "emergency_contact_phone", "guarantor_is_patient", "guarantor_first_name",
    "guarantor_middle_initial", "guarantor_last_name", "guarantor_relationship", "guarantor_address_line1",
    "guarantor_address_line2", "guarantor_city", "guarantor_state", "guarantor_postal_code", "guarantor_phone",
)


def _snapshot(patient: Patient) -> dict:
    """The profile's values, to find which fields changed (only the field names are audited)."""
    values = {name: getattr(patient, name) for name in _PROFILE_FIELDS}
    values["addresses"] = [(a.address_type, a.is_primary, a.line1, a.line2, a.city, a.state, a.postal_code) for a in patient.addresses]
    values["phones"] = [(p.phone_type, p.is_primary, p.number) for p in patient.phones]
    return values


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def _form_page(form, clinic, patient=None, status=200, duplicates=(), focus_new=None):
    """The Add/Edit Patient page; ``focus_new`` ("address" or "phone") puts the focus in the entry just added."""
    return render("patients/form.html", status=status, form=form, clinic=clinic, patient=patient, duplicates=duplicates,
                  focus_new=focus_new)


def unconfirmed_duplicates(form, clinic) -> list:
    """The possible duplicates of the patient being added, unless the user has said it is a different person."""
    if form.different_person.data:
        return []
    return possible_duplicates(clinic, form.first_name.data, form.last_name.data, form.date_of_birth.data,
                               accessible_clinic_ids(current_user))


@bp.route("/new", methods=["GET", "POST"])
def add_patient():
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    if request.method == "GET":
        form = AddPatientForm(data={"primary_address": "0", "primary_phone": "0"})
        form.set_insurances(company_insurances(clinic))
        return _form_page(form, clinic)
    form = AddPatientForm()
    form.set_insurances(company_insurances(clinic))
    if form.wants_another_entry():
        focus_new = "address" if form.add_address.data else "phone"
        form.add_entry()
        return _form_page(form, clinic, focus_new=focus_new)
    if not form.validate_on_submit():
        return _form_page(form, clinic, status=422)
    duplicates = unconfirmed_duplicates(form, clinic)
    if duplicates:
        return _form_page(form, clinic, status=422, duplicates=duplicates)
    patient = create_patient(clinic, first_name=form.first_name.data, last_name=form.last_name.data,
                             date_of_birth=form.date_of_birth.data, created_by=current_user)
    _apply_profile(form, patient)
    db.session.flush()
    filled = [name for name, value in _snapshot(patient).items() if value not in (None, "", [], False)]
    record("patient.create", "patient", patient.id, clinic_id=clinic.id, summary="patient added",
           changes={"fields": sorted(filled)})
    db.session.commit()
    flash(f"The patient was added (chart #{patient.chart_number}).", "success")
    insurance = form.chosen_insurance()
    if insurance is not None and "cases.new_case" in current_app.view_functions:
        return redirect(url_for("cases.new_case", patient_id=patient.id, insurance_id=insurance.id), code=303)
    return redirect(url_for(".chart", patient_id=patient.id), code=303)


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
def edit_patient(patient_id: int):
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    patient = patient_or_404(patient_id)
    if request.method == "GET":
        form = PatientForm(data=_profile_data(patient))
        record("patient.view", "patient", patient.id, clinic_id=patient.clinic_id, summary="Edit Patient opened")
        db.session.commit()
        return _form_page(form, clinic, patient)
    form = PatientForm()
    form.has_medicare = any(t.is_medicare for t in insurance_types(patient.id))
    if form.wants_another_entry():
        focus_new = "address" if form.add_address.data else "phone"
        form.add_entry()
        return _form_page(form, clinic, patient, focus_new=focus_new)
    if not form.validate_on_submit():
        return _form_page(form, clinic, patient, status=422)
    before = _snapshot(patient)
    _apply_profile(form, patient)
    db.session.flush()
    changed = _changed(before, _snapshot(patient))
    if changed:
        record("patient.update", "patient", patient.id, clinic_id=patient.clinic_id,
               summary=", ".join(changed) + " changed", changes={"fields": changed})
    db.session.commit()
    flash("The patient's profile was saved." if changed else "Nothing changed.", "success")
    return redirect(url_for(".chart", patient_id=patient.id), code=303)


# -- the chart -----------------------------------------------------------------------------------
def _audit_view(patient: Patient, summary: str) -> None:
    """Audit that the chart was read; written with the response (the page's objects stay loaded)."""
    commit_after_response(lambda: record("patient.view", "patient", patient.id, clinic_id=patient.clinic_id,
                                         summary=summary))


def _notes_context(patient: Patient, note_form: AccountNoteForm | None = None) -> dict:
    in_chart = {"patient_id": patient.id, "clinic_id": patient.clinic_id}
    notes_query, sticky_query = _notes_statements()
    notes = paginate(notes_query, options=(NOTE_AUTHOR,), size=NOTES_PAGE_SIZE, count="window", params=in_chart)
    sticky = db.session.scalars(sticky_query, in_chart).all()
    return {
        "patient": patient,
        "notes": notes,
        "sticky_notes": sticky,
        "note_form": note_form or AccountNoteForm(formdata=None),
        "can_edit": current_user.can(Permission.EDIT_PATIENTS),
        "args": request.args,
    }


def _chart_context(patient: Patient, **overrides) -> dict:
    context = {
        **_notes_context(patient, overrides.pop("note_form", None)),
        "ssn_shown": ssn_shown_to(current_user, patient),
        "clinic": current_clinic(),
    }
    context.update(overrides)
    return context


@bp.get("/<int:patient_id>")
def chart(patient_id: int):
    patient = chart_patient_or_404(patient_id)
    _audit_view(patient, "chart opened")
    return render("patients/chart.html", **_chart_context(patient))


# -- demographics, edited in place ---------------------------------------------------------------
@bp.get("/<int:patient_id>/demographics")
def demographics(patient_id: int):
    """The Demographics section (Cancel of the in-place form); the whole chart without htmx."""
    patient = chart_patient_or_404(patient_id)
    _audit_view(patient, "demographics shown")
    return render("patients/chart.html", "patients/_demographics.html", **_chart_context(patient))


@bp.get("/<int:patient_id>/demographics/edit")
def edit_demographics(patient_id: int):
    require(Permission.EDIT_PATIENTS)
    patient = patient_or_404(patient_id)
    _audit_view(patient, "demographics form opened")
    form = DemographicsForm(data=_demographics_data(patient))
    return render("patients/demographics_edit.html", "patients/_demographics_form.html", patient=patient, form=form)


@bp.post("/<int:patient_id>/demographics")
def save_demographics(patient_id: int):
    require(Permission.EDIT_PATIENTS)
    patient = patient_or_404(patient_id)
    form = DemographicsForm()
    if not form.validate_on_submit():
        return render("patients/demographics_edit.html", "patients/_demographics_form.html", status=422, patient=patient,
                      form=form)
    before = _snapshot(patient)
    _apply_demographics(form, patient)
    changed = _changed(before, _snapshot(patient))
    if changed:
        record("patient.update", "patient", patient.id, clinic_id=patient.clinic_id,
               summary="demographics: " + ", ".join(changed) + " changed", changes={"fields": changed})
    db.session.commit()
    if not is_htmx():
        flash("Demographics saved." if changed else "Nothing changed.", "success")
        return redirect(url_for(".chart", patient_id=patient.id), code=303)
    return render("patients/_demographics_update.html", trigger={"patientUpdated": {"id": patient.id}}, patient=patient,
                  saved=True, can_edit=True, ssn_shown=ssn_shown_to(current_user, patient))


# -- account notes and sticky notes --------------------------------------------------------------
@bp.get("/<int:patient_id>/account-notes")
def account_notes(patient_id: int):
    """The Account Notes section (its pages); the whole chart without htmx."""
    patient = patient_or_404(patient_id)
    _audit_view(patient, "account notes shown")
    return render("patients/chart.html", "patients/_account_notes.html", **_chart_context(patient))


def _notes_response(patient: Patient, message: str, note_form: AccountNoteForm | None = None, status: int = 200):
    if status == 200 and not is_htmx():
        flash(message, "success")
        return redirect(url_for(".chart", patient_id=patient.id), code=303)
    return render("patients/chart.html", "patients/_account_notes_update.html", status=status,
                  **_chart_context(patient, note_form=note_form, notes_message=message))


@bp.post("/<int:patient_id>/account-notes")
def add_account_note(patient_id: int):
    require(Permission.EDIT_PATIENTS)
    patient = patient_or_404(patient_id)
    form = AccountNoteForm()
    if not form.validate_on_submit():
        return _notes_response(patient, "The note was not added.", note_form=form, status=422)
    note = AccountNote(clinic_id=patient.clinic_id, patient_id=patient.id, body=form.body.data,
                       is_sticky=bool(form.is_sticky.data), author_id=current_user.id)
    db.session.add(note)
    db.session.flush()
    record("patient.account_note", "patient", patient.id, clinic_id=patient.clinic_id,
           summary="sticky note added" if note.is_sticky else "account note added", changes={"note_id": note.id})
    db.session.commit()
    return _notes_response(patient, "Sticky note added." if note.is_sticky else "Account note added.")


@bp.post("/<int:patient_id>/account-notes/<int:account_note_id>/unstick")
def unstick_account_note(patient_id: int, account_note_id: int):
    require(Permission.EDIT_PATIENTS)
    patient = patient_or_404(patient_id)
    note = db.session.get(AccountNote, account_note_id)
    if note is None or note.patient_id != patient.id or note.clinic_id != patient.clinic_id:
        abort(404)
    if note.is_sticky and not confirmed():
        return confirmation_page("Remove this sticky note?", "The note stays in Account Notes but no longer shows at the top of "
                                 "the chart.", "Remove sticky", url_for(".chart", patient_id=patient.id))
    if note.is_sticky:
        note.is_sticky = False
        record("patient.account_note", "patient", patient.id, clinic_id=patient.clinic_id, summary="sticky removed",
               changes={"note_id": note.id, "is_sticky": [True, False]})
        db.session.commit()
    return _notes_response(patient, "The note is no longer sticky.")
