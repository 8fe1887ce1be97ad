"""Control characters never reach the database, bidi overrides are refused in single-line fields, and
the SSN field takes 9 digits, blank or "remove" only (on SQLite and PostgreSQL)."""
import pytest
from sqlalchemy import select

from core.extensions import db
from core.patients import Patient
from core.web.text import BIDI_MESSAGE, CONTROL_MESSAGE
from tests.core.test_patients import error_at, form_data


@pytest.fixture
def editor(make_user, clinic, permission):
    return make_user([clinic], email="front@example.test", permissions=[permission.VIEW_PATIENTS, permission.EDIT_PATIENTS])


@pytest.mark.parametrize("field", ["first_name", "last_name", "emergency_contact_relationship", "addresses-0-city", "email"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x9b"])
def test_control_characters_are_a_field_error_and_nothing_is_saved(client, editor, field, control):
    client.login(editor.email)
    value = form_data()[field]
    response = client.post("/patients/new", data=form_data(**{field: value[:2] + control + value[2:]}))
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), field, CONTROL_MESSAGE)
    assert db.session.scalar(select(Patient)) is None


def test_nul_in_a_search_box_is_harmless(client, editor):
    client.login(editor.email)
    response = client.get("/patients/?q=Riv%00era")
    assert response.status_code == 200


def test_a_multiline_note_keeps_line_breaks_and_refuses_nul(client, editor):
    from core.patients import AccountNote

    client.login(editor.email)
    client.post("/patients/new", data=form_data())
    patient = db.session.scalar(select(Patient))
    refused = client.post(f"/patients/{patient.id}/account-notes", data={"body": "Called\x00 back"})
    assert refused.status_code == 422 and CONTROL_MESSAGE in refused.get_data(as_text=True)
    assert db.session.scalar(select(AccountNote)) is None
    assert client.post(f"/patients/{patient.id}/account-notes", data={"body": "Called back\r\n\tLeft a message"}).status_code == 303
    assert db.session.scalar(select(AccountNote.body)) == "Called back\r\n\tLeft a message"


@pytest.mark.parametrize("field", ["last_name", "addresses-0-line1", "addresses-0-city"])
def test_bidi_overrides_are_refused_in_names_and_addresses(client, editor, field):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(**{field: "Rivera\u202egnp.exe"}))
    assert response.status_code == 422
    assert BIDI_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(Patient)) is None


@pytest.mark.parametrize("typed", ["unknown", "n/a", "123 45 678", "12345678a"])
def test_the_ssn_field_refuses_words_and_keeps_the_stored_number(client, editor, typed):
    client.login(editor.email)
    client.post("/patients/new", data=form_data())
    patient = db.session.scalar(select(Patient))
    response = client.post(f"/patients/{patient.id}/edit", data=form_data(ssn=typed))
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), "ssn",
                    "Enter the 9-digit Social Security Number (dashes are fine), leave it blank, or type remove to take it off.")
    db.session.refresh(patient)
    assert patient.ssn == "123456789"


@pytest.mark.parametrize("typed", ["remove", "REMOVE", ""])
def test_the_ssn_is_taken_off_with_remove_or_blank(client, editor, typed):
    client.login(editor.email)
    client.post("/patients/new", data=form_data())
    patient = db.session.scalar(select(Patient))
    assert client.post(f"/patients/{patient.id}/edit", data=form_data(ssn=typed)).status_code == 303
    db.session.refresh(patient)
    assert patient.ssn is None


def test_an_ssn_with_or_without_dashes_is_taken(client, editor):
    client.login(editor.email)
    assert client.post("/patients/new", data=form_data(ssn="123456789")).status_code == 303
    assert db.session.scalar(select(Patient.ssn)) == "123456789"
