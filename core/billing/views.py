"""The company's billing tables, for the Company Admin: the Fee Schedule and Custom Codes.

Fee Schedule (``/billing/fee-schedule``): the company's charge per unit of each catalogue code, effective-dated
and never overwritten. A new entry for a code whose open entry (no end date) starts earlier ends that entry
the day before the new one starts; no two entries of one code may cover the same day (refused at the field,
nothing changed). List with a code filter, Add, Edit (amount and dates), and the schedule as CSV.

Custom Codes (``/billing/custom-codes``): the company's own codes for supplies, wellness programs, gym
memberships and self-pay services (on Self Pay cases). List, Add, Edit, Deactivate and Reactivate.

Only the current clinic's company's rows are shown; another company's entry or code answers 404. Every
change is audited with its values (codes, amounts, dates: no PHI).
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from core.audit import record
from core.billing import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.billing.catalogue import code_on
from core.billing.fee_forms import (
    CATALOGUE_CODES,
    CODE_CHOICES,
    CUSTOM_CODES_EXPLANATION,
    DESCRIPTIONS,
    CustomCodeForm,
    FeeEntryEditForm,
    FeeEntryForm,
)
from core.billing.models import CustomCode, FeeScheduleEntry
from core.extensions import db
from core.tenancy import Company, current_clinic, get_in_company_or_404
from core.web import Permission, confirmation_page, confirmed, csv_response, is_htmx, local_today, paginate, render, require

bp = Blueprint("billing", __name__, url_prefix="/billing")

CSV_HEADER = ("Code", "Description", "Amount", "Effective from", "Effective to")


def describe(code: str, day: date | None = None) -> str:
    """The catalogue's description of ``code`` (on ``day`` when given)."""
    entry = code_on(code, day) if day else None
    return entry.description if entry else DESCRIPTIONS.get(code, "")


def _us(day: date | None) -> str:
    return f"{day:%m/%d/%Y}" if day else ""


def _money(amount) -> str:
    return f"${amount:,.2f}"


def _changes(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


def _lock_company(company_id: int) -> None:
    """Serialise the company's billing-table writes (PostgreSQL; SQLite writes one at a time anyway), so
    that two admins adding entries at once cannot overlap them."""
    db.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())


# -- Fee Schedule ----------------------------------------------------------------------------------
@cache
def _entries_statement(by_code: bool):
    query = select(FeeScheduleEntry).where(FeeScheduleEntry.company_id == bindparam("company_id"))
    if by_code:
        query = query.where(FeeScheduleEntry.code == bindparam("code"))
    return query.order_by(FeeScheduleEntry.code, FeeScheduleEntry.effective_from.desc(), FeeScheduleEntry.id)


def _code_filter() -> str:
    code = (request.args.get("code") or "").strip().upper()[:10]
    return code if code in CATALOGUE_CODES else ""


def _entries_query(company_id: int, code: str) -> tuple:
    params = {"company_id": company_id}
    if code:
        params["code"] = code
    return _entries_statement(bool(code)), params


def entry_status(entry: FeeScheduleEntry, today: date) -> str:
    if entry.effective_from > today:
        return "Starts later"
    if entry.effective_to is not None and entry.effective_to < today:
        return "Ended"
    return "In force"


@bp.get("/fee-schedule")
@login_required
def fee_schedule():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    code = _code_filter()
    statement, params = _entries_query(clinic.company_id, code)
    page = paginate(statement, params=params, count="window")
    return render("billing/fee_schedule.html", "billing/_fee_schedule_table.html", clinic=clinic, page=page,
                  args=request.args, code=code, code_choices=[("", "All codes"), *CODE_CHOICES[1:]],
                  describe=describe, entry_status=entry_status, today=local_today(), money=_money)


@bp.get("/fee-schedule.csv")
@login_required
def fee_schedule_csv():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    statement, params = _entries_query(clinic.company_id, _code_filter())
    rows = [(e.code, describe(e.code, e.effective_from), e.amount, _us(e.effective_from), _us(e.effective_to))
            for e in db.session.scalars(statement, params)]
    return csv_response("fee-schedule.csv", CSV_HEADER, rows)


def _entry_snapshot(entry: FeeScheduleEntry) -> dict:
    return {"code": entry.code, "amount": f"{entry.amount:.2f}",
            "effective_from": entry.effective_from.isoformat(),
            "effective_to": entry.effective_to.isoformat() if entry.effective_to else None}


def _entries_of(company_id: int, code: str, lock: bool = False) -> list[FeeScheduleEntry]:
    if lock:
        _lock_company(company_id)
    return list(db.session.scalars(select(FeeScheduleEntry).where(
        FeeScheduleEntry.company_id == company_id, FeeScheduleEntry.code == code).order_by(FeeScheduleEntry.effective_from)))


def _overlaps(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return start <= (other_end or date.max) and other_start <= (end or date.max)


def _period(start: date, end: date | None) -> str:
    return f"from {_us(start)} to {_us(end)}" if end else f"from {_us(start)} (no end date)"


def _refuse_overlap(form, conflict: FeeScheduleEntry, end: date | None, start: date) -> None:
    """Say at the right field why the dates cannot be saved: the entry they overlap, and what would fit."""
    what = f"the {conflict.code} entry {_period(conflict.effective_from, end)} ({_money(conflict.amount)})"
    if conflict.effective_from == start:
        field, message = form.effective_from, (f"An entry for {conflict.code} already starts on {_us(start)} "
                                               f"({_money(conflict.amount)}): edit that entry instead.")
    elif conflict.effective_from < start:
        field, message = form.effective_from, (
            f"These dates overlap {what}: two entries for one code cannot cover the same day. "
            f"Start this entry after {_us(end)}, or edit that entry." if end else
            f"These dates overlap {what}: two entries for one code cannot cover the same day. Edit that entry first.")
    else:
        field, message = form.effective_to, (
            f"These dates overlap {what}: two entries for one code cannot cover the same day. "
            f"End this entry by {_us(conflict.effective_from - timedelta(days=1))}, or edit that entry.")
    field.errors = list(field.errors) + [message]


def _entry_form_page(form, entry=None, status=200):
    return render("billing/fee_entry_form.html", status=status, form=form, entry=entry,
                  description=describe(entry.code, entry.effective_from) if entry else "", money=_money)


@bp.route("/fee-schedule/new", methods=["GET", "POST"])
@login_required
def new_entry():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    form = FeeEntryForm()
    if request.method == "GET":
        form.code.data = _code_filter()
        return _entry_form_page(form)
    if form.validate_on_submit():
        code, start, end = form.code.data, form.effective_from.data, form.effective_to.data
        others = _entries_of(clinic.company_id, code, lock=True)
        # The open entry that starts earlier ends the day before this one starts (effective-dated, never overwritten).
        earlier_open = [e for e in others if e.effective_to is None and e.effective_from < start]
        to_close = earlier_open[-1] if earlier_open else None
        closed_end = start - timedelta(days=1)
        ends = {e.id: (closed_end if e is to_close else e.effective_to) for e in others}
        conflict = next((e for e in others if _overlaps(start, end, e.effective_from, ends[e.id])), None)
        if conflict is not None:
            _refuse_overlap(form, conflict, ends[conflict.id], start)
            return _entry_form_page(form, status=422)
        if to_close is not None:
            before = _entry_snapshot(to_close)
            to_close.effective_to = closed_end
            record("fee_schedule.update", "fee_schedule_entry", to_close.id, clinic_id=clinic.id,
                   summary="effective to set: a new entry starts the next day",
                   changes=_changes(before, _entry_snapshot(to_close)))
        entry = FeeScheduleEntry(company_id=clinic.company_id, code=code, amount=form.amount_value,
                                 effective_from=start, effective_to=end)
        db.session.add(entry)
        try:
            db.session.flush()
        except IntegrityError:  # another admin added an entry starting the same day a moment ago
            db.session.rollback()
            form.effective_from.errors = list(form.effective_from.errors) + [
                f"An entry for {code} starting on {_us(start)} was just added: reload the Fee Schedule."]
            return _entry_form_page(form, status=422)
        record("fee_schedule.create", "fee_schedule_entry", entry.id, clinic_id=clinic.id,
               summary="fee schedule entry added", changes={"after": _entry_snapshot(entry)})
        db.session.commit()
        message = f"{code}: {_money(entry.amount)} {_period(start, end)}."
        if to_close is not None:
            message += f" The previous entry (from {_us(to_close.effective_from)}) now ends {_us(closed_end)}."
        flash(message, "success")
        return redirect(url_for(".fee_schedule", code=code), code=303)
    return _entry_form_page(form, status=422)


@bp.route("/fee-schedule/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    entry = get_in_company_or_404(FeeScheduleEntry, entry_id)
    if request.method == "GET":
        form = FeeEntryEditForm(formdata=None, data={"amount": f"{entry.amount:.2f}", "effective_from": entry.effective_from,
                                                     "effective_to": entry.effective_to})
        return _entry_form_page(form, entry)
    form = FeeEntryEditForm()
    if form.validate_on_submit():
        start, end = form.effective_from.data, form.effective_to.data
        others = [e for e in _entries_of(clinic.company_id, entry.code, lock=True) if e.id != entry.id]
        conflict = next((e for e in others if _overlaps(start, end, e.effective_from, e.effective_to)), None)
        if conflict is not None:
            _refuse_overlap(form, conflict, conflict.effective_to, start)
            return _entry_form_page(form, entry, status=422)
        before = _entry_snapshot(entry)
        entry.amount, entry.effective_from, entry.effective_to = form.amount_value, start, end
        changes = _changes(before, _entry_snapshot(entry))
        try:
            db.session.flush()
        except IntegrityError:  # pragma: no cover (the overlap check covers a shared start; a race only)
            db.session.rollback()
            entry = get_in_company_or_404(FeeScheduleEntry, entry_id)
            form.effective_from.errors = list(form.effective_from.errors) + [
                "Another entry for this code was just saved with these dates: reload the Fee Schedule."]
            return _entry_form_page(form, entry, status=422)
        if changes:
            record("fee_schedule.update", "fee_schedule_entry", entry.id, clinic_id=clinic.id,
                   summary=", ".join(sorted(changes)) + " changed", changes=changes)
        db.session.commit()
        flash(f"{entry.code}: {_money(entry.amount)} {_period(entry.effective_from, entry.effective_to)}.", "success")
        return redirect(url_for(".fee_schedule", code=entry.code), code=303)
    return _entry_form_page(form, entry, status=422)


# -- Custom Codes ----------------------------------------------------------------------------------
@cache
def _custom_codes_statement():
    return (select(CustomCode).where(CustomCode.company_id == bindparam("company_id"))
            .order_by(CustomCode.active.desc(), CustomCode.code, CustomCode.id))


@bp.get("/custom-codes")
@login_required
def custom_codes():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    page = paginate(_custom_codes_statement(), params={"company_id": clinic.company_id}, count="window")
    return render("billing/custom_codes.html", "billing/_custom_codes_table.html", clinic=clinic, page=page,
                  args=request.args, explanation=CUSTOM_CODES_EXPLANATION, money=_money)


def _custom_snapshot(code: CustomCode) -> dict:
    return {"code": code.code, "description": code.description, "amount": f"{code.amount:.2f}",
            "comparative_code": code.comparative_code or "", "active": bool(code.active)}


def _custom_form_page(form, custom_code=None, status=200):
    return render("billing/custom_code_form.html", status=status, form=form, custom_code=custom_code,
                  explanation=CUSTOM_CODES_EXPLANATION)


def _code_taken(company_id: int, code: str, own_id: int | None) -> CustomCode | None:
    query = select(CustomCode).where(CustomCode.company_id == company_id, CustomCode.code == code)
    if own_id is not None:
        query = query.where(CustomCode.id != own_id)
    return db.session.scalar(query)


def _refuse_taken(form, existing: CustomCode) -> None:
    hint = "edit it instead" if existing.active else "it is inactive: reactivate it instead"
    form.code.errors = list(form.code.errors) + [
        f"{existing.code} is already a custom code of your company ({existing.description}): {hint}."]


def _save_custom_code(form, custom_code: CustomCode | None, clinic):
    """Validate, refuse a code the company already has, save and audit."""
    if not form.validate_on_submit():
        return _custom_form_page(form, custom_code, status=422)
    existing = _code_taken(clinic.company_id, form.code.data, custom_code.id if custom_code else None)
    if existing is not None:
        _refuse_taken(form, existing)
        return _custom_form_page(form, custom_code, status=422)
    creating = custom_code is None
    own_id = None if creating else custom_code.id
    before = {} if creating else _custom_snapshot(custom_code)
    if creating:
        custom_code = CustomCode(company_id=clinic.company_id, active=True)
        db.session.add(custom_code)
    custom_code.code = form.code.data
    custom_code.description = form.description.data
    custom_code.amount = form.amount_value
    custom_code.comparative_code = form.comparative_code.data or ""
    try:
        db.session.flush()
    except IntegrityError:  # another admin saved the same code a moment ago
        db.session.rollback()
        custom_code = None if creating else get_in_company_or_404(CustomCode, own_id)
        form.code.errors = list(form.code.errors) + [f"{form.code.data} was just added by someone else: choose another code."]
        return _custom_form_page(form, custom_code, status=422)
    after = _custom_snapshot(custom_code)
    if creating:
        record("custom_code.create", "custom_code", custom_code.id, clinic_id=clinic.id, summary="custom code added",
               changes={"after": after})
    else:
        changes = _changes(before, after)
        if changes:
            record("custom_code.update", "custom_code", custom_code.id, clinic_id=clinic.id,
                   summary=", ".join(sorted(changes)) + " changed", changes=changes)
    db.session.commit()
    flash(f"{custom_code.code} was {'added' if creating else 'saved'}.", "success")
    return redirect(url_for(".custom_codes"), code=303)


@bp.route("/custom-codes/new", methods=["GET", "POST"])
@login_required
def new_custom_code():
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    form = CustomCodeForm()
    if request.method == "GET":
        return _custom_form_page(form)
    return _save_custom_code(form, None, clinic)


@bp.route("/custom-codes/<int:custom_code_id>/edit", methods=["GET", "POST"])
@login_required
def edit_custom_code(custom_code_id: int):
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    custom_code = get_in_company_or_404(CustomCode, custom_code_id)
    if request.method == "GET":
        form = CustomCodeForm(formdata=None, data={
            "code": custom_code.code, "description": custom_code.description, "amount": f"{custom_code.amount:.2f}",
            "comparative_code": custom_code.comparative_code})
        return _custom_form_page(form, custom_code)
    return _save_custom_code(CustomCodeForm(), custom_code, clinic)


DEACTIVATE_DETAIL = ("It can no longer be added to a note's Charge Summary; notes that already bill it keep it. "
                     "You can reactivate it at any time.")


def _row_response(custom_code: CustomCode, message: str):
    """The row alone after Deactivate or Reactivate (its button gets the focus back); a redirect without htmx."""
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for(".custom_codes"), code=303)
    return render("billing/_custom_code_row_update.html", code=custom_code, message=message, category="success",
                  money=_money, focus=True)


def _set_active(custom_code: CustomCode, active: bool, clinic) -> None:
    if bool(custom_code.active) is active:
        return
    custom_code.active = active
    record("custom_code.update", "custom_code", custom_code.id, clinic_id=clinic.id,
           summary="reactivated" if active else "deactivated", changes={"active": [not active, active]})
    db.session.commit()


@bp.post("/custom-codes/<int:custom_code_id>/deactivate")
@login_required
def deactivate_custom_code(custom_code_id: int):
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    custom_code = get_in_company_or_404(CustomCode, custom_code_id)
    if custom_code.active and not confirmed():
        return confirmation_page(f"Deactivate {custom_code.code}?", DEACTIVATE_DETAIL, "Deactivate",
                                 url_for(".custom_codes"))
    _set_active(custom_code, False, clinic)
    return _row_response(custom_code, f"{custom_code.code} is inactive.")


@bp.post("/custom-codes/<int:custom_code_id>/reactivate")
@login_required
def reactivate_custom_code(custom_code_id: int):
    require(Permission.COMPANY_ADMIN)
    clinic = current_clinic()
    custom_code = get_in_company_or_404(CustomCode, custom_code_id)
    _set_active(custom_code, True, clinic)
    return _row_response(custom_code, f"{custom_code.code} is active.")
