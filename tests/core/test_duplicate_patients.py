"""Adding a patient with the same name and date of birth as one in the company warns, links to the
existing chart, and adds only after a deliberate "this is a different person" (Add Patient, Quick Add)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.patients import Patient, create_patient
from core.web import Permission
from tests.core.test_patients import form_data


@pytest.fixture
def editor(make_user, clinic):
    return make_user([clinic], email="front@example.test", permissions=[Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS])


@pytest.fixture
def existing(clinic):
    patient = create_patient(clinic, first_name="María", last_name="Rivera", date_of_birth=date(1961, 4, 12))
    db.session.commit()
    return patient


def _count() -> int:
    return db.session.scalar(select(func.count(Patient.id)))


def test_add_patient_warns_with_a_link_and_adds_nothing(client, editor, existing):
    client.login(editor.email)
    # Case and accents do not hide a duplicate.
    response = client.post("/patients/new", data=form_data(first_name="maria", last_name="RIVERA"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This patient may already be in Caseload" in page
    assert f'href="/patients/{existing.id}"' in page and f"chart #{existing.chart_number}" in page
    assert 'name="different_person"' in page
    assert _count() == 1


def test_add_patient_goes_through_when_it_is_a_different_person(client, editor, existing):
    client.login(editor.email)
    response = client.post("/patients/new", data=form_data(different_person="y"))
    assert response.status_code == 303
    assert _count() == 2


def test_no_warning_for_another_date_of_birth(client, editor, existing):
    client.login(editor.email)
    assert client.post("/patients/new", data=form_data(date_of_birth="1961-04-13")).status_code == 303


def test_a_duplicate_in_another_clinic_of_the_company_is_named_without_a_link(client, editor, make_clinic, clinic):
    other = make_clinic("Old Town", company=clinic.company)
    twin = create_patient(other, first_name="Maria", last_name="Rivera", date_of_birth=date(1961, 4, 12))
    db.session.commit()
    client.login(editor.email)
    page = client.post("/patients/new", data=form_data()).get_data(as_text=True)
    assert "Old Town" in page and f'href="/patients/{twin.id}"' not in page


def test_a_patient_of_another_company_is_not_a_duplicate(client, editor, make_clinic):
    stranger = make_clinic("Elsewhere")
    create_patient(stranger, first_name="Maria", last_name="Rivera", date_of_birth=date(1961, 4, 12))
    db.session.commit()
    client.login(editor.email)
    assert client.post("/patients/new", data=form_data()).status_code == 303


def test_quick_add_warns_too(client, editor, existing, enable_plugin, clinic):
    enable_plugin(clinic, "quick_add")
    client.login(editor.email)
    data = {"first_name": "Maria", "last_name": "Rivera", "date_of_birth": "1961-04-12", "phone": "(602) 555-0123"}
    warned = client.post("/quick-add/patients/new", data=data)
    assert warned.status_code == 422
    assert re.search(rf'href="/patients/{existing.id}"', warned.get_data(as_text=True))
    assert _count() == 1
    assert client.post("/quick-add/patients/new", data={**data, "different_person": "y"}).status_code == 303
    assert _count() == 2


def test_a_duplicate_in_another_clinic_the_user_works_in_says_to_switch(client, editor, make_clinic, clinic):
    from core.tenancy import ClinicAccess

    other = make_clinic("Old Town", company=clinic.company)
    editor.clinic_access.append(ClinicAccess(clinic=other, is_default=False))
    twin = create_patient(other, first_name="Maria", last_name="Rivera", date_of_birth=date(1961, 4, 12))
    db.session.commit()
    client.login(editor.email)
    page = client.post("/patients/new", data=form_data()).get_data(as_text=True)
    assert "Old Town (switch to that clinic to open the chart)" in page
    assert f'href="/patients/{twin.id}"' not in page  # it would answer 404 from this clinic
