"""Inactivate, Remove sticky and a feature's Turn off ask first: a dialog (hx-confirm) with JavaScript,
a confirmation page without; nothing changes until the user confirms."""
import pytest
from sqlalchemy import select

from core.accounts import UserStatus, UserType
from core.extensions import db
from core.patients import AccountNote, create_patient
from core.plugin_host import is_enabled


def test_inactivate_asks_in_the_row_and_on_a_page_without_javascript(client, admin, make_user, clinic):
    pta = make_user([clinic], email="pta@example.test", user_type=UserType.PTA, last_name="Quinn")
    client.login(admin.email)
    listing = client.get("/users/").get_data(as_text=True)
    assert f'hx-confirm="Inactivate {pta.name}?' in listing
    page = client.post(f"/users/{pta.id}/inactivate")
    assert page.status_code == 200 and f"Inactivate {pta.name}?" in page.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in page.get_data(as_text=True)
    db.session.refresh(pta)
    assert pta.status is UserStatus.ACTIVE
    assert client.post(f"/users/{pta.id}/inactivate", data={"confirmed": "yes"}).status_code == 303
    db.session.refresh(pta)
    assert pta.status is UserStatus.INACTIVE


def test_activate_does_not_ask(client, admin, make_user, clinic):
    from core.accounts import LicenseCategory, set_seats

    set_seats(clinic.id, LicenseCategory.ASSISTANT, None)
    db.session.commit()
    pta = make_user([clinic], email="pta@example.test", user_type=UserType.PTA, status=UserStatus.INACTIVE)
    client.login(admin.email)
    assert client.post(f"/users/{pta.id}/activate").status_code == 303


@pytest.fixture
def sticky(clinic, admin):
    from datetime import date

    patient = create_patient(clinic, first_name="Rosa", last_name="Diaz", date_of_birth=date(1980, 5, 1))
    db.session.flush()
    note = AccountNote(patient_id=patient.id, clinic_id=clinic.id, body="Copay due", is_sticky=True, author_id=admin.id)
    db.session.add(note)
    db.session.commit()
    return patient, note


def test_remove_sticky_asks_first(client, admin, sticky):
    patient, note = sticky
    client.login(admin.email)
    assert 'hx-confirm="Remove this sticky note?' in client.get(f"/patients/{patient.id}").get_data(as_text=True)
    asked = client.post(f"/patients/{patient.id}/account-notes/{note.id}/unstick")
    assert asked.status_code == 200 and "Remove this sticky note?" in asked.get_data(as_text=True)
    assert db.session.scalar(select(AccountNote.is_sticky)) is True
    client.post(f"/patients/{patient.id}/account-notes/{note.id}/unstick", data={"confirmed": "yes"})
    assert db.session.scalar(select(AccountNote.is_sticky)) is False


def test_turn_off_asks_first_but_turn_on_does_not(client, admin, clinic, enable_plugin):
    enable_plugin(clinic, "mips")
    client.login(admin.email)
    assert 'hx-confirm="Turn off MIPS for this clinic?' in client.get("/settings/features").get_data(as_text=True)
    asked = client.post("/settings/features/mips", data={"enabled": "off"})
    assert asked.status_code == 200 and f"Turn off MIPS for {clinic.name}?" in asked.get_data(as_text=True)
    assert is_enabled(clinic, "mips")
    assert client.post("/settings/features/mips", data={"enabled": "off", "confirmed": "yes"}).status_code == 303
    db.session.expire_all()
    from flask import g
    g.__dict__.clear()
    assert not is_enabled(clinic, "mips")
    assert client.post("/settings/features/mips", data={"enabled": "on"}).status_code == 303
