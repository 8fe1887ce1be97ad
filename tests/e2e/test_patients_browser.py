"""End-to-end tests: the front desk works with patients and cases in a real chromium (Debian's).

Add Patient with the billing checks (a Medicare patient's 9-digit ZIP, a phone without extension), Add
Case with an authorization number the billing system accepts and a Workers' Comp case that needs the
patient's SSN, Quick Add where the clinic has it (and nowhere else), another clinic's patient (404),
the Patient Manager's live search, and the chart's in-place Demographics edit.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from core.accounts import UserType
from core.cases import Authorization, Case
from core.extensions import db
from core.patients import AddressType, Patient, PatientAddress, Sex, create_patient
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.web import Permission
from tests.e2e.conftest import login
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e

FRONT_DESK = "desk@example.test"
FRONT_DESK_PERMISSIONS = [Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS]


# -- fixtures ------------------------------------------------------------------------------------
def _insurance(company_id: int, name: str, kind: InsuranceType, **kw) -> Insurance:
    insurance = Insurance(company_id=company_id, name=name, insurance_type=kind,
                          unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE if kind.is_medicare
                          else UnitCalculation.RULE_OF_EIGHTS, **kw)
    db.session.add(insurance)
    return insurance


@pytest.fixture
def insurances(clinic):
    """The company's insurances: Medicare, a Commercial one that requires authorization, Workers' Comp."""
    made = {
        "medicare": _insurance(clinic.company_id, "Medicare Part B", InsuranceType.MEDICARE),
        "auth": _insurance(clinic.company_id, "Acme Health", InsuranceType.COMMERCIAL, authorization_required=True),
        "wc": _insurance(clinic.company_id, "State Fund", InsuranceType.WORKERS_COMP),
    }
    db.session.commit()
    return made


@pytest.fixture
def front_desk(make_user, clinic):
    """Front desk of ``clinic``: View Patients and Edit Patients, nothing else."""
    return make_user([clinic], email=FRONT_DESK, user_type=UserType.CLERICAL, first_name="Fran", last_name="Desk",
                     permissions=FRONT_DESK_PERMISSIONS)


@pytest.fixture
def therapist(make_user, clinic):
    """An active PT of ``clinic``, for the cases."""
    return make_user([clinic], email="theo@example.test", user_type=UserType.PT, first_name="Theo", last_name="Therapist")


def complete_patient(clinic, first="Rosa", last="Diaz", ssn=None, zip_code="850181234", email=None) -> Patient:
    """A patient whose profile passes every billing check (no SSN unless given)."""
    patient = create_patient(clinic, first_name=first, last_name=last, date_of_birth=date(1980, 5, 1),
                             phone="6025550142")
    patient.sex = Sex.FEMALE
    patient.ssn = ssn
    patient.email = email
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St",
                                        city="Phoenix", state="AZ", postal_code=zip_code)]
    db.session.commit()
    return patient


# -- helpers -------------------------------------------------------------------------------------
def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def sign_in(page: Page, base_url: str, clinic_name: str = "Camelback Clinic", email: str = FRONT_DESK) -> None:
    login(page, base_url, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic_name)


def open_patient_manager(page: Page, base_url: str) -> None:
    main_nav(page).get_by_role("link", name="Patient Manager").click()
    expect(page).to_have_url(f"{base_url}/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient Manager")


def switch_clinic(page: Page, clinic_name: str) -> None:
    page.get_by_role("combobox", name="Clinic", exact=True).select_option(label=clinic_name)
    page.get_by_role("button", name="Switch", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic_name)


def patient_rows(page: Page):
    return page.locator("#patient-table tbody tr")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(model, id_):
    """``model`` ``id_`` as the database has it now (the live server wrote it in another session)."""
    db.session.expire_all()
    return db.session.get(model, id_)


def expect_field_error(field: Locator, message: str) -> None:
    """The message is shown at ``field`` and tied to it: aria-invalid, and its accessible description."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    error = field.page.locator(f"[id='{field.get_attribute('id')}-error']")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)


def fill_add_patient(page: Page, *, first: str, last: str, born: str, zip_code: str, phone: str) -> None:
    """The Add Patient form's profile: names, date of birth, sex, the Home primary address, the phone."""
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("Date of birth", exact=True).fill(born)
    page.get_by_label("Female", exact=True).check()
    expect(page.get_by_label("Primary address", exact=True)).to_be_checked()
    page.get_by_label("Address type", exact=True).select_option("Home")
    page.get_by_label("Address line 1", exact=True).fill("4501 E Camelback Rd")
    page.get_by_label("City", exact=True).fill("Phoenix")
    page.get_by_label("State", exact=True).select_option("AZ")
    page.get_by_label("ZIP code", exact=True).fill(zip_code)
    expect(page.get_by_label("Primary phone", exact=True)).to_be_checked()
    page.get_by_label("Phone type", exact=True).select_option("Mobile")
    page.get_by_label("Phone number", exact=True).fill(phone)


def open_add_patient(page: Page, base_url: str) -> None:
    open_patient_manager(page, base_url)
    page.get_by_role("button", name="Add Patient", exact=True).click()
    expect(page).to_have_url(f"{base_url}/patients/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Patient")


def submit_add_patient(page: Page, base_url: str):
    with page.expect_response(lambda r: r.url == f"{base_url}/patients/new" and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add Patient", exact=True).click()
    return answer.value


def primary_policy(page: Page):
    return page.get_by_role("group", name="Primary Insurance", exact=True)


def fill_case(page: Page, *, title: str, cause: str, insurance: str, subscriber_id: str, claim_number: str = "") -> None:
    """Add Case: the case, its primary policy (the insured is the patient) and nothing else."""
    page.get_by_label("Case Title").fill(title)
    page.get_by_label("Discipline", exact=True).select_option("PT")
    page.get_by_label("Assigned Therapist").select_option(label="Therapist, Theo (PT)")
    page.get_by_label("Related Cause").select_option(cause)
    policy = primary_policy(page)
    policy.get_by_label("Insurance", exact=True).select_option(label=insurance)
    policy.get_by_label("Subscriber ID").fill(subscriber_id)
    if claim_number:
        policy.get_by_label("Claim Number").fill(claim_number)
    policy.get_by_label("Policy Start Date").fill("2025-01-01")
    policy.get_by_label("Policy End Date").fill("2025-12-31")
    expect(policy.get_by_label("Insured's relationship to the patient")).to_have_value("Self")


def submit_case(page: Page, base_url: str, patient: Patient):
    new_url = f"{base_url}/patients/{patient.id}/cases/new"
    with page.expect_response(lambda r: r.url == new_url and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add Case").click()
    return answer.value


# -- Add Patient: the billing checks -------------------------------------------------------------
def test_medicare_patient_needs_the_9_digit_zip(live_server, page: Page, clinic, front_desk, insurances):
    medicare = insurances["medicare"]
    sign_in(page, live_server)
    open_add_patient(page, live_server)
    fill_add_patient(page, first="Maria", last="Medina", born="1950-03-02", zip_code="85018", phone="(602) 555-0142")
    page.get_by_label("Primary insurance (if known)").select_option(label="Medicare Part B (Medicare)")

    refused = submit_add_patient(page, live_server)
    assert refused.status == 422
    expect(page).to_have_url(f"{live_server}/patients/new")
    message = "Medicare patients need the 9-digit ZIP code (ZIP+4, e.g. 85018-1234)."
    zip_code = page.get_by_label("ZIP code", exact=True)
    expect_field_error(zip_code, message)
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)  # nothing else is wrong
    assert count(Patient) == 0
    # What was typed is still there.
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Medina")
    expect(page.get_by_label("Primary insurance (if known)")).to_have_value(str(medicare.id))

    zip_code.fill("85018-1234")
    saved = submit_add_patient(page, live_server)
    assert saved.status == 303
    [patient] = db.session.scalars(select(Patient)).all()
    # Choosing the insurance starts the first case with it.
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}/cases/new?insurance_id={medicare.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Case")
    expect(page.get_by_role("status")).to_have_text(f"The patient was added (chart #{patient.chart_number}).")
    expect(primary_policy(page).get_by_label("Insurance", exact=True)).to_have_value(str(medicare.id))
    assert (patient.clinic_id, patient.first_name, patient.last_name, patient.sex) == (clinic.id, "Maria", "Medina", Sex.FEMALE)
    assert patient.date_of_birth == date(1950, 3, 2) and patient.created_by_id == front_desk.id
    assert [(a.address_type, a.is_primary, a.postal_code) for a in patient.addresses] == [(AddressType.HOME, True, "850181234")]
    assert [(p.number, p.is_primary) for p in patient.phones] == [("6025550142", True)]


def test_phone_with_an_extension_is_refused(live_server, page: Page, clinic, front_desk):
    sign_in(page, live_server)
    open_add_patient(page, live_server)
    fill_add_patient(page, first="Ezra", last="Extension", born="1972-07-14", zip_code="85018",
                     phone="(602) 555-0142 ext. 12")

    refused = submit_add_patient(page, live_server)
    assert refused.status == 422
    phone = page.get_by_label("Phone number", exact=True)
    expect_field_error(phone, "Leave out the extension")
    expect_field_error(phone, '"Invalid Billing Phone Number"')
    expect(page.get_by_role("alert")).to_contain_text("Phone 1: Phone number: Leave out the extension")
    expect(phone).to_have_value("(602) 555-0142 ext. 12")
    assert count(Patient) == 0

    # Control: the same number without the extension is accepted.
    phone.fill("(602) 555-0142")
    saved = submit_add_patient(page, live_server)
    assert saved.status == 303
    [patient] = db.session.scalars(select(Patient)).all()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Extension, Ezra")
    expect(page.locator("#demographics")).to_contain_text("Mobile (Primary): (602) 555-0142")
    assert [p.number for p in patient.phones] == ["6025550142"]


# -- Add Case ------------------------------------------------------------------------------------
def test_authorization_number_with_a_period_is_refused_and_0000_accepted(live_server, page: Page, clinic, front_desk,
                                                                          therapist, insurances):
    patient = complete_patient(clinic)
    sign_in(page, live_server)
    page.goto(f"{live_server}/patients/{patient.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Diaz, Rosa")
    expect(page.locator("#patient-cases")).to_contain_text("No cases yet.")
    page.get_by_role("button", name="Add Case").click()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}/cases/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Case")

    fill_case(page, title="Right shoulder pain", cause="None of the Above", insurance="Acme Health (Commercial)",
              subscriber_id="ACM123456")
    authorization = page.get_by_role("group", name="Authorization", exact=True)
    number = authorization.get_by_label("Authorization Number")
    number.fill("12.34")
    authorization.get_by_label("Effective Start Date").fill("2025-01-01")
    authorization.get_by_label("Effective End Date").fill("2025-06-30")
    authorization.get_by_label("Visits Authorized").fill("12")

    refused = submit_case(page, live_server, patient)
    assert refused.status == 422
    message = "Use digits only, with no spaces, periods or other characters (0000 is the placeholder)"
    expect_field_error(number, message)
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert count(Case) == 0 and count(Authorization) == 0

    number.fill("0000")
    saved = submit_case(page, live_server, patient)
    assert saved.status == 303
    [case] = db.session.scalars(select(Case)).all()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}/cases/{case.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case: Right shoulder pain")
    expect(page.get_by_role("status")).to_have_text("The case was added.")
    authorizations = page.locator("#case-authorizations")
    expect(authorizations.get_by_role("columnheader")).to_have_text(
        ["Authorization Number", "Effective dates", "Visits Authorized", "Visits Used", "Visits Remaining"])
    expect(authorizations.locator("tbody tr td")).to_have_text(["0000", "01/01/2025 to 06/30/2025", "12", "0", "12"])
    [auth] = case.authorizations
    assert (auth.number, auth.visits_authorized, auth.visits_used) == ("0000", 12, 0)
    assert (case.therapist_id, case.policies[0].insurance_id) == (therapist.id, insurances["auth"].id)

    page.get_by_role("link", name="Patient chart").click()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}")
    row = page.locator("#patient-cases tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="Right shoulder pain")).to_be_visible()
    expect(row).to_contain_text("Acme Health")
    expect(row).to_contain_text("0000 (01/01/2025 to 06/30/2025): 0 used, 12 remaining")


def test_workers_comp_case_needs_the_patients_ssn(live_server, page: Page, clinic, front_desk, therapist, insurances):
    patient = complete_patient(clinic, first="Walt", last="Worker")
    sign_in(page, live_server)
    page.goto(f"{live_server}/patients/{patient.id}/cases/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Case")
    fill_case(page, title="Lifting injury", cause="Employment Injury", insurance="State Fund (Workers' Comp)",
              subscriber_id="WC2025001", claim_number="WC2025001")

    refused = submit_case(page, live_server, patient)
    assert refused.status == 422
    policy = primary_policy(page)
    message = "Workers' Comp needs the patient's Social Security Number: add it on Edit Patient first."
    expect_field_error(policy.get_by_label("Insurance", exact=True), message)
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert count(Case) == 0

    # Control: with the SSN added on Edit Patient (the page links there), the same case is accepted.
    policy.get_by_role("link", name="Edit Patient").click()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}/edit")
    page.get_by_label("Social Security Number").fill("123-45-6789")
    page.get_by_role("button", name="Save Patient").click()
    expect(page).to_have_url(f"{live_server}/patients/{patient.id}")
    expect(page.get_by_role("status")).to_have_text("The patient's profile was saved.")
    assert fresh(Patient, patient.id).ssn == "123456789"

    page.goto(f"{live_server}/patients/{patient.id}/cases/new")
    fill_case(page, title="Lifting injury", cause="Employment Injury", insurance="State Fund (Workers' Comp)",
              subscriber_id="WC2025001", claim_number="WC2025001")
    assert submit_case(page, live_server, patient).status == 303
    expect(page.get_by_role("heading", level=1)).to_have_text("Case: Lifting injury")
    assert count(Case) == 1


# -- Quick Add: on in one clinic only ------------------------------------------------------------
def test_quick_add_in_clinic_a_and_not_in_clinic_b(live_server, page: Page, clinic, make_clinic, make_user,
                                                    enable_plugin):
    clinic_b = make_clinic("Old Town Clinic", company=clinic.company)
    make_user([clinic, clinic_b], email=FRONT_DESK, user_type=UserType.CLERICAL, first_name="Fran",
              permissions=FRONT_DESK_PERMISSIONS)
    enable_plugin(clinic, "quick_add")
    quick_add = page.get_by_role("button", name="Quick Add Patient")
    incomplete_link = main_nav(page).get_by_role("link", name="Incomplete profiles")

    sign_in(page, live_server)
    open_patient_manager(page, live_server)
    expect(page.get_by_role("button", name="Add Patient", exact=True)).to_be_visible()
    quick_add.click()
    expect(page).to_have_url(f"{live_server}/quick-add/patients/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick Add Patient")
    page.get_by_label("First Name").fill("Rowan")
    page.get_by_label("Last Name").fill("Ellery")
    page.get_by_label("Date of Birth").fill("1988-04-12")
    page.get_by_label("Phone Number").fill("(602) 555-0187")
    page.get_by_role("button", name="Save Patient").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/patients/\d+$"))
    patient = fresh(Patient, int(page.url.rsplit("/", 1)[1]))
    assert (patient.clinic_id, patient.last_name, patient.sex, patient.addresses) == (clinic.id, "Ellery", None, [])
    expect(page.get_by_role("heading", level=1)).to_have_text("Ellery, Rowan")
    expect(page.get_by_role("status")).to_have_text(
        "Patient added with Quick Add. Complete the profile before notes can be finalized.")

    incomplete_link.click()
    expect(page).to_have_url(f"{live_server}/quick-add/incomplete")
    expect(page.get_by_role("heading", level=1)).to_have_text("Incomplete profiles")
    row = page.locator(f"#quick-add-patient-{patient.id}")
    expect(row.get_by_role("cell").first).to_have_text("Ellery, Rowan")
    expect(row.get_by_role("listitem")).to_have_text(["Sex is missing.", "A primary Home address is missing."])
    expect(row.get_by_role("link", name="Complete Profile of Rowan Ellery")).to_have_attribute(
        "href", f"/patients/{patient.id}/edit")

    # Clinic B has Quick Add off: no button, no link, no page.
    switch_clinic(page, "Old Town Clinic")
    expect(incomplete_link).to_have_count(0)
    open_patient_manager(page, live_server)
    expect(page.get_by_text("Patients of Old Town Clinic")).to_be_visible()
    expect(page.get_by_role("button", name="Add Patient", exact=True)).to_be_visible()
    expect(page.get_by_text("Quick Add", exact=False)).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Profile")).to_have_count(0)
    expect(incomplete_link).to_have_count(0)
    for path in ("/quick-add/patients/new", "/quick-add/incomplete"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


# -- another clinic's patient --------------------------------------------------------------------
def test_another_clinics_patient_is_not_found(live_server, page: Page, clinic, front_desk, make_clinic):
    clinic_b = make_clinic("Old Town Clinic", company=clinic.company)
    complete_patient(clinic, first="Ana", last="Adams")
    hidden = create_patient(clinic_b, first_name="Zebulon", last_name="Hidalgo", date_of_birth=date(1966, 6, 6))
    db.session.commit()

    sign_in(page, live_server)
    for path in ("", "/edit", "/demographics/edit", "/cases/new"):
        response = page.goto(f"{live_server}/patients/{hidden.id}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(page.locator("body")).not_to_contain_text("Hidalgo")
        expect(page.locator("body")).not_to_contain_text("Zebulon")

    open_patient_manager(page, live_server)
    expect(patient_rows(page)).to_have_count(1)  # clinic A's own patient
    page.get_by_label("Search by name, date of birth, phone or chart number").fill("Hidalgo")
    expect(patient_rows(page)).to_have_text(["No patients match this search."])
    expect(page).to_have_url(re.compile(r"/patients/\?(.*&)?q=Hidalgo(&|$)"))
    expect(page.locator("main")).not_to_contain_text("Zebulon")


# -- the Patient Manager's live search -----------------------------------------------------------
def test_live_search_narrows_the_table_and_pushes_the_url(live_server, page: Page, clinic, front_desk):
    for first, last in (("Ana", "Quintero"), ("Luis", "Quintana"), ("Mary", "Quinn"), ("John", "Smith"),
                        ("Zoe", "Adams")):
        create_patient(clinic, first_name=first, last_name=last, date_of_birth=date(1970, 1, 2))
    db.session.commit()

    sign_in(page, live_server)
    open_patient_manager(page, live_server)
    rows = patient_rows(page)
    expect(rows).to_have_count(5)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    search = page.get_by_label("Search by name, date of birth, phone or chart number")

    search.press_sequentially("quint", delay=30)
    expect(rows).to_have_count(2)
    expect(rows.locator("td:first-child")).to_have_text(["Quintana, Luis", "Quintero, Ana"])
    expect(page).to_have_url(re.compile(r"/patients/\?(.*&)?q=quint(&|$)"))

    search.press_sequentially("e", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.locator("td:first-child")).to_have_text(["Quintero, Ana"])
    expect(page).to_have_url(re.compile(r"/patients/\?(.*&)?q=quinte(&|$)"))
    assert page.evaluate("window.__sameDocument === true")

    # The pushed URL renders the same results as a whole page.
    page.reload()
    expect(rows.locator("td:first-child")).to_have_text(["Quintero, Ana"])
    expect(search).to_have_value("quinte")


# -- the chart: demographics edited in place ------------------------------------------------------
def test_demographics_edited_in_place(live_server, page: Page, clinic, front_desk):
    patient = complete_patient(clinic, email="rosa@example.test")
    chart_url = f"{live_server}/patients/{patient.id}"
    sign_in(page, live_server)
    page.goto(chart_url)
    section = page.locator("#demographics")
    email = section.locator("dt:text-is('Email') + dd")
    expect(email).to_have_text("rosa@example.test")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    section.get_by_role("button", name="Edit demographics").click()
    expect(section.get_by_role("heading", name="Edit demographics")).to_be_visible()
    expect(page).to_have_url(chart_url)
    field = section.get_by_label("Email", exact=True)
    expect(field).to_have_value("rosa@example.test")
    field.fill("rosa.diaz@example.org")
    save_url = f"{chart_url}/demographics"
    with page.expect_response(lambda r: r.url == save_url and r.request.method == "POST") as answer:
        section.get_by_role("button", name="Save demographics").click()
    assert answer.value.status == 200
    assert answer.value.request.header_value("hx-request") == "true"

    expect(section.get_by_role("status")).to_have_text("Demographics saved.")
    expect(email).to_have_text("rosa.diaz@example.org")
    expect(section.get_by_role("button", name="Save demographics")).to_have_count(0)
    expect(page).to_have_url(chart_url)
    assert page.evaluate("window.__sameDocument === true")
    assert fresh(Patient, patient.id).email == "rosa.diaz@example.org"
