"""End-to-end: the front desk records a copay from the patient chart and the Patient Ledger shows the charges,
the payment and the balance; a mistyped amount is refused at the field; the ledger passes axe-core and does
not scroll sideways at 390 px. The routes and words are those of tests/core/test_payments.py."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.accounts import UserType, default_permissions
from core.billing import ChargeLine, Payment, PaymentKind, PaymentMethod
from core.cases import Case, Discipline
from core.extensions import db
from core.notes import Note, NoteKind, NoteStatus
from core.patients import create_patient
from core.tenancy import clinic_zone
from tests.e2e.conftest import login
from tests.e2e.test_accessibility_browser import _scrolls_sideways, _violations
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(clinic, make_user):
    today = datetime.now(clinic_zone(clinic)).date()
    pt = make_user([clinic], email="pt@example.test", user_type=UserType.PT, first_name="Paula", last_name="Therapist",
                   permissions=default_permissions(UserType.PT))
    desk = make_user([clinic], email="desk@example.test", user_type=UserType.CLERICAL, first_name="Dee", last_name="Desk",
                     permissions=default_permissions(UserType.CLERICAL))
    patient = create_patient(clinic, first_name="Maria", last_name="Rivera", date_of_birth=date(1950, 3, 4))
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Low back pain", discipline=Discipline.PT,
                therapist_id=pt.id)
    db.session.add(case)
    db.session.flush()
    note = Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.DAILY_NOTE,
                date_of_service=today - timedelta(days=1), author_id=pt.id, status=NoteStatus.FINALIZED,
                finalized_by_id=pt.id)
    db.session.add(note)
    db.session.flush()
    for position, (code, units, modifiers, charge) in enumerate((("97110", 2, ["GP"], "80.00"), ("97140", 1, ["GP"], "38.00"))):
        db.session.add(ChargeLine(note_id=note.id, clinic_id=clinic.id, patient_id=patient.id,
                                  date_of_service=note.date_of_service, discipline="PT", billed=True, position=position,
                                  code=code, units=units, modifiers=modifiers, charge=Decimal(charge)))
    db.session.commit()
    return {"desk": desk, "patient": patient.id, "note": note.id, "today": today}


def test_the_front_desk_records_a_copay_on_the_chart_and_the_ledger_shows_the_balance(live_server, page: Page, world):
    login(page, live_server, world["desk"].email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{live_server}/patients/{world['patient']}")
    ledger_section = page.get_by_role("region", name="Ledger")
    expect(ledger_section.locator("#chart-balance")).to_have_text("$118.00")
    ledger_section.get_by_role("button", name="Record Payment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record Payment")
    expect(page.get_by_label("Date paid", exact=True)).to_have_value(world["today"].isoformat())
    expect(page.get_by_label("Amount", exact=True)).to_be_focused()
    page.get_by_label("Amount", exact=True).fill("20.005")  # a slip of the finger: refused at the field
    page.get_by_role("button", name="Record Payment").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#amount-error")).to_have_text("Use at most two decimal places (dollars and cents).")
    expect(page.get_by_label("Amount", exact=True)).to_have_attribute("aria-invalid", "true")
    db.session.expire_all()
    assert db.session.scalars(select(Payment)).all() == []

    page.get_by_label("Type", exact=True).select_option("Copay")
    page.get_by_label("Method", exact=True).select_option("Check")
    page.get_by_label("Amount", exact=True).fill("20")
    page.get_by_label("Reference", exact=True).fill("CHK 1001")
    page.get_by_label("Visit", exact=True).select_option(str(world["note"]))
    page.get_by_role("button", name="Record Payment").click()

    expect(page).to_have_url(re.compile(rf"/billing/patients/{world['patient']}/ledger#payment-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient Ledger")
    expect(page.locator("#flash")).to_contain_text("Copay of $20.00 recorded.")
    expect(page.locator("#total-charges")).to_have_text("$118.00")
    expect(page.locator("#total-payments")).to_have_text("$20.00")
    expect(page.locator("#balance")).to_have_text("$98.00")
    row = page.locator("tr[id^='payment-']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Copay")
    expect(row).to_contain_text("Check")
    expect(row).to_contain_text("CHK 1001")
    expect(row).to_contain_text("Dee Desk")
    expect(page.get_by_role("region", name="Charges")).to_contain_text("97110 · 2 units · GP: $80.00")
    db.session.expire_all()
    [payment] = db.session.scalars(select(Payment)).all()
    assert (payment.kind, payment.method, payment.amount, payment.note_id) == (
        PaymentKind.COPAY, PaymentMethod.CHECK, Decimal("20.00"), world["note"])

    assert _violations(page) == ""
    page.set_viewport_size({"width": 390, "height": 900})
    assert not _scrolls_sideways(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Patient chart").click()
    expect(page.get_by_role("region", name="Ledger").locator("#chart-balance")).to_have_text("$98.00")
