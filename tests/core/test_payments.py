"""Patient payments and the Patient Ledger: a copay recorded and the ledger's charges, payments and balance
in exact Decimals; bad input refused at the field with nothing stored; Edit/Delete Patient Transactions;
another clinic's patient or another patient's payment answering 404; corrections, reversals and refunds as
new rows (the original untouched), a second reversal refused, refund limits; the CSV export; the chart's
Ledger section."""
from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.accounts import UserType, default_permissions
from core.audit import AuditEvent
from core.billing import ChargeLine, Payment, PaymentKind, PaymentMethod, TransactionType
from core.billing.ledger import balance_of, ledger_for
from core.billing.payment_forms import parse_amount
from core.cases import Case, Discipline
from core.extensions import db
from core.notes import Note, NoteKind, NoteStatus
from core.patients import create_patient
from core.tenancy import clinic_zone
from core.web import Permission
from tests.support import CsrfClient, FreshContextClient


@dataclass
class LedgerWorld:
    clinic: object
    desk: object  # front desk: View Patients and Edit/Delete Patient Transactions
    viewer: object  # View Patients only
    patient: object
    other_patient: object  # same clinic
    case: object
    other_case: object  # the other patient's
    visits: list  # the patient's notes with billed charges
    other_visit: object  # the other patient's note
    today: date


def _note(patient, case, author, day, kind=NoteKind.DAILY_NOTE):
    note = Note(clinic_id=patient.clinic_id, patient_id=patient.id, case_id=case.id, kind=kind, date_of_service=day,
                author_id=author.id, status=NoteStatus.FINALIZED, finalized_by_id=author.id)
    db.session.add(note)
    db.session.flush()
    return note


def _line(note, position, code, units, charge, modifiers=(), billed=True):
    db.session.add(ChargeLine(note_id=note.id, clinic_id=note.clinic_id, patient_id=note.patient_id,
                              date_of_service=note.date_of_service, discipline="PT", billed=billed, position=position,
                              code=code, units=units, modifiers=list(modifiers), charge=Decimal(charge),
                              unit_amount=Decimal(charge) / units))


def _case(patient, therapist, title):
    case = Case(clinic_id=patient.clinic_id, patient_id=patient.id, title=title, discipline=Discipline.PT,
                therapist_id=therapist.id)
    db.session.add(case)
    db.session.flush()
    return case


@pytest.fixture
def world(clinic, make_user) -> LedgerWorld:
    today = datetime.now(clinic_zone(clinic)).date()
    pt = make_user([clinic], email="pt@example.test", user_type=UserType.PT, first_name="Paula", last_name="Therapist",
                   permissions=default_permissions(UserType.PT))
    desk = make_user([clinic], email="desk@example.test", user_type=UserType.CLERICAL, first_name="Dee", last_name="Desk",
                     permissions=default_permissions(UserType.CLERICAL))
    viewer = make_user([clinic], email="viewer@example.test", user_type=UserType.CLERICAL, first_name="Vic",
                       last_name="Viewer", permissions=[Permission.VIEW_PATIENTS])
    patient = create_patient(clinic, first_name="Maria", last_name="Rivera", date_of_birth=date(1950, 3, 4))
    other = create_patient(clinic, first_name="Rosa", last_name="Diaz", date_of_birth=date(1970, 1, 2))
    case = _case(patient, pt, "Low back pain")
    other_case = _case(other, pt, "Shoulder")
    first = _note(patient, case, pt, today - timedelta(days=7), NoteKind.INITIAL_EVALUATION)
    second = _note(patient, case, pt, today - timedelta(days=3))
    draft = _note(patient, case, pt, today)
    _line(first, 0, "97161", 1, "120.00")
    _line(first, 1, "97110", 2, "80.00", ("GP", "KX"))
    _line(second, 0, "97140", 1, "38.00", ("GP",))
    _line(second, 1, "97530", 1, "45.50", ("GP",))
    _line(draft, 0, "97110", 3, "120.00", billed=False)  # not billed yet: not a charge of the ledger
    other_visit = _note(other, other_case, pt, today - timedelta(days=1))
    _line(other_visit, 0, "97110", 1, "40.00")
    db.session.commit()
    return LedgerWorld(clinic, desk, viewer, patient, other, case, other_case, [first, second], other_visit, today)


def _ledger_url(world) -> str:
    return f"/billing/patients/{world.patient.id}/ledger"


def _new_url(world) -> str:
    return f"/billing/patients/{world.patient.id}/payments/new"


def _copay(world, **values) -> dict:
    return {"kind": "Copay", "method": "Cash", "amount": "20.00", "paid_on": world.today.isoformat(), "reference": "",
            "memo": "", "case_id": "None", "note_id": "None", **values}


def _payments() -> list[Payment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Payment).order_by(Payment.id)))


def _payment(client, world, **values) -> Payment:
    response = client.post(_new_url(world), data=_copay(world, **values))
    assert response.status_code == 303, response.get_data(as_text=True)
    return _payments()[-1]


# -- recording a copay and the ledger ---------------------------------------------------------------
def test_a_copay_recorded_shows_on_the_ledger_with_the_charges_and_the_balance(client, world):
    client.login(world.desk.email)
    page = client.get(_new_url(world)).get_data(as_text=True)
    assert "Record Payment" in page and world.today.isoformat() in page  # today by default
    response = client.post(_new_url(world), data=_copay(world, reference="CHK 1001", case_id=str(world.case.id),
                                                             note_id=str(world.visits[1].id), memo="At check-in"))
    assert response.status_code == 303
    [payment] = _payments()
    assert response.headers["Location"].endswith(f"/billing/patients/{world.patient.id}/ledger#payment-{payment.id}")
    assert (payment.transaction, payment.kind, payment.method, payment.amount, payment.paid_on) == (
        TransactionType.PAYMENT, PaymentKind.COPAY, PaymentMethod.CASH, Decimal("20.00"), world.today)
    assert (payment.patient_id, payment.clinic_id, payment.case_id, payment.note_id, payment.created_by_id) == (
        world.patient.id, world.clinic.id, world.case.id, world.visits[1].id, world.desk.id)
    assert (payment.reference, payment.memo, payment.original_id) == ("CHK 1001", "At check-in", None)

    book = ledger_for(world.patient.id, world.clinic.id)
    assert [v.total for v in book.visits] == [Decimal("200.00"), Decimal("83.50")]
    assert book.total_charges == Decimal("283.50")
    assert book.total_payments == Decimal("20.00")
    assert book.balance == Decimal("263.50")
    assert balance_of(world.patient.id, world.clinic.id).balance == Decimal("263.50")

    page = client.get(_ledger_url(world)).get_data(as_text=True)
    for text in ("Patient Ledger", "Initial Evaluation", "97161 · 1 unit: $120.00", "97110 · 2 units · GP, KX: $80.00",
                 "$200.00", "$83.50", "$283.50", "$263.50", "Copay", "Cash", "CHK 1001", "Dee Desk", "Low back pain",
                 f"Visit {world.visits[1].date_of_service:%m/%d/%Y}", "At check-in"):
        assert text in page, text
    assert "$120.00</li>" in page and "97110 · 3 units" not in page  # the unbilled line is not on the ledger
    assert "$40.00" not in page  # nor the other patient's charge
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.record"))
    assert event.object_type == "patient" and event.object_id == str(world.patient.id)
    assert event.summary == "Copay of $20.00 recorded (Cash)"
    assert "CHK" not in str(event.changes) and "check-in" not in str(event.changes)


def test_the_chart_shows_the_balance_and_record_payment(client, world):
    client.login(world.desk.email)
    _payment(client, world, amount="3.50")
    page = client.get(f"/patients/{world.patient.id}").get_data(as_text=True)
    assert 'id="chart-ledger"' in page
    assert '<dd id="chart-balance"><strong>$280.00</strong>' in page
    assert f'href="/billing/patients/{world.patient.id}/ledger"' in page
    assert f'href="/billing/patients/{world.patient.id}/payments/new" role="button">Record Payment' in page


def test_a_payment_larger_than_the_charges_shows_a_credit(client, world):
    client.login(world.desk.email)
    _payment(client, world, amount="$1,000.00", kind="Other patient payment", method="Check")
    assert ledger_for(world.patient.id, world.clinic.id).balance == Decimal("-716.50")
    page = client.get(_ledger_url(world)).get_data(as_text=True)
    assert "<strong>-$716.50</strong> (a credit)" in page


@pytest.mark.parametrize(("typed", "expected"), [
    ("25", "25.00"), ("25.5", "25.50"), ("$1,025.50", "1025.50"), (" 0.01 ", "0.01"), ("99999.99", "99999.99"),
    (".75", "0.75"), ("12.", "12.00"),
])
def test_amounts_are_read_as_decimal(typed, expected):
    amount = parse_amount(typed)
    assert isinstance(amount, Decimal) and amount == Decimal(expected) and str(amount) == expected


# -- bad input --------------------------------------------------------------------------------------
BAD = [
    ({"amount": ""}, "amount", "Enter the amount."),
    ({"amount": "twenty"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "NaN"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "Infinity"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "1e3"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "-5.00"}, "amount", "more than $0.00"),
    ({"amount": "0"}, "amount", "more than $0.00"),
    ({"amount": "12.345"}, "amount", "at most two decimal places"),
    ({"amount": "100000.00"}, "amount", "at most $99,999.99"),
    ({"amount": "9" * 40}, "amount", "at most $99,999.99"),
    ({"paid_on": "tomorrow"}, "paid_on", "Not a valid date value"),
    ({"paid_on": ""}, "paid_on", "Enter the date paid"),
    ({"paid_on": "2026-02-30"}, "paid_on", "Not a valid date value"),
    ({"kind": "Donation"}, "kind", "Choose one of the options in the list."),
    ({"method": "Bitcoin"}, "method", "Choose one of the options in the list."),
    ({"reference": "x" * 51}, "reference", "Use at most 50 characters."),
    ({"reference": "CHK\x001001"}, "reference", "Remove the control characters"),
    ({"reference": "CHK\u202e1001"}, "reference", "hidden text-direction characters"),
    ({"memo": "x" * 501}, "memo", "Use at most 500 characters."),
]


@pytest.mark.parametrize(("values", "field", "message"), BAD)
def test_bad_input_is_refused_at_the_field_and_changes_nothing(client, world, values, field, message):
    client.login(world.desk.email)
    response = client.post(_new_url(world), data=_copay(world, **values))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page, page
    assert 'aria-invalid="true"' in page and 'id="error-summary"' in page
    assert _payments() == []


def test_a_future_date_in_the_clinics_zone_is_refused(client, world):
    client.login(world.desk.email)
    response = client.post(_new_url(world), data=_copay(world, paid_on=(world.today + timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert "The date paid cannot be in the future." in response.get_data(as_text=True)
    assert _payments() == []


def test_another_patients_case_or_visit_is_refused_at_the_field(client, world):
    client.login(world.desk.email)
    for values, field in (({"case_id": str(world.other_case.id)}, "case_id"),
                          ({"note_id": str(world.other_visit.id)}, "note_id"), ({"note_id": "abc"}, "note_id")):
        response = client.post(_new_url(world), data=_copay(world, **values))
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page and "Choose one of the options in the list." in page
    page = client.get(_new_url(world)).get_data(as_text=True)
    assert "Low back pain" in page and "Shoulder" not in page  # only the patient's own cases are offered
    assert _payments() == []


def test_a_post_without_the_csrf_token_is_refused(client, world):
    client.login(world.desk.email)
    response = client.client.post(_new_url(world), data=_copay(world))
    assert response.status_code == 400
    assert _payments() == []


# -- the permission ---------------------------------------------------------------------------------
def test_without_edit_delete_patient_transactions_the_ledger_is_read_only(client, world, make_user):
    client.login(world.desk.email)
    payment = _payment(client, world)
    client.login(world.viewer.email)
    ledger = client.get(_ledger_url(world))
    assert ledger.status_code == 200
    page = ledger.get_data(as_text=True)
    assert "$283.50" in page and "$80.00" in page  # charge amounts: everyone who may see the ledger
    assert "Record Payment" not in page and "Correct" not in page and "Refund<" not in page
    chart = client.get(f"/patients/{world.patient.id}").get_data(as_text=True)
    assert "Patient Ledger" in chart and "$263.50" in chart and "Record Payment" not in chart
    base = f"/billing/patients/{world.patient.id}/payments"
    for url in (f"{base}/new", f"{base}/{payment.id}/correct", f"{base}/{payment.id}/reverse",
                f"{base}/{payment.id}/refund"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={**_copay(world), "amount": "5.00"}).status_code == 403, url
    assert len(_payments()) == 1
    nobody = make_user([world.clinic], email="nobody@example.test", permissions=())
    client.login(nobody.email)
    assert client.get(_ledger_url(world)).status_code == 403
    assert client.get(f"/billing/patients/{world.patient.id}/ledger.csv").status_code == 403


# -- other clinics and other patients ---------------------------------------------------------------
def test_another_clinics_patient_and_another_patients_payment_answer_404(client, world, make_clinic, make_user):
    elsewhere = make_clinic("Elsewhere Clinic")
    stranger = create_patient(elsewhere, first_name="Ann", last_name="Other", date_of_birth=date(1990, 1, 1))
    foreign = Payment(clinic_id=elsewhere.id, patient_id=stranger.id, kind=PaymentKind.COPAY, method=PaymentMethod.CASH,
                      amount=Decimal("10.00"), paid_on=world.today)
    neighbour = Payment(clinic_id=world.clinic.id, patient_id=world.other_patient.id, kind=PaymentKind.COPAY,
                        method=PaymentMethod.CASH, amount=Decimal("15.00"), paid_on=world.today)
    db.session.add_all([foreign, neighbour])
    db.session.commit()
    client.login(world.desk.email)
    for url in (f"/billing/patients/{stranger.id}/ledger", f"/billing/patients/{stranger.id}/ledger.csv",
                f"/billing/patients/{stranger.id}/payments/new"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/billing/patients/{stranger.id}/payments/new", data=_copay(world)).status_code == 404
    for patient_id, payment_id in ((world.patient.id, neighbour.id), (world.patient.id, foreign.id),
                                   (stranger.id, foreign.id)):
        for action in ("correct", "reverse", "refund"):
            url = f"/billing/patients/{patient_id}/payments/{payment_id}/{action}"
            assert client.get(url).status_code == 404, url
            assert client.post(url, data={**_copay(world), "amount": "5.00"}).status_code == 404, url
    assert len(_payments()) == 2


# -- corrections, reversals, refunds -----------------------------------------------------------------
def _snapshot(payment: Payment) -> tuple:
    return tuple(getattr(payment, c.key) for c in Payment.__table__.columns)


def test_a_correction_is_a_reversal_and_a_correction_and_the_original_is_untouched(client, world):
    client.login(world.desk.email)
    original = _payment(client, world, reference="CHK 1001")
    before = _snapshot(original)
    url = f"/billing/patients/{world.patient.id}/payments/{original.id}/correct"
    form = client.get(url).get_data(as_text=True)
    assert 'value="20.00"' in form and "CHK 1001" in form  # the form starts from the payment's values
    day = (world.today - timedelta(days=1)).isoformat()
    response = client.post(url, data=_copay(world, amount="25.00", method="Credit or debit card", paid_on=day,
                                            reference="CHK 1001"))
    assert response.status_code == 303
    rows = _payments()
    assert len(rows) == 3
    first, reversal, correction = rows
    assert _snapshot(first) == before  # never updated
    assert (reversal.transaction, reversal.original_id, reversal.amount, reversal.method) == (
        TransactionType.REVERSAL, original.id, Decimal("-20.00"), PaymentMethod.CASH)
    assert (correction.transaction, correction.original_id, correction.amount, correction.method, correction.paid_on) == (
        TransactionType.CORRECTION, original.id, Decimal("25.00"), PaymentMethod.CARD, world.today - timedelta(days=1))
    book = ledger_for(world.patient.id, world.clinic.id)
    assert book.total_payments == Decimal("25.00") and book.balance == Decimal("258.50")
    [entry] = book.payments
    assert [c.payment.id for c in entry.children] == [reversal.id, correction.id]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.correct"))
    assert event.changes["fields"] == ["amount", "method", "paid_on"]
    assert event.changes["reversal_id"] == reversal.id and event.changes["correction_id"] == correction.id
    page = client.get(_ledger_url(world)).get_data(as_text=True)
    assert f"Corrected by #{correction.id}" in page and f"Correction of #{original.id}" in page

    # The original cannot be corrected or reversed again; its correction can be.
    for action in ("correct", "reverse", "refund"):
        refused = client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/{action}",
                              data=_copay(world, amount="30.00"))
        assert refused.status_code == 409, action
        assert "This payment was already corrected on" in refused.get_data(as_text=True)
    assert client.get(url).status_code == 409
    assert len(_payments()) == 3
    again = client.post(f"/billing/patients/{world.patient.id}/payments/{correction.id}/reverse", data={"memo": "typo"})
    assert again.status_code == 303
    assert ledger_for(world.patient.id, world.clinic.id).total_payments == Decimal("0.00")


def test_a_correction_that_changes_nothing_is_refused(client, world):
    client.login(world.desk.email)
    original = _payment(client, world)
    response = client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/correct", data=_copay(world))
    assert response.status_code == 422
    assert "Nothing changed" in response.get_data(as_text=True)
    assert len(_payments()) == 1


def test_bad_input_in_a_correction_changes_nothing(client, world):
    client.login(world.desk.email)
    original = _payment(client, world)
    response = client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/correct",
                           data=_copay(world, amount="-3"))
    assert response.status_code == 422 and 'id="amount-error"' in response.get_data(as_text=True)
    assert len(_payments()) == 1


def test_a_reversal_cancels_the_payment_and_a_second_is_refused(client, world):
    client.login(world.desk.email)
    original = _payment(client, world, amount="45.00")
    before = _snapshot(original)
    url = f"/billing/patients/{world.patient.id}/payments/{original.id}/reverse"
    assert "Reverse Payment" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"memo": "Entered on the wrong patient"}).status_code == 303
    first, reversal = _payments()
    assert _snapshot(first) == before
    assert (reversal.transaction, reversal.original_id, reversal.amount, reversal.memo, reversal.paid_on) == (
        TransactionType.REVERSAL, original.id, Decimal("-45.00"), "Entered on the wrong patient", world.today)
    assert ledger_for(world.patient.id, world.clinic.id).total_payments == Decimal("0.00")
    second = client.post(url, data={"memo": ""})
    assert second.status_code == 409
    assert "This payment was already reversed on" in second.get_data(as_text=True)
    assert "cannot be reversed again" in second.get_data(as_text=True)
    # Nor can the reversal itself be reversed, corrected or refunded.
    for action in ("reverse", "correct", "refund"):
        refused = client.post(f"/billing/patients/{world.patient.id}/payments/{reversal.id}/{action}",
                              data=_copay(world, amount="1.00"))
        assert refused.status_code == 409
        assert "A reversal cannot be" in refused.get_data(as_text=True)
    assert len(_payments()) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.reverse")).all()
    assert len(events) == 1 and "wrong patient" not in events[0].summary
    page = client.get(_ledger_url(world)).get_data(as_text=True)
    assert f"Reversal of #{original.id}" in page and "-$45.00" in page


def test_refunds_are_limited_to_what_the_payment_still_holds(client, world):
    client.login(world.desk.email)
    original = _payment(client, world, amount="50.00")
    url = f"/billing/patients/{world.patient.id}/payments/{original.id}/refund"

    def refund(amount):
        return client.post(url, data={"amount": amount, "method": "Check", "paid_on": world.today.isoformat(),
                                      "reference": "CHK 77", "memo": ""})

    too_much = refund("60.00")
    assert too_much.status_code == 422
    assert "A refund can be at most $50.00" in too_much.get_data(as_text=True)
    assert refund("0").status_code == 422
    assert refund("30.00").status_code == 303
    assert "A refund can be at most $20.00" in refund("20.01").get_data(as_text=True)
    assert refund("20.00").status_code == 303
    rows = _payments()
    assert [(r.transaction, r.amount, r.original_id) for r in rows] == [
        (TransactionType.PAYMENT, Decimal("50.00"), None), (TransactionType.REFUND, Decimal("-30.00"), original.id),
        (TransactionType.REFUND, Decimal("-20.00"), original.id)]
    assert rows[1].method is PaymentMethod.CHECK and rows[1].kind is PaymentKind.COPAY
    assert ledger_for(world.patient.id, world.clinic.id).total_payments == Decimal("0.00")
    full = refund("1.00")
    assert full.status_code == 409 and "refunded in full" in full.get_data(as_text=True)
    # A refunded payment cannot be corrected or reversed (its refunds would no longer add up).
    for action in ("correct", "reverse"):
        refused = client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/{action}",
                              data=_copay(world, amount="40.00"))
        assert refused.status_code == 409 and "This payment has a refund" in refused.get_data(as_text=True)
    assert len(_payments()) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment.refund")) == 2


def test_a_reversed_payment_cannot_be_refunded(client, world):
    client.login(world.desk.email)
    original = _payment(client, world)
    client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/reverse", data={})
    response = client.get(f"/billing/patients/{world.patient.id}/payments/{original.id}/refund")
    assert response.status_code == 409 and "already reversed" in response.get_data(as_text=True)


# -- CSV ----------------------------------------------------------------------------------------------
def test_the_ledger_exports_as_csv(client, world):
    client.login(world.desk.email)
    original = _payment(client, world, reference="=HYPERLINK(1)")
    client.post(f"/billing/patients/{world.patient.id}/payments/{original.id}/reverse", data={})
    response = client.get(f"/billing/patients/{world.patient.id}/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=patient-ledger-{world.patient.id}.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Date", "Entry", "Transaction", "Details", "Units", "Modifiers", "Reference", "Entered by",
                       "Charges", "Payments"]
    charges = [r for r in rows if r[1] == "Charge"]
    assert [(r[3].split()[0], r[4], r[5], r[8]) for r in charges] == [
        ("97161", "1", "", "120.00"), ("97110", "2", "GP KX", "80.00"), ("97140", "1", "GP", "38.00"),
        ("97530", "1", "GP", "45.50")]
    payments = [r for r in rows if r[1].startswith("#")]
    assert [(r[2], r[6], r[7], r[9]) for r in payments] == [
        ("Payment", "'=HYPERLINK(1)", "Dee Desk", "20.00"), (f"Reversal of #{original.id}", "'=HYPERLINK(1)", "Dee Desk",
                                                              "-20.00")]
    assert rows[-2][1:] == ["Totals", "", "", "", "", "", "", "283.50", "0.00"]
    assert rows[-1][1] == "Balance" and rows[-1][8] == "283.50"


# -- statements ---------------------------------------------------------------------------------------
def test_the_ledger_is_two_statements_whatever_its_length(app, world, count_queries):
    for n in range(30):
        db.session.add(Payment(clinic_id=world.clinic.id, patient_id=world.patient.id, kind=PaymentKind.COPAY,
                               method=PaymentMethod.CASH, amount=Decimal("1.10"), paid_on=world.today,
                               note_id=world.visits[n % 2].id, case_id=world.case.id, created_by_id=world.desk.id))
    db.session.commit()
    patient_id, clinic_id = world.patient.id, world.clinic.id
    db.session.expire_all()
    with count_queries() as counter:
        book = ledger_for(patient_id, clinic_id)
        rows = book.rows()
        assert {entry.entered_by for entry, _ in rows} == {"Dee Desk"}
        assert {entry.case_title for entry, _ in rows} == {"Low back pain"}
    assert counter.count == 2, counter.statements
    assert len(rows) == 30
    assert book.total_payments == Decimal("33.00") and book.balance == Decimal("250.50")
    with count_queries() as counter:
        assert balance_of(patient_id, clinic_id).balance == Decimal("250.50")
    assert counter.count == 1


# -- two reversals at once (PostgreSQL) ----------------------------------------------------------------
@pytest.mark.postgres
def test_two_reversals_of_one_payment_at_once_make_one(app, world):
    payment = Payment(clinic_id=world.clinic.id, patient_id=world.patient.id, kind=PaymentKind.COPAY,
                      method=PaymentMethod.CASH, amount=Decimal("20.00"), paid_on=world.today, created_by_id=world.desk.id)
    db.session.add(payment)
    db.session.commit()
    app.test_client_class = FreshContextClient
    clients = [CsrfClient(app.test_client()) for _ in range(2)]
    for c in clients:  # two tabs of the front desk
        c.login(world.desk.email)
        c.csrf_token()  # read before the race
    barrier = threading.Barrier(2)
    codes: list[int] = []
    errors: list[BaseException] = []
    url = f"/billing/patients/{world.patient.id}/payments/{payment.id}/reverse"

    def reverse(c):
        with app.app_context():
            barrier.wait()
            try:
                codes.append(c.post(url, data={"memo": ""}).status_code)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reverse, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(codes) == [303, 409], codes
    db.session.expire_all()
    reversals = db.session.scalars(select(Payment).where(Payment.original_id == payment.id)).all()
    assert [(r.transaction, r.amount) for r in reversals] == [(TransactionType.REVERSAL, Decimal("-20.00"))]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment.reverse")) == 1
