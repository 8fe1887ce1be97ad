"""Statement budgets: each main page runs at most its budget of SQL statements, and the same number with
10 rows as with 1,000 (of what the page lists), with every plugin on and the clinic switcher shown.

The budgets are the pattern every page follows (``CONTRIBUTING.md``, "Fast pages"): one statement for the
signed-in user with their session, permissions and clinics (the switcher, the current clinic, its
company and plugin state); then what the page shows, its relationships loaded with it. A new page adds its
budget here and to ``scripts/bench_pages.py``.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from core.accounts import User, UserStatus, UserType
from core.audit import AuditEvent
from core.billing import ChargeLine, CustomCode, FeeScheduleEntry, Payment, PaymentKind, PaymentMethod, TransactionType
from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db, utcnow
from core.notes import Note, NoteKind, NoteStatus
from core.patients import AccountNote, AddressType, Patient, PatientAddress, PatientPhone, PhoneType, create_patient
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.tenancy import ClinicAccess
from plugins.quick_add.models import QuickAddPatient
from tests.support import password_hash

# page: (path template, budget). The ceiling is 6 (8 for the chart and the case page); these
# are what the pages need today, so that a page that grows is noticed.
BUDGETS = {
    "home": ("/", 2),
    # the user, the count, the page with its phones, Quick Add's column (and for the quick-added patient
    # on the page, its completeness: addresses and insurance types)
    "patient manager": ("/patients/", 6),
    "search": ("/patients/?q=Bulk", 4),
    "chart": ("/patients/{patient}", 8),  # + its notes (one statement, counted in it), + the ledger's balance (one aggregate)
    # + its notes, its finalized notes' kinds and dates (clocks), the plan of care with its certification
    "case page": ("/patients/{patient}/cases/{case}", 7),
    "user manager": ("/users/", 5),
    "insurances": ("/settings/insurances/", 3),
    "audit trail": ("/admin/audit/", 5),
    "my notes": ("/notes/", 2),
    "incomplete cosign docs": ("/notes/cosign", 2),
    # the user, the patient, the charge lines with their visits, the payments with who entered them, the audit event
    "patient ledger": ("/billing/patients/{patient}/ledger", 5),
    # the user, the page of entries (or codes) with its count
    "fee schedule": ("/billing/fee-schedule", 2),
    "custom codes": ("/billing/custom-codes", 2),
}


@pytest.fixture
def world(app, make_clinic, make_user, enable_plugin, clinic):
    """An admin therapist with two clinics (the switcher shows), every plugin on, one chart with a case."""
    other = make_clinic("Old Town Clinic", company=clinic.company)
    admin = make_user([clinic, other], email="budget-admin@example.test", is_admin=True)
    for name in sorted(app.extensions["caseload_plugins"].plugins):
        enable_plugin(clinic, name)
    insurance = Insurance(company_id=clinic.company_id, name="Budget Health", insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS)
    db.session.add(insurance)
    patient = create_patient(clinic, first_name="Rosa", last_name="Chart", date_of_birth=date(1980, 5, 1),
                             phone="6025550100")
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St",
                                        city="Phoenix", state="AZ", postal_code="85018")]
    # a quick-added patient, first on the Patient Manager's page: Quick Add checks its profile
    quick = create_patient(clinic, first_name="Quinn", last_name="Aaron", date_of_birth=date(1990, 2, 2))
    db.session.flush()
    db.session.add(QuickAddPatient(clinic_id=clinic.id, patient_id=quick.id, added_by_id=admin.id))
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Knee", discipline=Discipline.PT, therapist_id=admin.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="S1",
                                start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
                                insured_relationship=InsuredRelationship.SELF)]
    db.session.add(case)
    db.session.flush()
    db.session.add(Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.INITIAL_EVALUATION,
                        status=NoteStatus.FINALIZED, date_of_service=date(2025, 1, 2), author_id=admin.id,
                        plan_start=date(2025, 1, 2), plan_end=date(2025, 3, 1)))
    db.session.commit()
    return {"clinic": clinic, "admin": admin, "patient": patient.id, "case": case.id, "insurance": insurance.id}


def grow(world, rows: int, start: int) -> None:
    """Add ``rows`` of everything a main page lists: patients, the admin's cases, the chart's account notes
    (every tenth sticky) and the case's authorizations, users, insurances and audit events of every type."""
    clinic, admin = world["clinic"], world["admin"]
    numbers = range(start, start + rows)
    db.session.execute(insert(Patient), [
        {"clinic_id": clinic.id, "chart_number": f"B{n:07d}", "first_name": "Pat", "middle_initial": "",
         "last_name": f"Bulk{n:05d}", "first_name_key": "pat", "last_name_key": f"bulk{n:05d}",
         "date_of_birth": date(1950, 1, 1) + timedelta(days=n), "guarantor_is_patient": True} for n in numbers])
    ids = db.session.scalars(select(Patient.id).where(Patient.chart_number.like("B%"), Patient.chart_number >= f"B{start:07d}")).all()
    db.session.execute(insert(PatientPhone), [
        {"patient_id": i, "phone_type": PhoneType.MOBILE, "is_primary": True, "number": f"602555{i % 10000:04d}"} for i in ids])
    db.session.execute(insert(Case), [
        {"clinic_id": clinic.id, "patient_id": i, "title": f"Case {i}", "discipline": Discipline.PT,
         "therapist_id": admin.id} for i in ids])
    db.session.execute(insert(AccountNote), [
        {"patient_id": world["patient"], "clinic_id": clinic.id, "body": f"Note {n}", "is_sticky": n % 10 == 0,
         "author_id": admin.id} for n in numbers])
    db.session.execute(insert(Authorization), [
        {"case_id": world["case"], "number": f"A{n}", "start_date": date(2025, 1, 1), "end_date": date(2025, 12, 31),
         "visits_authorized": 12} for n in numbers])
    db.session.execute(insert(Insurance), [
        {"company_id": clinic.company_id, "name": f"Bulk Insurance {n:05d}", "insurance_type": InsuranceType.COMMERCIAL,
         "unit_calculation": UnitCalculation.RULE_OF_EIGHTS} for n in numbers])
    db.session.execute(insert(User), [
        {"email": f"bulk{n}@example.test", "first_name": "Bulk", "last_name": f"User{n:05d}", "user_type": UserType.PT,
         "status": UserStatus.ACTIVE, "is_admin": False, "password_hash": password_hash(), "session_nonce": "x",
         "failed_logins": 0} for n in numbers])
    users = db.session.scalars(select(User.id).where(User.email.like("bulk%"), User.id.not_in(select(ClinicAccess.user_id)))).all()
    db.session.execute(insert(ClinicAccess), [{"user_id": i, "clinic_id": clinic.id, "is_default": True} for i in users])
    # the chart's and the case's notes (finalized daily notes), the admin's drafts and notes forwarded to them
    db.session.execute(insert(Note), [
        {"clinic_id": clinic.id, "patient_id": world["patient"], "case_id": world["case"], "kind": NoteKind.DAILY_NOTE,
         "status": (NoteStatus.FINALIZED, NoteStatus.DRAFT, NoteStatus.PENDING_COSIGNATURE)[n % 3],
         "cosigner_id": admin.id if n % 3 == 2 else None, "forwarded_at": utcnow() if n % 3 == 2 else None,
         "date_of_service": date(2025, 1, 2) + timedelta(days=n % 300), "author_id": admin.id} for n in numbers])
    # the chart's billed charge lines (one per new note) and payments (every fifth one reversed)
    notes = db.session.scalars(select(Note.id).where(Note.patient_id == world["patient"]).order_by(Note.id.desc())
                               .limit(rows)).all()
    db.session.execute(insert(ChargeLine), [
        {"note_id": note_id, "clinic_id": clinic.id, "patient_id": world["patient"], "date_of_service": date(2025, 1, 2),
         "discipline": "PT", "billed": True, "position": 0, "code": "97110", "units": 2, "modifiers": ["GP"],
         "charge": Decimal("80.00")} for note_id in notes])
    db.session.execute(insert(Payment), [
        {"clinic_id": clinic.id, "patient_id": world["patient"], "case_id": world["case"], "note_id": notes[n % len(notes)],
         "kind": PaymentKind.COPAY, "method": PaymentMethod.CASH, "amount": Decimal("20.00"), "paid_on": date(2025, 1, 2),
         "created_by_id": admin.id} for n in range(rows)])
    paid = db.session.scalars(select(Payment.id).where(Payment.patient_id == world["patient"]).order_by(Payment.id.desc())
                              .limit(rows)).all()
    db.session.execute(insert(Payment), [
        {"clinic_id": clinic.id, "patient_id": world["patient"], "transaction": TransactionType.REVERSAL, "original_id": i,
         "kind": PaymentKind.COPAY, "method": PaymentMethod.CASH, "amount": Decimal("-20.00"), "paid_on": date(2025, 1, 3),
         "created_by_id": admin.id} for i in paid[::5]])
    # the company's fee schedule (one day's entry each) and custom codes
    db.session.execute(insert(FeeScheduleEntry), [
        {"company_id": clinic.company_id, "code": "97110", "amount": Decimal("42.00"),
         "effective_from": date(2000, 1, 1) + timedelta(days=n), "effective_to": date(2000, 1, 1) + timedelta(days=n)}
        for n in numbers])
    db.session.execute(insert(CustomCode), [
        {"company_id": clinic.company_id, "code": f"BULK{n}", "description": f"Bulk supply {n}", "amount": Decimal("5.00"),
         "comparative_code": "", "active": True} for n in numbers])
    kinds = [("patient", world["patient"]), ("case", world["case"]), ("user", admin.id), ("insurance", world["insurance"]),
             ("clinic", clinic.id)]
    db.session.execute(insert(AuditEvent), [
        {"occurred_at": utcnow(), "actor_id": admin.id, "clinic_id": clinic.id, "action": f"{kinds[n % 5][0]}.update",
         "object_type": kinds[n % 5][0], "object_id": str(kinds[n % 5][1]), "summary": "bulk"} for n in numbers])
    db.session.commit()


def statements_per_page(client, count_queries, world) -> dict[str, tuple[int, list[str]]]:
    counts = {}
    for page, (path, _) in BUDGETS.items():
        url = path.format(**world)
        client.get(url)  # once unmeasured: the session's last-seen write is not the page's
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, (page, response.status_code)
        if page in ("my notes", "incomplete cosign docs", "chart", "case page"):
            assert "Daily Note" in response.get_data(as_text=True), page
        if page == "patient ledger":
            assert "Reversal of #" in response.get_data(as_text=True)
        if page == "case page":
            assert "Certification period" in response.get_data(as_text=True)
        if page == "patient manager":
            assert "Incomplete" in response.get_data(as_text=True)  # the quick-added patient is on the page
        counts[page] = (counter.count, counter.statements)
    return counts


def test_every_main_page_keeps_its_statement_budget_at_10_and_1000_rows(client, world, count_queries):
    grow(world, 10, 0)
    client.login("budget-admin@example.test")
    small = statements_per_page(client, count_queries, world)
    grow(world, 990, 10)
    large = statements_per_page(client, count_queries, world)
    for page, (_, budget) in BUDGETS.items():
        assert small[page][0] <= budget, (page, small[page][0], small[page][1])
        assert large[page][0] == small[page][0], (page, small[page][1], large[page][1])


def test_the_signed_in_user_and_their_clinics_cost_one_statement(client, world, count_queries):
    """Every page starts with one statement: the user with their session, permissions and clinics (the
    switcher, the current clinic, its company and plugin state); Company Settings needs nothing more."""
    client.login("budget-admin@example.test")
    client.get("/")
    with count_queries() as counter:
        page = client.get("/settings/company")
    assert page.status_code == 200
    assert "Old Town Clinic" in page.get_data(as_text=True)  # the switcher
    assert counter.count == 1, counter.statements
    assert counter.statements[0].split()[:2] == ["SELECT", "user_account.id,"]
