"""Patient payments and the Patient Ledger: the ledger (and its CSV), Record Payment, Correct, Reverse and
Refund; and the chart's Ledger section (``chart_ledger_section``, offered to every template).

View Patients lets a user see the ledger, charges included; Edit/Delete Patient Transactions lets them
record, correct, reverse and refund payments. A payment is never changed: every transaction is a new row
(``core.billing.ledger``). Another clinic's patient, or another patient's payment, answers 404. Every
transaction is audited with ids, types and amounts (never the reference or the memo, which may hold PHI).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select

from core.audit import record
from core.billing.ledger import (
    Entry,
    PaymentRefused,
    PaymentValues,
    balance_of,
    correct_payment,
    ledger_for,
    payment_entry,
    record_payment,
    refund_payment,
    refusal,
    reverse_payment,
    visit_choices,
)
from core.billing.models import PaymentMethod, TransactionType
from core.billing.payment_forms import PaymentForm, RefundForm, ReverseForm
from core.cases import Case
from core.extensions import db
from core.patients import Patient
from core.tenancy import clinic_zone, current_clinic, get_in_clinic_or_404
from core.web import Permission, commit_after_response, csv_response, render, require

bp = Blueprint("payments", __name__, url_prefix="/billing")


@bp.before_request
@login_required
def require_view_patients():
    require(Permission.VIEW_PATIENTS)


# -- template helpers: the chart's Ledger section and money ------------------------------------------
@bp.app_context_processor
def payments_template_helpers():
    return {"chart_ledger_section": _chart_section}


def _chart_section(patient: Patient) -> dict:
    """The chart's Ledger section: the patient's totals (one aggregate statement)."""
    return {"totals": balance_of(patient.id, patient.clinic_id),
            "can_record": current_user.can(Permission.EDIT_PATIENT_TRANSACTIONS)}


@bp.app_template_filter("money")
def money(value) -> str:
    """``$1,234.50``; a negative amount ``-$20.00``."""
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


# -- loading -----------------------------------------------------------------------------------------
def _patient(patient_id: int) -> Patient:
    return get_in_clinic_or_404(Patient, patient_id)


def _entry(patient: Patient, payment_id: int, lock: bool = False) -> Entry:
    entry = payment_entry(patient, payment_id, lock=lock)
    if entry is None:
        abort(404)
    return entry


def _today(patient: Patient) -> date:
    """Today in the patient's clinic (the one the user works in)."""
    return datetime.now(clinic_zone(current_clinic())).date()


@cache
def _cases_statement():
    return (select(Case).where(Case.patient_id == bindparam("patient_id"), Case.clinic_id == bindparam("clinic_id"))
            .order_by(Case.status, Case.created_at.desc(), Case.id.desc()))


def _payment_form(patient: Patient, data: dict | None = None) -> PaymentForm:
    """Record Payment's form with the patient's cases and visits as its choices (``data``: a GET's values)."""
    form = PaymentForm(formdata=None, data=data) if data is not None else PaymentForm()
    form.today = _today(patient)
    cases = db.session.scalars(_cases_statement(), {"patient_id": patient.id, "clinic_id": patient.clinic_id}).all()
    form.set_choices(cases, visit_choices(patient.id, patient.clinic_id))
    return form


def _ledger_url(patient: Patient, payment_id: int | None = None) -> str:
    return url_for(".ledger", patient_id=patient.id, _anchor=f"payment-{payment_id}" if payment_id else None)


def _audit_read(patient: Patient, summary: str) -> None:
    commit_after_response(lambda: record("patient.view", "patient", patient.id, clinic_id=patient.clinic_id,
                                         summary=summary))


def _audit(action: str, patient: Patient, summary: str, changes: dict) -> None:
    record(action, "patient", patient.id, clinic_id=patient.clinic_id, summary=summary, changes=changes)


# -- the Patient Ledger ------------------------------------------------------------------------------
@bp.get("/patients/<int:patient_id>/ledger")
def ledger(patient_id: int):
    patient = _patient(patient_id)
    _audit_read(patient, "ledger opened")
    return render("billing/ledger.html", patient=patient, ledger=ledger_for(patient.id, patient.clinic_id),
                  can_edit=current_user.can(Permission.EDIT_PATIENT_TRANSACTIONS))


LEDGER_CSV_HEADER = ("Date", "Entry", "Transaction", "Details", "Units", "Modifiers", "Reference", "Entered by",
                     "Charges", "Payments")


def _transaction_label(entry: Entry) -> str:
    payment = entry.payment
    if payment.transaction is TransactionType.PAYMENT:
        return "Payment"
    return f"{payment.transaction.value} of #{payment.original_id}"


@bp.get("/patients/<int:patient_id>/ledger.csv")
def ledger_csv(patient_id: int):
    """The ledger as a spreadsheet: a row per charge line, a row per payment row, then the totals."""
    patient = _patient(patient_id)
    book = ledger_for(patient.id, patient.clinic_id)
    rows = []
    for visit in book.visits:
        for line in visit.lines:
            rows.append((f"{visit.date_of_service:%m/%d/%Y}", "Charge", visit.kind,
                         f"{line.code} {line.description}".strip(), line.units, " ".join(line.modifiers), "", "",
                         line.charge, ""))
    for entry, _ in book.rows():
        payment = entry.payment
        rows.append((f"{payment.paid_on:%m/%d/%Y}", f"#{payment.id} {payment.kind.value}", _transaction_label(entry),
                     payment.method.value, "", "", payment.reference, entry.entered_by, "", payment.amount))
    rows.append(("", "Totals", "", "", "", "", "", "", book.total_charges, book.total_payments))
    rows.append(("", "Balance", "", "", "", "", "", "", book.balance, ""))
    _audit_read(patient, "ledger exported")
    return csv_response(f"patient-ledger-{patient.id}.csv", LEDGER_CSV_HEADER, rows)


# -- Record Payment ----------------------------------------------------------------------------------
@bp.route("/patients/<int:patient_id>/payments/new", methods=["GET", "POST"])
def record_new(patient_id: int):
    require(Permission.EDIT_PATIENT_TRANSACTIONS)
    patient = _patient(patient_id)
    if request.method == "GET":
        form = _payment_form(patient, {"paid_on": _today(patient)})
        return render("billing/payment_form.html", patient=patient, form=form, mode="record")
    form = _payment_form(patient)
    if not form.validate_on_submit():
        return render("billing/payment_form.html", patient=patient, form=form, mode="record", status=422)
    payment = record_payment(patient, form.values(), current_user)
    _audit("payment.record", patient, f"{payment.kind.value} of {money(payment.amount)} recorded ({payment.method.value})",
           {"payment_id": payment.id, "kind": payment.kind.value, "method": payment.method.value,
            "amount": f"{payment.amount:.2f}"})
    db.session.commit()
    flash(f"{payment.kind.value} of {money(payment.amount)} recorded.", "success")
    return redirect(_ledger_url(patient, payment.id), code=303)


def _refused(patient: Patient, entry: Entry, message: str, status: int = 409):
    """The answer to a transaction this payment does not allow (already reversed, refunded in full…)."""
    return render("billing/refused.html", patient=patient, entry=entry, message=message, status=status)


# -- Correct -----------------------------------------------------------------------------------------
def _changed_fields(before: PaymentValues, after: PaymentValues) -> list[str]:
    return sorted(name for name in before.__dataclass_fields__ if getattr(before, name) != getattr(after, name))


@bp.route("/patients/<int:patient_id>/payments/<int:payment_id>/correct", methods=["GET", "POST"])
def correct(patient_id: int, payment_id: int):
    """Correct a payment: a Reversal of it and a Correction with the new values (the original is kept)."""
    require(Permission.EDIT_PATIENT_TRANSACTIONS)
    patient = _patient(patient_id)
    entry = _entry(patient, payment_id, lock=request.method == "POST")
    message = refusal(entry, "corrected")
    if message:
        return _refused(patient, entry, message)
    before = PaymentValues.of(entry.payment)
    if request.method == "GET":
        form = _payment_form(patient, PaymentForm.data_of(before))
        return render("billing/payment_form.html", patient=patient, form=form, mode="correct", entry=entry)
    form = _payment_form(patient)
    problems = []
    if form.validate_on_submit():
        try:
            reversal, correction = correct_payment(entry, form.values(), _today(patient), current_user)
        except PaymentRefused as refused:
            problems.append(str(refused))
        else:
            changed = _changed_fields(before, PaymentValues.of(correction))
            _audit("payment.correct", patient, f"payment #{entry.payment.id} corrected: {', '.join(changed)} changed "
                   f"({money(before.amount)} to {money(correction.amount)})",
                   {"payment_id": entry.payment.id, "reversal_id": reversal.id, "correction_id": correction.id,
                    "fields": changed, "amount": [f"{before.amount:.2f}", f"{correction.amount:.2f}"]})
            db.session.commit()
            flash(f"Payment #{entry.payment.id} was corrected: correction #{correction.id} replaces it.", "success")
            return redirect(_ledger_url(patient, correction.id), code=303)
    return render("billing/payment_form.html", patient=patient, form=form, mode="correct", entry=entry,
                  problems=problems, status=422)


# -- Reverse -----------------------------------------------------------------------------------------
@bp.route("/patients/<int:patient_id>/payments/<int:payment_id>/reverse", methods=["GET", "POST"])
def reverse(patient_id: int, payment_id: int):
    """Reverse a payment entered in error: a Reversal row cancels it (the original is kept)."""
    require(Permission.EDIT_PATIENT_TRANSACTIONS)
    patient = _patient(patient_id)
    entry = _entry(patient, payment_id, lock=request.method == "POST")
    message = refusal(entry, "reversed")
    if message:
        return _refused(patient, entry, message)
    if request.method == "GET":
        return render("billing/reverse.html", patient=patient, entry=entry, form=ReverseForm(formdata=None))
    form = ReverseForm()
    if not form.validate_on_submit():
        return render("billing/reverse.html", patient=patient, entry=entry, form=form, status=422)
    try:
        reversal = reverse_payment(entry, _today(patient), form.memo.data or "", current_user)
    except PaymentRefused as refused:  # pragma: no cover (refusal() above said the same, under the same lock)
        return _refused(patient, entry, str(refused))
    _audit("payment.reverse", patient, f"payment #{entry.payment.id} reversed ({money(reversal.amount)})",
           {"payment_id": entry.payment.id, "reversal_id": reversal.id, "amount": f"{reversal.amount:.2f}"})
    db.session.commit()
    flash(f"Payment #{entry.payment.id} was reversed.", "success")
    return redirect(_ledger_url(patient, reversal.id), code=303)


# -- Refund ------------------------------------------------------------------------------------------
@bp.route("/patients/<int:patient_id>/payments/<int:payment_id>/refund", methods=["GET", "POST"])
def refund(patient_id: int, payment_id: int):
    """Refund money of a payment to the patient: a Refund row, at most what the payment still holds."""
    require(Permission.EDIT_PATIENT_TRANSACTIONS)
    patient = _patient(patient_id)
    entry = _entry(patient, payment_id, lock=request.method == "POST")
    message = refusal(entry, "refunded")
    if message:
        return _refused(patient, entry, message)
    today = _today(patient)
    if request.method == "GET":
        form = RefundForm(formdata=None, refundable=entry.refundable,
                          data={"paid_on": today, "method": entry.payment.method.value,
                                "amount": f"{entry.refundable:.2f}"})
        return render("billing/refund.html", patient=patient, entry=entry, form=form)
    form = RefundForm(refundable=entry.refundable)
    form.today = today
    if not form.validate_on_submit():
        return render("billing/refund.html", patient=patient, entry=entry, form=form, status=422)
    try:
        row = refund_payment(entry, form.amount_value, PaymentMethod(form.method.data), form.paid_on.data,
                             form.reference.data or "", form.memo.data or "", current_user)
    except PaymentRefused as refused:  # pragma: no cover (the form checked the same, under the same lock)
        form.amount.errors = [*form.amount.errors, str(refused)]
        return render("billing/refund.html", patient=patient, entry=entry, form=form, status=422)
    _audit("payment.refund", patient, f"payment #{entry.payment.id} refunded: {money(-row.amount)} ({row.method.value})",
           {"payment_id": entry.payment.id, "refund_id": row.id, "amount": f"{row.amount:.2f}",
            "method": row.method.value})
    db.session.commit()
    flash(f"{money(-row.amount)} of payment #{entry.payment.id} was refunded.", "success")
    return redirect(_ledger_url(patient, row.id), code=303)
