"""Insurances and referring physicians, kept per company (the current clinic's company).

Insurances (Insurance Admin): list with search, Add Insurance, Edit Insurance, including the settings that
enabled plugins contribute (``caseload_insurance_settings_fields``). Referring physicians: View Patients to
see them, Edit Patients to add and edit them (the front desk adds them). Another company's insurance or
physician answers 404.
"""
from __future__ import annotations

from functools import cache

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError

from core.audit import record
from core.extensions import db
from core.payers.forms import (
    ALLOW_ASSISTANT_FINALIZE_HELP,
    BILLING_ADDRESS_WIDTH,
    ReferringPhysicianForm,
    address_warnings,
    build_insurance_form,
)
from core.payers.models import Insurance, InsuranceType, ReferringPhysician, UnitCalculation
from core.plugin_api import SettingField
from core.plugin_host import flatten, hooks_for, insurance_setting
from core.tenancy import current_clinic, get_in_company_or_404
from core.web import (
    LIKE_ESCAPE,
    Permission,
    digits,
    escape_like,
    format_phone,
    format_zip,
    normalise_phone,
    paginate,
    render,
    require,
)

bp = Blueprint("insurances", __name__, url_prefix="/settings")


def _search_term(limit: int = 100) -> str:
    return (request.args.get("q") or "").strip()[:limit]


# -- plugin-contributed insurance settings --------------------------------------------------------
def insurance_plugin_fields(clinic) -> list[tuple[str, SettingField]]:
    """``(plugin name, SettingField)`` for every insurance setting the plugins on in ``clinic`` declare,
    sorted by plugin name (each plugin's fields in the order it declares them)."""
    caller = hooks_for(clinic).caseload_insurance_settings_fields
    pairs: list[tuple[str, SettingField]] = []
    for impl in caller.get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        arguments = {"clinic": clinic}
        result = impl.function(*[arguments[name] for name in impl.argnames])
        pairs.extend((impl.plugin_name, setting) for setting in flatten([result]))
    return sorted(pairs, key=lambda pair: pair[0])


# -- insurances -----------------------------------------------------------------------------------
def company_insurance_or_404(insurance_id: int) -> Insurance:
    return get_in_company_or_404(Insurance, insurance_id)


def insurances_query(company_id: int, term: str) -> tuple:
    """``(statement, params)``: the company's insurances, those whose name contains ``term`` if given."""
    params = {"company_id": company_id}
    if term:
        params["term"] = escape_like(term.lower())
    return _insurances_statement(bool(term)), params


@cache
def _insurances_statement(by_term: bool):
    query = select(Insurance).where(Insurance.company_id == bindparam("company_id"))
    if by_term:
        query = query.where(func.lower(Insurance.name).contains(bindparam("term"), escape=LIKE_ESCAPE))
    return query.order_by(Insurance.name, Insurance.id)


@bp.get("/insurances/")
@login_required
def index():
    require(Permission.INSURANCE_ADMIN)
    clinic = current_clinic()
    statement, params = insurances_query(clinic.company_id, _search_term())
    page = paginate(statement, params=params)
    return render("payers/index.html", "payers/_table.html", clinic=clinic, page=page, args=request.args)


def _insurance_snapshot(insurance: Insurance) -> dict:
    return {
        "name": insurance.name,
        "type": insurance.insurance_type.value if insurance.insurance_type else None,
        "payer_id": insurance.payer_id,
        "alternate_id": insurance.alternate_id,
        "unit_calculation": insurance.unit_calculation.value if insurance.unit_calculation else None,
        "authorization_required": bool(insurance.authorization_required),
        "enabled_modifiers": list(insurance.enabled_modifiers or []),
        "allow_assistant_finalize": bool(insurance.allow_assistant_finalize),
        "active": bool(insurance.active),
        "plugin_settings": dict(insurance.plugin_settings or {}),
    }


def _load_insurance(form, insurance: Insurance) -> None:
    form.name.data = insurance.name
    form.insurance_type.data = insurance.insurance_type.value
    form.payer_id.data = insurance.payer_id
    form.alternate_id.data = insurance.alternate_id
    form.unit_calculation.data = insurance.unit_calculation.value
    form.authorization_required.data = insurance.authorization_required
    form.enabled_modifiers.data = list(insurance.enabled_modifiers or [])
    form.allow_assistant_finalize.data = insurance.allow_assistant_finalize
    form.active.data = insurance.active
    for plugin, setting, name in form.plugin_fields:
        form[name].data = insurance_setting(insurance, plugin, setting.key, setting.default)


def _apply_insurance(form, insurance: Insurance) -> None:
    insurance.name = form.name.data.strip()
    insurance.insurance_type = InsuranceType(form.insurance_type.data)
    insurance.payer_id = (form.payer_id.data or "").strip()
    insurance.alternate_id = (form.alternate_id.data or "").strip()
    insurance.unit_calculation = UnitCalculation(form.unit_calculation.data)
    insurance.authorization_required = bool(form.authorization_required.data)
    # Keep the company's order of modifiers.
    chosen = set(form.enabled_modifiers.data or [])
    insurance.enabled_modifiers = [m for m, _ in form.enabled_modifiers.choices if m in chosen]
    insurance.allow_assistant_finalize = bool(form.allow_assistant_finalize.data)
    insurance.active = bool(form.active.data)
    # Plugins off in this clinic keep what they stored (insurances are shared by the company's clinics).
    settings = {plugin: dict(values) for plugin, values in (insurance.plugin_settings or {}).items()}
    for plugin, values in form.plugin_values().items():
        settings.setdefault(plugin, {}).update(values)
    insurance.plugin_settings = settings


def _insurance_form_page(form, clinic, insurance=None, status=200):
    return render(
        "payers/form.html",
        status=status,
        form=form,
        clinic=clinic,
        insurance=insurance,
        allow_assistant_finalize_help=ALLOW_ASSISTANT_FINALIZE_HELP,
    )


@bp.route("/insurances/new", methods=["GET", "POST"])
@login_required
def new():
    require(Permission.INSURANCE_ADMIN)
    clinic = current_clinic()
    form = build_insurance_form(insurance_plugin_fields(clinic), list(clinic.company.additional_modifiers or []))
    if request.method == "GET":
        return _insurance_form_page(form, clinic)
    if form.validate_on_submit():
        insurance = Insurance(company_id=clinic.company_id)
        _apply_insurance(form, insurance)
        db.session.add(insurance)
        db.session.flush()
        record("insurance.create", "insurance", insurance.id, clinic_id=clinic.id, summary="insurance added",
               changes={"after": _insurance_snapshot(insurance)})
        db.session.commit()
        flash(f"{insurance.name} was added.", "success")
        return redirect(url_for(".index"), code=303)
    return _insurance_form_page(form, clinic, status=422)


@bp.route("/insurances/<int:insurance_id>/edit", methods=["GET", "POST"])
@login_required
def edit(insurance_id: int):
    require(Permission.INSURANCE_ADMIN)
    clinic = current_clinic()
    insurance = company_insurance_or_404(insurance_id)
    form = build_insurance_form(insurance_plugin_fields(clinic), list(clinic.company.additional_modifiers or []))
    if request.method == "GET":
        _load_insurance(form, insurance)
        return _insurance_form_page(form, clinic, insurance)
    if form.validate_on_submit():
        before = _insurance_snapshot(insurance)
        _apply_insurance(form, insurance)
        after = _insurance_snapshot(insurance)
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changed:
            record("insurance.update", "insurance", insurance.id, clinic_id=clinic.id,
                   summary=", ".join(sorted(changed)) + " changed", changes=changed)
        db.session.commit()
        flash(f"{insurance.name} was updated.", "success")
        return redirect(url_for(".index"), code=303)
    return _insurance_form_page(form, clinic, insurance, status=422)


# -- referring physicians -------------------------------------------------------------------------
def company_physician_or_404(physician_id: int) -> ReferringPhysician:
    return get_in_company_or_404(ReferringPhysician, physician_id)


def physicians_query(company_id: int, term: str):
    """The company's referring physicians; ``term`` is an NPI prefix (digits) or name prefixes (each word
    starts the first or the last name)."""
    query = select(ReferringPhysician).where(ReferringPhysician.company_id == company_id)
    if term and term.isdigit():
        query = query.where(ReferringPhysician.npi.startswith(term, autoescape=True))
    elif term:
        words = term.lower().replace(",", " ").split()[:4]
        query = query.where(and_(*[
            or_(
                func.lower(ReferringPhysician.last_name).startswith(word, autoescape=True),
                func.lower(ReferringPhysician.first_name).startswith(word, autoescape=True),
            )
            for word in words
        ]))
    return query.order_by(ReferringPhysician.last_name, ReferringPhysician.first_name, ReferringPhysician.id)


@bp.get("/referring-physicians/")
@login_required
def physicians():
    require(Permission.VIEW_PATIENTS)
    clinic = current_clinic()
    page = paginate(physicians_query(clinic.company_id, _search_term()))
    return render("payers/physicians.html", "payers/_physician_table.html", clinic=clinic, page=page,
                  args=request.args)


@bp.get("/referring-physicians/<int:physician_id>")
@login_required
def physician(physician_id: int):
    require(Permission.VIEW_PATIENTS)
    physician = company_physician_or_404(physician_id)
    warnings = address_warnings({"address_line1": physician.address_line1, "address_line2": physician.address_line2})
    return render("payers/physician.html", physician=physician, warnings=warnings, clinic=current_clinic())


_PHYSICIAN_FIELDS = ("first_name", "last_name", "credentials", "npi", "address_line1", "address_line2", "city",
                     "state", "postal_code", "phone", "fax", "alternate_id")


def _physician_snapshot(physician: ReferringPhysician) -> dict:
    return {name: getattr(physician, name) for name in _PHYSICIAN_FIELDS}


def _apply_physician(form, physician: ReferringPhysician) -> None:
    for name in ("first_name", "last_name", "credentials", "address_line1", "address_line2", "city", "alternate_id"):
        setattr(physician, name, (form[name].data or "").strip())
    physician.npi = form.npi.data
    physician.state = (form.state.data or "").upper()
    physician.postal_code = digits(form.postal_code.data)
    physician.phone = normalise_phone(form.phone.data)
    physician.fax = normalise_phone(form.fax.data)


def _duplicate_npi(company_id: int, npi: str, physician_id: int | None) -> ReferringPhysician | None:
    query = select(ReferringPhysician).where(ReferringPhysician.company_id == company_id, ReferringPhysician.npi == npi)
    if physician_id is not None:
        query = query.where(ReferringPhysician.id != physician_id)
    return db.session.scalar(query)


def _refuse_duplicate(form, existing: ReferringPhysician) -> None:
    form.npi.errors = list(form.npi.errors) + [
        f"{existing.name} already has this NPI in your company. Use the existing physician instead of adding "
        "a duplicate: duplicate providers cause billing problems."
    ]


def _physician_form_page(form, physician=None, duplicate=None, status=200):
    return render(
        "payers/physician_form.html",
        status=status,
        form=form,
        physician=physician,
        duplicate=duplicate,
        warnings=form.address_warnings(),
        width=BILLING_ADDRESS_WIDTH,
    )


def _save_physician(form, physician: ReferringPhysician | None, clinic):
    """Validate, refuse a duplicate NPI in favour of the existing physician, save and audit."""
    duplicate = None
    if form.validate_on_submit():
        duplicate = _duplicate_npi(clinic.company_id, form.npi.data, physician.id if physician else None)
        if duplicate is None:
            creating = physician is None
            before = {} if creating else _physician_snapshot(physician)
            before_id = None if creating else physician.id
            if creating:
                physician = ReferringPhysician(company_id=clinic.company_id)
                db.session.add(physician)
            _apply_physician(form, physician)
            try:
                db.session.flush()
            except IntegrityError:  # another user saved the same NPI a moment ago
                db.session.rollback()
                physician = None if creating else company_physician_or_404(before_id)
                duplicate = _duplicate_npi(clinic.company_id, form.npi.data, before_id)
                if duplicate is None:
                    form.npi.errors = list(form.npi.errors) + ["This physician could not be saved; try again."]
            else:
                after = _physician_snapshot(physician)
                if creating:
                    record("referring_physician.create", "referring_physician", physician.id, clinic_id=clinic.id,
                           summary="referring physician added", changes={"after": after})
                else:
                    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
                    if changed:
                        record("referring_physician.update", "referring_physician", physician.id, clinic_id=clinic.id,
                               summary=", ".join(sorted(changed)) + " changed", changes=changed)
                db.session.commit()
                warnings = form.address_warnings()
                flash(f"{physician.name} was {'added' if creating else 'updated'}.", "success")
                if warnings:
                    flash(f"The billing feed truncates address lines to {BILLING_ADDRESS_WIDTH} characters: "
                          f"{len(warnings)} of this physician's address lines will be cut short.", "warning")
                return redirect(url_for(".physician", physician_id=physician.id), code=303)
        if duplicate is not None:
            _refuse_duplicate(form, duplicate)
    return _physician_form_page(form, physician, duplicate, status=422)


@bp.route("/referring-physicians/new", methods=["GET", "POST"])
@login_required
def new_physician():
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    form = ReferringPhysicianForm()
    if request.method == "GET":
        return _physician_form_page(form)
    return _save_physician(form, None, clinic)


@bp.route("/referring-physicians/<int:physician_id>/edit", methods=["GET", "POST"])
@login_required
def edit_physician(physician_id: int):
    require(Permission.EDIT_PATIENTS)
    clinic = current_clinic()
    physician = company_physician_or_404(physician_id)
    if request.method == "GET":
        form = ReferringPhysicianForm(obj=physician)
        form.phone.data, form.fax.data = format_phone(physician.phone), format_phone(physician.fax)
        form.postal_code.data = format_zip(physician.postal_code)
        return _physician_form_page(form, physician)
    return _save_physician(ReferringPhysicianForm(), physician, clinic)
