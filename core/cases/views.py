"""Cases (episodes of care) under a patient: Add Case, the case page with its authorizations (Add
Authorization), Edit Case and Change Insurance; and the data for the patient chart's Cases section
(``chart_cases``, offered to every template).

View Patients lets a user see cases; Edit Patients lets them add and change them. A patient of another
clinic, or a case of another patient, answers 404.
"""
from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from core.accounts import User
from core.audit import record
from core.cases.forms import (
    AddAuthorizationForm,
    CaseForm,
    CaseFormContext,
    ChangeInsuranceForm,
    EditCaseForm,
    case_form_data,
)
from core.cases.models import PLACES_OF_SERVICE, Authorization, Case, CasePolicy, CaseStatus, PolicyRank
from core.cases.therapists import active_therapists
from core.extensions import db
from core.patients import Patient
from core.payers import Insurance, ReferringPhysician
from core.tenancy import current_clinic, get_in_clinic_or_404
from core.web import Permission, commit_after_response, is_htmx, render, require

bp = Blueprint("cases", __name__, url_prefix="/patients")

CASE_FIELDS = (
    "title", "discipline", "therapist_id", "referring_physician_id", "referral_date", "onset_date", "related_cause",
    "accident_date", "accident_state", "place_of_service", "apply_kx_modifier", "medicare_threshold_used",
    "medicare_threshold_year", "status",
)
# What Change Insurance carries over to the new case.
CONTINUED_FIELDS = tuple(f for f in CASE_FIELDS if f != "status")
POLICY_FIELDS = tuple(c.key for c in CasePolicy.__table__.columns if c.key not in ("id", "case_id", "rank"))

CHANGE_INSURANCE_EXPLANATION = (
    "When a patient changes insurance mid-treatment, it is important that a new case is created so that "
    "information flows into Billing correctly."
)


def case_has_notes(case: Case) -> bool:
    """Whether a note was finalized on ``case`` (``core.notes`` sets the flag). Once a case has notes, its
    insurance policies are locked: a new insurance needs Change Insurance (a new case) rather than an edit."""
    return bool(case.has_finalized_notes)


# -- the patient chart's Cases section -------------------------------------------------------------
CASE_DETAILS = (
    joinedload(Case.policies).joinedload(CasePolicy.insurance),
    joinedload(Case.therapist).load_only(User.first_name, User.last_name, User.user_type, User.status),
    joinedload(Case.authorizations),
)
"""Loader options for what the chart and the case page show of a case, loaded with it."""

def chart_cases(patient: Patient) -> list[Case]:
    """The patient's cases (active first, newest first) with what the chart shows of them: policies and
    their insurances, the therapist's name, authorizations. One statement (a chart has a handful of cases,
    each with a policy or two and a few authorizations, so the joined rows stay few)."""
    return list(db.session.scalars(_chart_cases_statement(), {"patient_id": patient.id, "clinic_id": patient.clinic_id})
                .unique())


@cache
def _chart_cases_statement():
    return (select(Case).where(Case.patient_id == bindparam("patient_id"), Case.clinic_id == bindparam("clinic_id"))
            .order_by(Case.status, Case.created_at.desc(), Case.id.desc()).options(*CASE_DETAILS))


@cache
def _case_statement():
    """One case with what its page shows (built once)."""
    return select(Case).where(Case.id == bindparam("case_id")).options(*CASE_DETAILS, joinedload(Case.referring_physician))


@bp.app_context_processor
def cases_template_helpers():
    return {"chart_cases": chart_cases}


# -- loading and choices ---------------------------------------------------------------------------
def _load_case(patient_id: int, case_id: int) -> tuple[Patient, Case]:
    """The current clinic's patient and one of that patient's cases, else 404."""
    patient = get_in_clinic_or_404(Patient, patient_id)
    case = db.session.scalars(_case_statement(), {"case_id": case_id}).unique().first()
    if case is None or case.patient_id != patient.id or case.clinic_id != patient.clinic_id:
        abort(404)
    return patient, case


def _form_context(clinic, patient: Patient, case: Case | None = None, keep_insurances: bool = True) -> CaseFormContext:
    """Choices for the case forms. The company's active insurances, plus (when ``keep_insurances``)
    those already on ``case`` so that an edit can keep a policy whose insurance was since made inactive."""
    kept = {p.insurance_id for p in case.policies} if case is not None and keep_insurances else set()
    insurances = db.session.scalars(
        select(Insurance)
        .where(Insurance.company_id == clinic.company_id, or_(Insurance.active.is_(True), Insurance.id.in_(kept)))
        .order_by(Insurance.name, Insurance.id)
    )
    physicians = db.session.scalars(
        select(ReferringPhysician).where(ReferringPhysician.company_id == clinic.company_id)
        .order_by(ReferringPhysician.last_name, ReferringPhysician.first_name, ReferringPhysician.id)
    )
    therapists = {u.id: u for u in active_therapists(clinic)}
    stale = {}
    if case is not None and case.therapist_id not in therapists:
        stale[case.therapist_id] = f"{case.therapist.last_name}, {case.therapist.first_name} (not an active therapist here)"
    return CaseFormContext(
        clinic=clinic,
        patient=patient,
        insurances={i.id: i for i in insurances},
        therapists=therapists,
        physicians={p.id: p for p in physicians},
        authorizations_on_case=len(case.authorizations) if case is not None else 0,
        stale_therapists=stale,
    )


def _url_if_exists(endpoints: tuple[str, ...], **values) -> str | None:
    """The URL of the first of ``endpoints`` the app has (pages other modules provide)."""
    for endpoint in endpoints:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, **values)
            except BuildError:
                continue
    return None


def _page(template: str, partial: str | None = None, *, patient: Patient, status: int = 200, **context):
    return render(
        template,
        partial,
        status=status,
        patient=patient,
        chart_url=_url_if_exists(("patients.show", "patients.chart"), patient_id=patient.id),
        edit_patient_url=_url_if_exists(("patients.edit_patient", "patients.edit"), patient_id=patient.id),
        new_physician_url=_url_if_exists(("insurances.new_physician",)),
        **context,
    )


# -- writing ---------------------------------------------------------------------------------------
def _apply_policies(case: Case, form, insurances: dict[int, Insurance]) -> None:
    """Create, update or (a cleared secondary) remove the case's policies from the form."""
    entered = {PolicyRank(rank): sub for rank, sub in form.policy_forms()}
    for rank in PolicyRank:
        existing = case.policy(rank)
        sub = entered.get(rank)
        if sub is None:
            if existing is not None:
                case.policies.remove(existing)
            continue
        values = sub.policy_values(insurances[sub.insurance_id.data])
        if existing is None:
            case.policies.append(CasePolicy(rank=rank, **values))
        else:
            for name, value in values.items():
                setattr(existing, name, value)


def _add_authorization_row(case: Case, form) -> Authorization | None:
    row = form.authorization.form
    if not row.is_entered:
        return None
    authorization = Authorization(**row.authorization_values())
    case.authorizations.append(authorization)
    return authorization


def _snapshot(case: Case) -> dict:
    """Field name -> value, for listing which fields an edit changed (names only go to the audit trail)."""
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    for policy in case.policies:
        for name in POLICY_FIELDS:
            values[f"{policy.rank.value.lower()}.{name}"] = getattr(policy, name)
    return values


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _record_authorization(case: Case, authorization: Authorization | None) -> None:
    if authorization is not None:
        record("authorization.create", "case", case.id, clinic_id=case.clinic_id, summary="authorization added",
               changes={"authorization_id": authorization.id, "fields": ["number", "start_date", "end_date",
                                                                        "visits_authorized"]})


# -- Add Case --------------------------------------------------------------------------------------
@bp.route("/<int:patient_id>/cases/new", methods=["GET", "POST"])
@login_required
def new_case(patient_id: int):
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    patient = get_in_clinic_or_404(Patient, patient_id)
    context = _form_context(clinic, patient)
    form = CaseForm()
    form.configure(context)
    if request.method == "GET":
        if current_user.id in context.therapists:
            form.therapist_id.data = current_user.id
            form.discipline.data = current_user.user_type.value
        wanted = request.args.get("insurance_id", type=int)
        if wanted in context.insurances:
            form.primary.insurance_id.data = wanted
        return _page("cases/form.html", patient=patient, form=form, case=None)
    if form.validate_on_submit():
        case = Case(clinic_id=clinic.id, patient_id=patient.id, status=CaseStatus.ACTIVE, **form.case_values())
        _apply_policies(case, form, context.insurances)
        authorization = _add_authorization_row(case, form)
        db.session.add(case)
        db.session.flush()
        record("case.create", "case", case.id, clinic_id=clinic.id, summary="case added",
               changes={"fields": sorted(_snapshot(case))})
        _record_authorization(case, authorization)
        db.session.commit()
        flash("The case was added.", "success")
        return redirect(url_for(".show", patient_id=patient.id, case_id=case.id), code=303)
    return _page("cases/form.html", patient=patient, form=form, case=None, status=422)


# -- the case page and its authorizations ----------------------------------------------------------
def _case_page(patient: Patient, case: Case, auth_form, status: int = 200, message: str | None = None,
               partial: str | None = None):
    """The case page; ``partial`` is what an htmx request gets instead (the Authorizations section)."""
    return _page("cases/show.html", partial, patient=patient, case=case, auth_form=auth_form,
                 status=status, message=message, place_labels=dict(PLACES_OF_SERVICE))


@bp.get("/<int:patient_id>/cases/<int:case_id>")
@login_required
def show(patient_id: int, case_id: int):
    require(Permission.VIEW_PATIENTS)
    patient, case = _load_case(patient_id, case_id)
    commit_after_response(lambda: record("case.view", "case", case.id, clinic_id=case.clinic_id,
                                         summary="case page viewed"))
    return _case_page(patient, case, AddAuthorizationForm(formdata=None))


@bp.post("/<int:patient_id>/cases/<int:case_id>/authorizations")
@login_required
def add_authorization(patient_id: int, case_id: int):
    require(Permission.EDIT_PATIENTS)
    patient, case = _load_case(patient_id, case_id)
    form = AddAuthorizationForm()
    if not form.validate_on_submit():
        return _case_page(patient, case, form, status=422, partial="cases/_authorizations.html")
    authorization = Authorization(**form.authorization_values())
    case.authorizations.append(authorization)
    db.session.flush()
    _record_authorization(case, authorization)
    db.session.commit()
    message = "The authorization was added."
    if is_htmx():
        return _case_page(patient, case, AddAuthorizationForm(formdata=None), message=message,
                          partial="cases/_authorizations.html")
    flash(message, "success")
    return redirect(url_for(".show", patient_id=patient.id, case_id=case.id), code=303)


# -- Edit Case -------------------------------------------------------------------------------------
@bp.route("/<int:patient_id>/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit_case(patient_id: int, case_id: int):
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    patient, case = _load_case(patient_id, case_id)
    policies_editable = not case_has_notes(case)
    context = _form_context(clinic, patient, case)
    form = EditCaseForm(data=case_form_data(case)) if request.method == "GET" else EditCaseForm()
    form.configure(context, policies_editable=policies_editable)
    page = {"patient": patient, "form": form, "case": case, "policies_editable": policies_editable}
    if request.method == "GET":
        record("case.view", "case", case.id, clinic_id=case.clinic_id, summary="edit case form viewed")
        db.session.commit()
        return _page("cases/form.html", **page)
    if form.validate_on_submit():
        before = _snapshot(case)
        for name, value in form.case_values().items():
            setattr(case, name, value)
        case.status = CaseStatus(form.status.data)
        if policies_editable:
            _apply_policies(case, form, context.insurances)
        authorization = _add_authorization_row(case, form)
        db.session.flush()
        changed = _changed(before, _snapshot(case))
        if changed:
            record("case.update", "case", case.id, clinic_id=case.clinic_id, summary="case edited",
                   changes={"fields": changed})
        _record_authorization(case, authorization)
        db.session.commit()
        flash("The case was saved.", "success")
        return redirect(url_for(".show", patient_id=patient.id, case_id=case.id), code=303)
    return _page("cases/form.html", status=422, **page)


# -- Change Insurance ------------------------------------------------------------------------------
@bp.route("/<int:patient_id>/cases/<int:case_id>/change-insurance", methods=["GET", "POST"])
@login_required
def change_insurance(patient_id: int, case_id: int):
    """A new case with the new insurance, continuing the old one, which is discharged; the old case's
    authorizations are copied only when asked. One transaction."""
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    patient, old = _load_case(patient_id, case_id)
    context = _form_context(clinic, patient, old, keep_insurances=False)
    form = ChangeInsuranceForm()
    form.configure(context)
    problems = []
    if old.status is CaseStatus.DISCHARGED:
        problems.append("This case is discharged. Change Insurance continues an active case: add a new case instead.")
    if old.therapist_id not in context.therapists:
        problems.append("The case's therapist is not a current, active therapist of this clinic: use Edit Case to "
                        "assign one first, so that the new case has a current provider.")
    page = {"patient": patient, "case": old, "form": form, "problems": problems,
            "explanation": CHANGE_INSURANCE_EXPLANATION}
    if request.method == "GET":
        record("case.view", "case", old.id, clinic_id=old.clinic_id, summary="change insurance form viewed")
        db.session.commit()
        return _page("cases/change_insurance.html", **page)
    if not problems and form.validate_on_submit():
        new = Case(clinic_id=clinic.id, patient_id=patient.id, status=CaseStatus.ACTIVE, continues_case_id=old.id,
                   **{name: getattr(old, name) for name in CONTINUED_FIELDS})
        _apply_policies(new, form, context.insurances)
        copied = 0
        if form.copy_authorizations.data:
            for a in old.authorizations:
                new.authorizations.append(Authorization(number=a.number, start_date=a.start_date, end_date=a.end_date,
                                                        visits_authorized=a.visits_authorized, visits_used=a.visits_used))
                copied += 1
        authorization = _add_authorization_row(new, form)
        old.status = CaseStatus.DISCHARGED
        db.session.add(new)
        db.session.flush()
        record("case.change_insurance", "case", new.id, clinic_id=clinic.id,
               summary=f"new case continuing case #{old.id}, which was discharged",
               changes={"continues_case_id": old.id, "authorizations_copied": copied,
                        "fields": sorted(_snapshot(new))})
        record("case.update", "case", old.id, clinic_id=clinic.id, summary=f"discharged: insurance changed, see case #{new.id}",
               changes={"fields": ["status"]})
        _record_authorization(new, authorization)
        db.session.commit()
        flash("A new case was created with the new insurance; the previous case is discharged.", "success")
        return redirect(url_for(".show", patient_id=patient.id, case_id=new.id), code=303)
    return _page("cases/change_insurance.html", status=422, **page)
