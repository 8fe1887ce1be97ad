"""Who may act on whom in the User Manager: a user manager acts only on users whose permissions are a
subset of their own; an Admin on anyone but the company's last active Admin (never inactivated or demoted)."""
import pytest

from core.accounts import LicenseCategory, ProviderSignature, UserStatus, UserType, set_seats, verify_password
from core.extensions import db
from core.web import Permission
from tests.support import PASSWORD

MANAGER = [Permission.VIEW_USERS, Permission.EDIT_USERS, Permission.VIEW_PATIENTS]


@pytest.fixture
def licensed(clinic):
    set_seats(clinic.id, LicenseCategory.THERAPIST, None)
    set_seats(clinic.id, LicenseCategory.ASSISTANT, None)
    db.session.commit()
    return clinic


@pytest.fixture
def manager(make_user, licensed):
    return make_user([licensed], email="um@example.test", user_type=UserType.CLERICAL, permissions=MANAGER)


def _edit_data(user, clinic, **overrides):
    data = {
        "first_name": user.first_name, "last_name": "Quinn", "email": user.email, "password": "",
        "status": user.status.value, "clinics": [clinic.id], "default_clinic": clinic.id,
        "permissions": [p.value for p in user.permission_set if not user.is_admin], "npi": "", "alternate_id": "",
    }
    if user.is_admin:
        data["is_admin"] = "y"
    data.update(overrides)
    return data


def test_a_user_manager_cannot_take_over_an_admin(client, admin, manager, licensed):
    client.login(manager.email)
    before_email, before_hash = admin.email, admin.password_hash
    takeover = _edit_data(admin, licensed, email="attacker@example.test", password="a-new-long-password")
    assert client.get(f"/users/{admin.id}/edit").status_code == 403
    refused = client.post(f"/users/{admin.id}/edit", data=takeover)
    assert refused.status_code == 403
    assert "they hold permissions you do not hold" in refused.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.email == before_email and admin.password_hash == before_hash and admin.is_admin


def test_a_user_manager_cannot_inactivate_or_change_the_type_of_an_admin(client, admin, manager):
    client.login(manager.email)
    response = client.post(f"/users/{admin.id}/inactivate", htmx=True)
    assert response.status_code == 422 and "they hold permissions you do not hold" in response.get_data(as_text=True)
    assert client.get(f"/users/{admin.id}/change-type").status_code == 403
    assert client.post(f"/users/{admin.id}/change-type", data={"new_type": "PTA", "confirm": "y"}).status_code == 403
    db.session.refresh(admin)
    assert admin.status is UserStatus.ACTIVE and admin.user_type is UserType.PT


def test_a_user_manager_cannot_act_on_a_user_holding_more(client, manager, make_user, licensed):
    biller = make_user([licensed], email="biller@example.test", user_type=UserType.BILLER,
                       permissions=[Permission.VIEW_PATIENTS, Permission.BILLING_REPORT_ADMIN], last_name="Quinn")
    client.login(manager.email)
    assert client.post(f"/users/{biller.id}/edit", data=_edit_data(biller, licensed, password="another-long-password")).status_code == 403
    assert client.post(f"/users/{biller.id}/inactivate", htmx=True).status_code == 422
    db.session.refresh(biller)
    assert biller.status is UserStatus.ACTIVE and verify_password(biller.password_hash, PASSWORD)


def test_a_user_manager_can_act_on_users_holding_less(client, manager, make_user, licensed):
    pta = make_user([licensed], email="pta@example.test", user_type=UserType.PTA, permissions=[Permission.VIEW_PATIENTS], last_name="Quinn")
    client.login(manager.email)
    assert client.post(f"/users/{pta.id}/edit", data=_edit_data(pta, licensed, first_name="Pat")).status_code == 303
    assert client.post(f"/users/{pta.id}/inactivate", htmx=True).status_code == 200
    db.session.refresh(pta)
    assert pta.first_name == "Pat" and pta.status is UserStatus.INACTIVE


def test_a_user_manager_cannot_change_the_signature_of_a_provider_holding_more(client, manager, make_user, licensed):
    pt = make_user([licensed], email="pt@example.test", user_type=UserType.PT,
                   permissions=[Permission.VIEW_PATIENTS, Permission.FINISH_NOTES])
    db.session.add(ProviderSignature(user_id=pt.id, kind="typed", typed_text="Pat Smith"))
    db.session.commit()
    client.login(manager.email)
    assert client.post(f"/users/{pt.id}/signature/delete").status_code == 403
    assert db.session.get(ProviderSignature, 1) is not None


def test_the_last_active_admin_cannot_be_demoted(client, admin, licensed):
    client.login(admin.email)
    response = client.post(f"/users/{admin.id}/edit", data=_edit_data(admin, licensed, is_admin=""))
    assert response.status_code == 422
    assert "last active Admin" in response.get_data(as_text=True)
    refused = client.post(f"/users/{admin.id}/change-type", data={"new_type": "OT", "confirm": "y"})
    assert refused.status_code == 422 and "last active Admin" in refused.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_admin and admin.status is UserStatus.ACTIVE and admin.user_type is UserType.PT


def test_an_admin_may_demote_another_admin(client, admin, make_user, licensed):
    other = make_user([licensed], email="second-admin@example.test", is_admin=True)
    client.login(admin.email)
    assert client.post(f"/users/{other.id}/admin", data={}, htmx=True).status_code == 200
    db.session.refresh(other)
    assert not other.is_admin
    # Now ``admin`` is the last one: removing their own checkbox by editing is refused.
    assert client.post(f"/users/{admin.id}/edit", data=_edit_data(admin, licensed, is_admin="")).status_code == 422


def test_a_users_history_shows_only_the_viewers_clinics(client, make_user, make_clinic, licensed):
    """A user working in two clinics: a manager of one clinic sees only that clinic's history rows."""
    from core.audit import record

    other = make_clinic("Other Clinic", company=licensed.company)
    pt = make_user([licensed, other], email="pt@example.test", user_type=UserType.PT)
    viewer = make_user([licensed], email="viewer@example.test", user_type=UserType.CLERICAL, permissions=MANAGER)
    record("user.update", "user", pt.id, clinic_id=licensed.id, summary="seen-here changed")
    record("user.update", "user", pt.id, clinic_id=other.id, summary="other-clinic changed")
    db.session.commit()
    client.login(viewer.email)
    page = client.get(f"/users/{pt.id}").get_data(as_text=True)
    assert "seen-here changed" in page and "other-clinic changed" not in page
