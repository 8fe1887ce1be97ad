"""Company Settings (Company Admin) and Clinic Settings' general page (Clinic Admin).

Company Settings: Payer Rules, Additional Modifiers (removing one also removes it from the company's
insurances, in the same transaction) and Initial Exam Case Copy. Clinic Settings: Assistant Note
Finalization, Medicare Fee Schedule, Place of Service, referrals, and the facility's identifiers and
address. Every change is audited with its before and after values. Until the clinic's Medicare Fee
Schedule Regional Location is chosen, its users see an alert at every sign-in
(:func:`flash_fee_schedule_alert`).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from core.audit import record
from core.extensions import db
from core.tenancy.poc_alerts import POC_ALERTS, alert_levels
from core.tenancy.scoping import Clinic, current_clinic
from core.tenancy.settings_forms import (
    INITIAL_EXAM_CASE_COPY_HELP,
    MAX_MODIFIERS,
    REFERRAL_REQUIRED_HELP,
    ClinicSettingsForm,
    CompanySettingsForm,
)
from core.tenancy.signals import company_modifiers_removed
from core.web import Permission, digits, normalise_phone, render, require

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _changes(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


# -- Company Settings ----------------------------------------------------------------------------
def _company_snapshot(company) -> dict:
    return {
        "payer_rule": company.payer_rule,
        "additional_modifiers": list(company.additional_modifiers or []),
        "initial_exam_case_copy": bool(company.initial_exam_case_copy),
        "poc_alerts": alert_levels(company),
    }


@bp.route("/company", methods=["GET", "POST"])
@login_required
def company():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    company = clinic.company
    form = CompanySettingsForm()
    form.set_current_modifiers(list(company.additional_modifiers or []))
    if request.method == "GET":
        form.payer_rule.data = company.payer_rule
        form.modifiers.data = list(company.additional_modifiers or [])
        form.initial_exam_case_copy.data = "on" if company.initial_exam_case_copy else "off"
        for alert, level in alert_levels(company).items():
            form[f"poc_{alert}"].data = level
    elif form.validate_on_submit():
        before = _company_snapshot(company)
        company.payer_rule = form.payer_rule.data
        company.additional_modifiers = form.chosen_modifiers()
        company.initial_exam_case_copy = form.initial_exam_case_copy.data == "on"
        company.poc_alerts = {a.key: form[f"poc_{a.key}"].data for a in POC_ALERTS}
        changes = _changes(before, _company_snapshot(company))
        removed = set(before["additional_modifiers"]) - set(company.additional_modifiers)
        updated = 0
        if removed:
            replies = company_modifiers_removed.send(company, removed=removed, clinic_id=clinic.id)
            updated = sum(result or 0 for _, result in replies)
        if changes:
            record("company.settings", "company", company.id, clinic_id=clinic.id,
                   summary=", ".join(sorted(changes)) + " changed", changes=changes)
        db.session.commit()
        message = "Company Settings saved."
        if updated:
            message += f" The removed modifiers were also removed from {updated} insurance{'s' if updated != 1 else ''}."
        flash(message, "success")
        return redirect(url_for(".company"), code=303)
    return render(
        "tenancy/company.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        company=company,
        clinic=clinic,
        max_modifiers=MAX_MODIFIERS,
        initial_exam_case_copy_help=INITIAL_EXAM_CASE_COPY_HELP,
        poc_alerts=POC_ALERTS,
    )


# -- Clinic Settings (general) -------------------------------------------------------------------
_CLINIC_FIELDS = ("npi", "alternate_id", "address_line1", "address_line2", "city", "state", "postal_code", "phone",
                  "assistant_finalization", "assistant_finalization_verbiage", "fee_schedule_region",
                  "fee_schedule_institutional", "place_of_service_enabled", "referral_required", "time_zone")


def _clinic_snapshot(clinic: Clinic) -> dict:
    return {name: getattr(clinic, name) for name in _CLINIC_FIELDS}


def _load_clinic(form, clinic: Clinic) -> None:
    for name in ("npi", "alternate_id", "address_line1", "address_line2", "city", "state", "postal_code", "phone",
                 "assistant_finalization_verbiage", "fee_schedule_region", "referral_required", "time_zone"):
        form[name].data = getattr(clinic, name)
    if len(clinic.postal_code or "") == 9:
        form.postal_code.data = f"{clinic.postal_code[:5]}-{clinic.postal_code[5:]}"
    form.assistant_finalization.data = "on" if clinic.assistant_finalization else "off"
    form.fee_schedule_institutional.data = "institutional" if clinic.fee_schedule_institutional else "non_institutional"
    form.place_of_service_enabled.data = "yes" if clinic.place_of_service_enabled else "no"


def _apply_clinic(form, clinic: Clinic) -> None:
    clinic.npi = form.npi.data or None
    clinic.alternate_id = (form.alternate_id.data or "").strip()
    clinic.address_line1 = form.address_line1.data.strip()
    clinic.address_line2 = (form.address_line2.data or "").strip()
    clinic.city = form.city.data.strip()
    clinic.state = form.state.data.upper()
    clinic.postal_code = digits(form.postal_code.data)
    clinic.phone = normalise_phone(form.phone.data)
    clinic.assistant_finalization = form.assistant_finalization.data == "on"
    clinic.assistant_finalization_verbiage = form.assistant_finalization_verbiage.data
    clinic.fee_schedule_region = form.fee_schedule_region.data
    clinic.fee_schedule_institutional = form.fee_schedule_institutional.data == "institutional"
    clinic.place_of_service_enabled = form.place_of_service_enabled.data == "yes"
    clinic.referral_required = bool(form.referral_required.data)
    clinic.time_zone = form.time_zone.data


@bp.route("/clinic", methods=["GET", "POST"])
@login_required
def clinic():
    require(Permission.CLINIC_ADMIN)
    clinic = current_clinic()
    form = ClinicSettingsForm()
    if request.method == "GET":
        _load_clinic(form, clinic)
    elif form.validate_on_submit():
        before = _clinic_snapshot(clinic)
        _apply_clinic(form, clinic)
        changes = _changes(before, _clinic_snapshot(clinic))
        if changes:
            record("clinic.settings", "clinic", clinic.id, clinic_id=clinic.id,
                   summary=", ".join(sorted(changes)) + " changed", changes=changes)
        db.session.commit()
        flash("Clinic Settings saved.", "success")
        return redirect(url_for(".clinic"), code=303)
    return render(
        "tenancy/clinic.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        clinic=clinic,
        referral_required_help=REFERRAL_REQUIRED_HELP,
    )


# -- the sign-in alert ---------------------------------------------------------------------------
def flash_fee_schedule_alert(clinic_id: int | None) -> None:
    """Warn, at sign-in and on switching clinics, while the clinic's Medicare Fee Schedule Regional
    Location is not chosen (WebPT alerts at every log-in until it is)."""
    if clinic_id is None:
        return
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is not None and not clinic.fee_schedule_region:
        flash(
            f"The Medicare Fee Schedule Regional Location is not set for {clinic.name}. "
            "A Clinic Admin can choose it in Clinic Settings.",
            "warning",
        )
