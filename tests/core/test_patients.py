"""Patients: the Patient Manager (search, pages, plugin columns and actions), Add Patient and Edit Patient
with the billing checks, the chart (audit, SSN masking, demographics edited in place, account and sticky
notes), permissions and clinic scoping on every route."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.cases import Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.patients import (
    AccountNote,
    AddressType,
    Patient,
    PatientAddress,
    PatientPhone,
    PhoneType,
    Sex,
    create_patient,
    primary_address_error,
)
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.plugin_api import Cell, Column, NavItem, hookimpl
from core.web import Permission, phone_error, postal_code_error

VIEW = [Permission.VIEW_PATIENTS]
EDIT = [Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS]


# -- fixtures and helpers ------------------------------------------------------------------------
@pytest.fixture
def viewer(make_user, clinic):
    return make_user([clinic], email="viewer@example.test", permissions=VIEW, first_name="Vera")


@pytest.fixture
def editor(make_user, clinic):
    return make_user([clinic], email="editor@example.test", permissions=EDIT, first_name="Eddie", last_name="Front")


@pytest.fixture
def outsider(make_user, clinic):
    """A user of the clinic without View Patients."""
    return make_user([clinic], email="outsider@example.test", permissions=[Permission.VIEW_USERS])


def add_patient(clinic, first="Maria", last="Rivera", dob=date(1961, 4, 12), phone="6025550142", ssn=None,
                zip_code="85018", middle="", **extra) -> Patient:
    patient = create_patient(clinic, first_name=first, last_name=last, date_of_birth=dob, middle_initial=middle)
    patient.sex = Sex.FEMALE
    patient.ssn = ssn
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="4250 E Camelback Rd",
                                        city="Phoenix", state="AZ", postal_code=zip_code)]
    if phone:
        patient.phones = [PatientPhone(phone_type=PhoneType.MOBILE, is_primary=True, number=phone)]
    for name, value in extra.items():
        setattr(patient, name, value)
    db.session.commit()
    return patient


def form_data(**overrides) -> dict:
    """A complete, valid Add Patient submission."""
    data = {
        "first_name": "Maria", "middle_initial": "J", "last_name": "Rivera", "date_of_birth": "1961-04-12", "sex": "Female",
        "ssn": "123-45-6789",
        "addresses-0-address_type": "Home", "addresses-0-line1": "4250 E Camelback Rd", "addresses-0-line2": "Apt 2",
        "addresses-0-city": "Phoenix", "addresses-0-state": "AZ", "addresses-0-postal_code": "85018-1234",
        "primary_address": "0",
        "phones-0-phone_type": "Mobile", "phones-0-number": "(602) 555-0142", "primary_phone": "0",
        "email": "maria@example.test",
        "emergency_contact_name": "Luis Rivera", "emergency_contact_relationship": "Son", "emergency_contact_phone": "480-555-0178",
        "guarantor_is_patient": "y", "primary_insurance": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def patient_count() -> int:
    return db.session.scalar(select(func.count(Patient.id)))


def error_at(body: str, field_id: str, message: str) -> bool:
    """The message is shown at the field (its error element) and the field is marked invalid."""
    at_field = f'<small id="{field_id}-error" class="field-error">{escape(message)}</small>' in body \
        or f'<p id="{field_id}-error" class="field-error">{escape(message)}</p>' in body
    marked = re.search(rf'<[^>]*id="{re.escape(field_id)}[^"]*"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{re.escape(field_id)}', body)
    return at_field and bool(marked)


def make_insurance(company, name="Medicare Part B", kind=InsuranceType.MEDICARE) -> Insurance:
    insurance = Insurance(company_id=company.id, name=name, insurance_type=kind, unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE)
    db.session.add(insurance)
    db.session.commit()
    return insurance


def rows(body: str) -> list[str]:
    return re.findall(r'<tr id="patient-\d+">', body)


# -- the Patient Manager -------------------------------------------------------------------------
@pytest.fixture
def search_patients(clinic, make_clinic):
    maria = add_patient(clinic, "María", "Rivera", date(1961, 4, 12), "6025550142")
    mario = add_patient(clinic, "Mario", "Rivas", date(1970, 1, 2), "4805550178")
    john = add_patient(clinic, "John", "Smith", date(1980, 5, 6), "6235550199")
    elsewhere = make_clinic("Old Town", company=clinic.company)
    add_patient(elsewhere, "Maria", "Rivera", date(1961, 4, 12), "6025550142")  # another clinic: never found here
    return maria, mario, john


@pytest.mark.parametrize("term, expected", [
    ("riv", {"Rivera, María", "Rivas, Mario"}),             # last name prefix
    ("RIVERA", {"Rivera, María"}),
    ("Rivera, mar", {"Rivera, María"}),                    # "last, first"
    ("maria riv", {"Rivera, María"}),                      # "first last", accents ignored
    ("04/12/1961", {"Rivera, María"}),                     # date of birth
    ("1961-04-12", {"Rivera, María"}),
    ("(602) 555-0142", {"Rivera, María"}),                 # phone
    ("6025550142", {"Rivera, María"}),
    ("smith", {"Smith, John"}),
    ("zzz", set()),
])
def test_search_by_each_kind(client, viewer, search_patients, term, expected):
    client.login(viewer.email)
    body = client.get("/patients/", query_string={"q": term}).get_data(as_text=True)
    found = set(re.findall(r'<a href="/patients/\d+">([^<]+)</a>', body))
    assert found == {str(escape(name)) for name in expected}


def test_search_by_chart_number(client, viewer, search_patients):
    _, mario, _ = search_patients
    client.login(viewer.email)
    body = client.get("/patients/", query_string={"q": mario.chart_number}).get_data(as_text=True)
    assert "Rivas, Mario" in body and "Rivera" not in body
    assert "01/02/1970" in body and mario.chart_number in body and "(480) 555-0178" in body


def test_live_search_returns_the_table_alone(client, viewer, search_patients):
    client.login(viewer.email)
    response = client.hx_get("/patients/?q=smith")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Smith, John" in body
    assert "HX-Request" in response.headers["Vary"]
    page = client.get("/patients/?q=smith").get_data(as_text=True)
    assert "<html" in page and 'hx-push-url="true"' in page and 'id="patient-table"' in page
    assert "Search by name, date of birth, phone or chart number" in page


def test_pagination_on_the_server(client, viewer, clinic):
    for n in range(30):
        add_patient(clinic, "Pat", f"Person{n:02d}", phone=None)
    client.login(viewer.email)
    first = client.get("/patients/").get_data(as_text=True)
    assert len(rows(first)) == 25 and "Page 1 of 2 · 30 in all" in first and "Person00" in first and "Person29" not in first
    second = client.hx_get("/patients/?page=2").get_data(as_text=True)
    assert len(rows(second)) == 5 and "Person29" in second and "Person00" not in second


def test_patient_manager_queries_do_not_grow_with_rows(client, viewer, clinic, count_queries):
    for n in range(5):
        add_patient(clinic, "Few", f"Patient{n:02d}", phone=f"602555{n:04d}")
    client.login(viewer.email)
    client.get("/patients/")
    with count_queries() as small:
        body = client.get("/patients/").get_data(as_text=True)
    assert len(rows(body)) == 5
    for n in range(5, 25):
        add_patient(clinic, "Many", f"Patient{n:02d}", phone=f"602555{n:04d}")
    with count_queries() as large:
        body = client.get("/patients/").get_data(as_text=True)
    assert len(rows(body)) == 25 and "(602) 555-0024" in body
    assert small.count == large.count, large.statements


def test_buttons_by_permission(client, viewer, editor, clinic):
    client.login(viewer.email)
    assert "Add Patient" not in client.get("/patients/").get_data(as_text=True)
    client.login(editor.email)
    assert 'href="/patients/new" role="button">Add Patient' in client.get("/patients/").get_data(as_text=True)


class PatientColumnsPlugin:
    """A throwaway plugin: a column (text and template cells) and two actions (one needs Edit Patients)."""

    calls = 0

    @hookimpl
    def caseload_patient_manager_columns(self, clinic, viewer, patients):
        PatientColumnsPlugin.calls += 1
        return [
            Column("zz_flag", "Flag", {p.id: Cell(text=f"<b>{p.last_name}</b>") for p in patients}, order=5),
            Column("aa_tpl", "Templated", {p.id: Cell(template="patients/_test_cell.html") for p in patients[:1]}, order=1),
        ]

    @hookimpl
    def caseload_patient_manager_actions(self, clinic, user):
        return [NavItem("Zeta Action", "patients.index", order=50),
                NavItem("Alpha Action", "patients.index", order=50, permission=Permission.EDIT_PATIENTS)]


@pytest.fixture
def columns_plugin(extra_plugins):
    """Registers the throwaway plugin; list it before ``app`` (or ``client``) in a test's arguments."""
    extra_plugins.append(("patient_columns_test", PatientColumnsPlugin()))
    return "patient_columns_test"


def test_plugin_columns_and_actions(columns_plugin, client, app, viewer, editor, clinic, enable_plugin, search_patients):
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([DictLoader({"patients/_test_cell.html": "cell for {{ patient.first_name }}"}), app.jinja_loader])
    client.login(viewer.email)
    body = client.get("/patients/").get_data(as_text=True)
    assert "Flag" not in body and "Zeta Action" not in body  # off in this clinic
    enable_plugin(clinic, columns_plugin)
    PatientColumnsPlugin.calls = 0
    body = client.get("/patients/").get_data(as_text=True)
    assert PatientColumnsPlugin.calls == 1  # once per page, not per row
    assert body.index(">Templated<") < body.index(">Flag<")  # sorted by order
    assert "&lt;b&gt;Rivera&lt;/b&gt;" in body and "<b>Rivera</b>" not in body  # text cells are escaped
    assert "cell for Mario" in body
    assert 'role="button" class="secondary">Zeta Action' in body and "Alpha Action" not in body
    client.login(editor.email)
    body = client.get("/patients/").get_data(as_text=True)
    assert body.index("Alpha Action") < body.index("Zeta Action")  # same order: by label


# -- Add Patient ---------------------------------------------------------------------------------
def test_add_patient_form_shows_the_fields(client, editor):
    client.login(editor.email)
    body = client.get("/patients/new").get_data(as_text=True)
    for label in ("First name", "Middle initial", "Last name", "Date of birth", "Female", "Male", "Unknown",
                  "Social Security Number", "Address type", "Address line 1", "ZIP code", "Primary address",
                  "Phone type", "Primary phone", "Email", "Emergency contact name", "The patient is the guarantor",
                  "Primary insurance (if known)", "Add another address", "Add another phone"):
        assert label in body, label
    assert 'name="csrf_token"' in body
    assert '<input checked id="guarantor_is_patient"' in body


def test_add_patient_happy_path(client, editor, clinic):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data())
    assert response.status_code == 303, response.get_data(as_text=True)
    patient = db.session.scalar(select(Patient))
    assert response.headers["Location"].endswith(f"/patients/{patient.id}")
    assert (patient.first_name, patient.middle_initial, patient.last_name) == ("Maria", "J", "Rivera")
    assert (patient.first_name_key, patient.last_name_key) == ("maria", "rivera")
    assert patient.clinic_id == clinic.id and patient.chart_number
    assert patient.date_of_birth == date(1961, 4, 12) and patient.sex is Sex.FEMALE
    assert patient.ssn == "123456789"
    assert [(a.address_type, a.is_primary, a.postal_code) for a in patient.addresses] == [(AddressType.HOME, True, "850181234")]
    assert [(p.number, p.is_primary) for p in patient.phones] == [("6025550142", True)]
    assert patient.emergency_contact_phone == "4805550178" and patient.guarantor_is_patient
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.create"))
    assert event.object_id == str(patient.id) and event.clinic_id == clinic.id
    trail = f"{event.summary} {event.changes}"
    assert "Rivera" not in trail and "6789" not in trail and "0142" not in trail  # field names only
    chart = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The patient was added" in chart and "Rivera, Maria" in chart


def test_add_patient_with_a_guarantor(client, editor):
    client.login(editor.email)
    data = form_data(guarantor_is_patient=None, guarantor_first_name="Ana", guarantor_last_name="Rivera",
                     guarantor_relationship="Parent", guarantor_line1="1 Main St", guarantor_city="Mesa",
                     guarantor_state="AZ", guarantor_postal_code="85201", guarantor_phone="480 555 0111")
    assert client.post("/patients/new", data=data).status_code == 303
    patient = db.session.scalar(select(Patient))
    assert not patient.guarantor_is_patient
    assert (patient.guarantor_first_name, patient.guarantor_relationship, patient.guarantor_phone) == ("Ana", "Parent", "4805550111")


def test_several_addresses_and_phones_one_primary_each(client, editor):
    client.login(editor.email)
    data = form_data(**{
        "addresses-0-address_type": "Work", "addresses-1-address_type": "Home", "addresses-1-line1": "9 Home Rd",
        "addresses-1-city": "Tempe", "addresses-1-state": "AZ", "addresses-1-postal_code": "85281", "primary_address": "1",
        "phones-1-phone_type": "Home", "phones-1-number": "6235550100", "primary_phone": "1",
        "addresses-2-line1": "", "addresses-2-city": "", "addresses-2-postal_code": "",  # a blank extra entry is ignored
    })
    assert client.post("/patients/new", data=data).status_code == 303
    patient = db.session.scalar(select(Patient))
    assert [(a.address_type, a.is_primary) for a in patient.addresses] == [(AddressType.WORK, False), (AddressType.HOME, True)]
    assert patient.primary_phone.number == "6235550100" and len(patient.phones) == 2


def test_add_another_address_and_phone_rerender_without_saving(client, editor):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(add_address="Add another address", first_name=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="addresses-1-line1"' in body and 'id="addresses-2-line1"' not in body
    assert 'value="4250 E Camelback Rd"' in body and "field-error" not in body  # kept, and not validated yet
    response = client.post("/patients/new", data=form_data(add_phone="Add another phone"))
    assert 'id="phones-1-number"' in response.get_data(as_text=True)
    assert patient_count() == 0


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"addresses-0-address_type": "Work"}, "addresses-0-address_type", primary_address_error("Work")),
    ({"addresses-0-postal_code": "8501"}, "addresses-0-postal_code", postal_code_error("8501")),
    ({"addresses-0-postal_code": "85018-12"}, "addresses-0-postal_code", postal_code_error("85018-12")),
    ({"addresses-0-state": ""}, "addresses-0-state", "Choose a US state."),
    ({"addresses-0-line1": ""}, "addresses-0-line1", "Enter the street address."),
    ({"phones-0-number": "602-555-0142 x12"}, "phones-0-number", phone_error("602-555-0142 x12")),
    ({"phones-0-number": "555-0142"}, "phones-0-number", "Enter a 10-digit phone number with its area code."),
    ({"phones-0-number": "(102) 555-0142"}, "phones-0-number", phone_error("1025550142")),
    ({"phones-0-number": ""}, "phones-0-number", "Enter the patient's phone number: at least one phone is needed."),
    ({"emergency_contact_phone": "602-555-0142 ext. 4"}, "emergency_contact_phone", phone_error("602-555-0142 ext. 4")),
    ({"first_name": ""}, "first_name", "Enter the first name."),
    ({"last_name": "   "}, "last_name", "Enter the last name."),
    ({"middle_initial": "AB"}, "middle_initial", "Use at most 1 letter."),
    ({"middle_initial": "4"}, "middle_initial", "Enter one letter (or leave it blank)."),
    ({"date_of_birth": ""}, "date_of_birth", "Enter the date of birth."),
    ({"date_of_birth": "31/31/1961"}, "date_of_birth", "Enter the date of birth as MM/DD/YYYY."),
    ({"date_of_birth": (date.today() + timedelta(days=1)).isoformat()}, "date_of_birth", "The date of birth cannot be in the future."),
    ({"date_of_birth": "1899-12-31"}, "date_of_birth", "Enter a date of birth on or after 01/01/1900."),
    ({"sex": None}, "sex", "Choose the patient's sex: Female, Male or Unknown."),
    ({"sex": "Other"}, "sex", "Choose Female, Male or Unknown."),
    ({"ssn": "12345"}, "ssn", "Enter the 9-digit Social Security Number (dashes are fine), leave it blank, or type remove to take it off."),
    ({"ssn": "000-12-3456"}, "ssn", "This is not a valid Social Security Number."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address (name@example.com)."),
    ({"first_name": "Ma\x00ria"}, "first_name", "Remove the control characters from this field."),
    ({"first_name": "x" * 61}, "first_name", "Use at most 60 characters."),
    ({"first_name": "x" * 100_000}, "first_name", "Use at most 60 characters."),
    ({"primary_address": "-1"}, "primary_address", "Mark exactly one address as Primary (one that is filled in)."),
    ({"primary_address": "3"}, "primary_address", "Mark exactly one address as Primary (one that is filled in)."),
    ({"primary_phone": None, "phones-1-number": "6235550100"}, "primary_phone", "Mark exactly one phone as Primary (one that is filled in)."),
    ({"guarantor_is_patient": None}, "guarantor_first_name", "Enter the guarantor's first name."),
    ({"guarantor_is_patient": None}, "guarantor_relationship", "Choose the guarantor's relationship to the patient."),
    ({"guarantor_is_patient": None}, "guarantor_line1", "Enter the guarantor's street address."),
    ({"guarantor_is_patient": None}, "guarantor_postal_code", "Enter the ZIP code."),
    ({"guarantor_is_patient": None}, "guarantor_phone", "Enter the guarantor's phone number."),
    ({"guarantor_is_patient": None, "guarantor_phone": "480-555-0111 x2"}, "guarantor_phone", phone_error("480-555-0111 x2")),
])
def test_add_patient_check_fails_at_its_field_and_saves_nothing(client, editor, overrides, field_id, message):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(**overrides))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_at(body, field_id, message), (field_id, message)
    assert 'role="alert" class="error-summary"' in body and re.search(rf'href="#{field_id}(-0)?"', body)
    assert patient_count() == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "patient.create")) == 0


def test_medicare_insurance_requires_a_nine_digit_zip(client, editor, clinic):
    medicare = make_insurance(clinic.company)
    commercial = make_insurance(clinic.company, "Blue Cross", InsuranceType.COMMERCIAL)
    client.login(editor.email)
    data = form_data(**{"addresses-0-postal_code": "85018", "primary_insurance": str(medicare.id)})
    response = client.post("/patients/new", data=data)
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), "addresses-0-postal_code", postal_code_error("85018", nine_required=True))
    assert patient_count() == 0
    response = client.post("/patients/new", data=form_data(**{"addresses-0-postal_code": "85018", "primary_insurance": str(commercial.id)}))
    assert response.status_code == 303


def test_insurances_of_another_company_cannot_be_chosen(client, editor, make_company):
    foreign = make_insurance(make_company("Other Co"), "Foreign Medicare")
    client.login(editor.email)
    assert "Foreign Medicare" not in client.get("/patients/new").get_data(as_text=True)
    response = client.post("/patients/new", data=form_data(primary_insurance=str(foreign.id)))
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), "primary_insurance", "Choose one of the insurances listed.")
    assert patient_count() == 0


def test_add_patient_with_an_insurance_starts_a_case_when_cases_exist(client, app, editor, clinic):
    insurance = make_insurance(clinic.company, "Blue Cross", InsuranceType.COMMERCIAL)
    if "cases.new_case" not in app.view_functions:
        app.add_url_rule("/test-only/new-case/<int:patient_id>", endpoint="cases.new_case", view_func=lambda patient_id: "")
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(primary_insurance=str(insurance.id)))
    patient = db.session.scalar(select(Patient))
    assert response.status_code == 303
    assert f"insurance_id={insurance.id}" in response.headers["Location"]
    assert str(patient.id) in response.headers["Location"]


def test_add_patient_with_an_insurance_goes_to_the_chart_without_cases(client, app, editor, clinic, monkeypatch):
    insurance = make_insurance(clinic.company, "Blue Cross", InsuranceType.COMMERCIAL)
    monkeypatch.delitem(app.view_functions, "cases.new_case", raising=False)
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(primary_insurance=str(insurance.id)))
    patient = db.session.scalar(select(Patient))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/patients/{patient.id}")


def test_markup_in_names_is_stored_and_shown_escaped(client, editor):
    client.login(editor.email)
    hostile = "<script>alert(1)</script>"
    response = client.post("/patients/new", data=form_data(first_name=hostile, last_name="Ölçer-Ñandú \"Q\""))
    assert response.status_code == 303
    patient = db.session.scalar(select(Patient))
    assert patient.first_name == hostile and patient.last_name_key == "olcer-nandu \"q\""
    for url in (f"/patients/{patient.id}", "/patients/", f"/patients/{patient.id}/edit"):
        body = client.get(url).get_data(as_text=True)
        assert hostile not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_a_megabyte_long_name_is_refused(client, editor):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(last_name="x" * (1024 * 1024)))
    assert response.status_code in (413, 422)
    body = response.get_data(as_text=True)
    assert "Use at most 60 characters." in body or "too large" in body
    assert "x" * 1000 not in body
    assert patient_count() == 0


def test_missing_csrf_token_is_refused(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    raw = client.client
    assert raw.post("/patients/new", data=form_data()).status_code == 400
    assert raw.post(f"/patients/{patient.id}/demographics", data={"first_name": "X"}).status_code == 400
    assert raw.post(f"/patients/{patient.id}/account-notes", data={"body": "hello"}).status_code == 400
    assert raw.post(f"/patients/{patient.id}/account-notes", data={"body": "hello"}, headers={"HX-Request": "true"}).status_code == 400
    assert patient_count() == 1 and db.session.scalar(select(func.count(AccountNote.id))) == 0


# -- Edit Patient --------------------------------------------------------------------------------
def test_edit_patient_prefills_and_saves(client, editor, clinic):
    patient = add_patient(clinic, ssn="123456789")
    client.login(editor.email)
    page = client.get(f"/patients/{patient.id}/edit").get_data(as_text=True)
    assert 'value="Rivera"' in page and 'value="123-45-6789"' in page and 'value="(602) 555-0142"' in page
    assert 'value="1961-04-12"' in page and 'id="primary_address-0" name="primary_address" value="0" checked' in page
    data = form_data(**{"phones-0-number": "480.555.0178", "ssn": "", "addresses-0-postal_code": "85018"})
    response = client.post(f"/patients/{patient.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(patient)
    assert patient.primary_phone.number == "4805550178" and patient.ssn is None and patient.middle_initial == "J"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.update"))
    assert {"phones", "ssn"} <= set(event.changes["fields"]) and "4805550178" not in str(event.changes)


def test_edit_of_a_medicare_patient_requires_a_nine_digit_zip(client, editor, clinic):
    patient = add_patient(clinic, zip_code="850181234")
    medicare = make_insurance(clinic.company, "Medicare DME", InsuranceType.MEDICARE_DME)
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Knee", discipline=Discipline.PT, therapist_id=editor.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=medicare.id, subscriber_id="1EG4TE5MK73",
                                start_date=date(2024, 1, 1), end_date=date(2030, 1, 1), insured_relationship=InsuredRelationship.SELF)]
    db.session.add(case)
    db.session.commit()
    client.login(editor.email)
    response = client.post(f"/patients/{patient.id}/edit", data=form_data(**{"addresses-0-postal_code": "85018"}))
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), "addresses-0-postal_code", postal_code_error("85018", nine_required=True))
    db.session.refresh(patient)
    assert patient.primary_address.postal_code == "850181234" and patient.first_name == "Maria"


def test_a_rejected_edit_changes_nothing(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    response = client.post(f"/patients/{patient.id}/edit", data=form_data(first_name="Changed", **{"phones-0-number": "602-555-0142 x12"}))
    assert response.status_code == 422
    db.session.refresh(patient)
    assert patient.first_name == "Maria" and patient.phones[0].number == "6025550142"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "patient.update")) == 0


# -- the chart -----------------------------------------------------------------------------------
def test_opening_the_chart_is_audited(client, viewer, clinic):
    patient = add_patient(clinic)
    client.login(viewer.email)
    for _ in range(2):
        assert client.get(f"/patients/{patient.id}").status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.view")).all()
    assert len(events) == 2
    assert all(e.object_type == "patient" and e.object_id == str(patient.id) and e.clinic_id == clinic.id
               and e.actor_id == viewer.id and "Rivera" not in e.summary for e in events)


def test_chart_shows_the_profile(client, viewer, clinic):
    patient = add_patient(clinic, middle="J", email="maria@example.test", emergency_contact_name="Luis Rivera",
                          emergency_contact_relationship="Son", emergency_contact_phone="4805550178")
    client.login(viewer.email)
    body = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    for text in ("Rivera, Maria J.", "04/12/1961", "Female", "4250 E Camelback Rd", "Phoenix, AZ 85018", "(602) 555-0142",
                 "maria@example.test", "Luis Rivera (Son)", "The patient", f"Chart #{patient.chart_number}"):
        assert text in body, text
    assert "Edit demographics" not in body and "Add account note" not in body  # View Patients only


def test_ssn_is_masked_for_view_only_users(client, viewer, editor, clinic):
    patient = add_patient(clinic, ssn="123456789")
    client.login(viewer.email)
    pages = [client.get(f"/patients/{patient.id}"), client.hx_get(f"/patients/{patient.id}/demographics"),
             client.get(f"/patients/{patient.id}/account-notes"), client.get("/patients/?q=rivera")]
    for response in pages:
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "123456789" not in body and "123-45-6789" not in body and "123-45" not in body
    assert "***-**-6789" in pages[0].get_data(as_text=True)
    client.login(editor.email)
    assert "123-45-6789" in client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "123-45-6789" in client.get(f"/patients/{patient.id}/edit").get_data(as_text=True)
    assert "6789" not in client.get("/patients/?q=rivera").get_data(as_text=True)


def test_cases_section_is_included_with_the_patient_in_scope(client, app, viewer, clinic):
    from jinja2 import ChoiceLoader, DictLoader

    patient = add_patient(clinic)
    app.jinja_loader = ChoiceLoader([DictLoader({"cases/_chart_section.html": "CASES OF PATIENT {{ patient.id }}"}), app.jinja_loader])
    client.login(viewer.email)
    assert f"CASES OF PATIENT {patient.id}" in client.get(f"/patients/{patient.id}").get_data(as_text=True)


# -- demographics in place -----------------------------------------------------------------------
def demographics_data(**overrides) -> dict:
    data = {"first_name": "Marie", "middle_initial": "", "last_name": "Rivera-Cruz", "date_of_birth": "04/12/1961", "sex": "Unknown",
            "email": "", "emergency_contact_name": "", "emergency_contact_relationship": "", "emergency_contact_phone": ""}
    data.update(overrides)
    return data


def test_demographics_edit_in_place(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    chart = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert re.search(rf'href="/patients/{patient.id}/edit" role="button"[^>]*hx-get="/patients/{patient.id}/demographics/edit"', chart)
    form = client.hx_get(f"/patients/{patient.id}/demographics/edit")
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body and 'hx-post="/patients/%d/demographics"' % patient.id in body
    assert 'value="Maria"' in body and "Save demographics" in body and 'name="csrf_token"' in body
    saved = client.post(f"/patients/{patient.id}/demographics", data=demographics_data(), htmx=True)
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "<html" not in body and "Demographics saved." in body
    assert 'id="patient-header" hx-swap-oob="true"' in body and "Rivera-Cruz, Marie" in body
    assert "patientUpdated" in saved.headers["HX-Trigger"]
    db.session.refresh(patient)
    assert (patient.first_name, patient.last_name_key, patient.sex) == ("Marie", "rivera-cruz", Sex.UNKNOWN)
    assert patient.phones[0].number == "6025550142"  # untouched
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.update"))
    assert set(event.changes["fields"]) == {"first_name", "last_name", "sex"} and "Marie" not in event.summary


def test_demographics_bad_input_answers_422_partial_and_saves_nothing(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    response = client.post(f"/patients/{patient.id}/demographics", htmx=True,
                           data=demographics_data(first_name="", date_of_birth="2999-01-01", emergency_contact_phone="602-555-0142 x1"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert error_at(body, "first_name", "Enter the first name.")
    assert error_at(body, "date_of_birth", "The date of birth cannot be in the future.")
    assert error_at(body, "emergency_contact_phone", phone_error("602-555-0142 x1"))
    db.session.refresh(patient)
    assert patient.first_name == "Maria" and patient.date_of_birth == date(1961, 4, 12)


def test_demographics_without_javascript(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    page = client.get(f"/patients/{patient.id}/demographics/edit").get_data(as_text=True)
    assert "<html" in page and 'method="post"' in page
    response = client.post(f"/patients/{patient.id}/demographics", data=demographics_data())
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/patients/{patient.id}")
    response = client.post(f"/patients/{patient.id}/demographics", data=demographics_data(sex=""))
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)
    cancel = client.hx_get(f"/patients/{patient.id}/demographics").get_data(as_text=True)
    assert "<html" not in cancel and "Edit demographics" in cancel


# -- account notes and sticky notes --------------------------------------------------------------
def test_account_notes_and_sticky_notes(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    response = client.post(f"/patients/{patient.id}/account-notes", data={"body": "Prefers mornings."}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Prefers mornings." in body
    response = client.post(f"/patients/{patient.id}/account-notes", data={"body": "Copay <b>$40</b> due", "is_sticky": "y"})
    assert response.status_code == 303
    notes = db.session.scalars(select(AccountNote).order_by(AccountNote.id)).all()
    assert [(n.is_sticky, n.author_id, n.clinic_id) for n in notes] == [(False, editor.id, clinic.id), (True, editor.id, clinic.id)]
    chart = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    sticky = re.search(r'<aside role="note" class="sticky-note".*?</aside>', chart, re.S).group(0)
    assert "Copay &lt;b&gt;$40&lt;/b&gt; due" in sticky and "Eddie" in sticky and "Remove sticky" in sticky
    assert chart.index("Copay &lt;b&gt;") < chart.index('id="demographics"')  # at the top
    listed = chart[chart.index('class="account-notes"'):]
    assert listed.index("Copay") < listed.index("Prefers mornings.")  # newest first
    response = client.post(f"/patients/{patient.id}/account-notes/{notes[1].id}/unstick", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and '<div id="sticky-notes" hx-swap-oob="true">' in body
    assert 'role="note"' not in body
    db.session.refresh(notes[1])
    assert not notes[1].is_sticky
    assert 'role="note"' not in client.get(f"/patients/{patient.id}").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "patient.account_note")).all()
    assert actions == ["account note added", "sticky note added", "sticky removed"]


def test_account_note_bad_input(client, editor, clinic):
    patient = add_patient(clinic)
    client.login(editor.email)
    for body, message in (("", "Write the note."), ("x" * 2001, "Use at most 2000 characters.")):
        response = client.post(f"/patients/{patient.id}/account-notes", data={"body": body}, htmx=True)
        assert response.status_code == 422
        assert error_at(response.get_data(as_text=True), "body", message)
    response = client.post(f"/patients/{patient.id}/account-notes", data={"body": ""})
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AccountNote.id))) == 0


def test_account_notes_paginate(client, viewer, clinic):
    patient = add_patient(clinic)
    db.session.add_all([AccountNote(clinic_id=clinic.id, patient_id=patient.id, body=f"Note number {n:02d}") for n in range(25)])
    db.session.commit()
    client.login(viewer.email)
    first = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Note number 24" in first and "Note number 00" not in first and "Page 1 of 2" in first
    second = client.hx_get(f"/patients/{patient.id}/account-notes?page=2").get_data(as_text=True)
    assert "<html" not in second and "Note number 00" in second and "Note number 24" not in second


# -- permissions and clinic scoping on every route -----------------------------------------------
def routes(patient_id: int, note_id: int) -> list[tuple[str, str, bool]]:
    """(method, url, needs Edit Patients)"""
    return [
        ("GET", "/patients/", False),
        ("GET", "/patients/new", True),
        ("POST", "/patients/new", True),
        ("GET", f"/patients/{patient_id}", False),
        ("GET", f"/patients/{patient_id}/edit", True),
        ("POST", f"/patients/{patient_id}/edit", True),
        ("GET", f"/patients/{patient_id}/demographics", False),
        ("GET", f"/patients/{patient_id}/demographics/edit", True),
        ("POST", f"/patients/{patient_id}/demographics", True),
        ("GET", f"/patients/{patient_id}/account-notes", False),
        ("POST", f"/patients/{patient_id}/account-notes", True),
        ("POST", f"/patients/{patient_id}/account-notes/{note_id}/unstick", True),
    ]


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data=form_data())


@pytest.fixture
def sticky(clinic):
    patient = add_patient(clinic)
    note = AccountNote(clinic_id=clinic.id, patient_id=patient.id, body="Sticky", is_sticky=True)
    db.session.add(note)
    db.session.commit()
    return patient, note


def test_403_without_view_patients_on_every_route(client, outsider, sticky):
    patient, note = sticky
    client.login(outsider.email)
    for method, url, _ in routes(patient.id, note.id):
        assert _call(client, method, url).status_code == 403, (method, url)


def test_403_without_edit_patients_on_every_edit_route(client, viewer, sticky):
    patient, note = sticky
    client.login(viewer.email)
    for method, url, needs_edit in routes(patient.id, note.id):
        status = _call(client, method, url).status_code
        assert (status == 403) == needs_edit, (method, url, status)
    db.session.refresh(note)
    assert note.is_sticky and patient_count() == 1


def test_sign_in_required(client, sticky):
    patient, note = sticky
    for method, url, _ in routes(patient.id, note.id):
        response = client.get(url) if method == "GET" else client.post(url, data={})
        assert response.status_code in (302, 401), (method, url)


def test_404_for_another_clinics_patient_on_every_route(client, admin, make_clinic, clinic):
    elsewhere = make_clinic("Elsewhere", company=clinic.company)
    patient = add_patient(elsewhere, ssn="123456789")
    note = AccountNote(clinic_id=elsewhere.id, patient_id=patient.id, body="Secret", is_sticky=True)
    db.session.add(note)
    db.session.commit()
    client.login(admin.email)
    for method, url, _ in routes(patient.id, note.id):
        if f"/{patient.id}" not in url:
            continue
        response = _call(client, method, url)
        assert response.status_code == 404, (method, url)
        assert "Rivera" not in response.get_data(as_text=True)
    db.session.refresh(patient)
    db.session.refresh(note)
    assert patient.first_name == "Maria" and note.is_sticky
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("patient.%"))) == 0


def test_404_for_a_note_of_another_patient(client, editor, clinic):
    mine = add_patient(clinic)
    other = add_patient(clinic, "John", "Smith")
    note = AccountNote(clinic_id=clinic.id, patient_id=other.id, body="Other", is_sticky=True)
    db.session.add(note)
    db.session.commit()
    client.login(editor.email)
    assert client.post(f"/patients/{mine.id}/account-notes/{note.id}/unstick").status_code == 404
    assert client.post(f"/patients/{mine.id}/account-notes/999999/unstick").status_code == 404
    db.session.refresh(note)
    assert note.is_sticky
