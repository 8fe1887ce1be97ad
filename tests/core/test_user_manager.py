"""User Manager: add and edit users, user types fixed, licenses, permissions and attestations,
row actions, Change User Type, change history."""
import pytest
from sqlalchemy import func, select

from core.accounts import (
    ClinicLicense,
    LicenseAdjustmentRequest,
    LicenseCategory,
    PermissionAttestation,
    User,
    UserStatus,
    UserType,
    default_permissions,
    license_counts,
    set_seats,
)
from core.audit import AuditEvent
from core.extensions import db
from core.web import Permission, npi_error

VALID_NPI = "1234567893"


@pytest.fixture
def licensed(clinic):
    """Two therapist licenses and one assistant license in ``clinic``."""
    set_seats(clinic.id, LicenseCategory.THERAPIST, 2)
    set_seats(clinic.id, LicenseCategory.ASSISTANT, 1)
    db.session.commit()
    return clinic


def _new_user(clinic, **overrides):
    data = {
        "first_name": "Nora", "last_name": "Quinn", "email": "nora@example.test", "user_type": "PT",
        "password": "long-enough-password", "status": "active", "clinics": [clinic.id], "default_clinic": clinic.id,
        "permissions": [p.value for p in default_permissions(UserType.PT)], "npi": VALID_NPI, "alternate_id": "CMD-77",
    }
    data.update(overrides)
    return data


def test_npi_check_digit():
    assert npi_error("1234567893") is None
    assert "check digit" in npi_error("1234567897")  # the classic mistake of leaving out the 80840 prefix
    assert npi_error("123456789") == "An NPI is exactly 10 digits."
    assert npi_error("3234567893") == "An NPI starts with 1 or 2."


def test_add_user_creates_an_active_therapist_with_a_license(client, admin, licensed):
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(licensed))
    assert response.status_code == 303, response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "nora@example.test"))
    assert user.status is UserStatus.ACTIVE and user.user_type is UserType.PT
    assert user.npi == VALID_NPI and user.alternate_id == "CMD-77"
    assert user.default_clinic_id == licensed.id
    assert user.permission_set == default_permissions(UserType.PT)
    therapists = next(c for c in license_counts(licensed.id) if c.category is LicenseCategory.THERAPIST)
    assert (therapists.used, therapists.available) == (2, 0)  # the admin (a PT) and Nora
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create")).object_id == str(user.id)


def test_add_user_without_a_license_is_refused_and_saves_nothing(client, admin, clinic):
    set_seats(clinic.id, LicenseCategory.THERAPIST, 1)  # the admin uses it
    db.session.commit()
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(clinic))
    assert response.status_code == 422
    assert "No therapist license is available in Camelback Clinic" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1
    # An inactive profile needs no license.
    assert client.post("/users/new", data=_new_user(clinic, status="inactive")).status_code == 303


def test_clericals_are_never_limited(client, admin, clinic):
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(clinic, user_type="Clerical", npi="", alternate_id="",
                                                         permissions=["View Patients"]))
    assert response.status_code == 303


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("npi", "1234567897", "check digit is wrong"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("first_name", "<script>alert(1)</script>", "Letters, spaces, hyphens"),
        ("last_name", "x" * 101, "Field cannot be longer than 100 characters."),
        ("default_clinic", "", "Choose the default clinic."),
        ("password", "short", "Use at least 12 characters."),
    ],
)
def test_add_user_bad_input_message_at_field_and_nothing_saved(client, admin, licensed, field, value, message):
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(licensed, **{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and 'aria-invalid="true"' in body or message in body
    assert "<script>alert(1)</script>" not in body
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_email_is_unique_case_insensitively(client, admin, licensed):
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(licensed, email="ADMIN@example.test"))
    assert response.status_code == 422
    assert "already has this email" in response.get_data(as_text=True)


def test_default_clinic_must_be_among_the_clinics(client, admin, licensed, make_clinic):
    other = make_clinic("Elsewhere", company=licensed.company)
    client.login(admin.email)
    response = client.post("/users/new", data=_new_user(licensed, default_clinic=other.id))
    assert response.status_code == 422
    assert "must be one of the clinics" in response.get_data(as_text=True)


def test_user_type_cannot_be_changed_by_edit(client, admin, licensed, make_user):
    pt = make_user([licensed], email="pt@example.test", user_type=UserType.PT)
    client.login(admin.email)
    assert 'name="user_type"' not in client.get(f"/users/{pt.id}/edit").get_data(as_text=True)
    data = _new_user(licensed, email="pt@example.test", user_type="OT", password="")
    response = client.post(f"/users/{pt.id}/edit", data=data)
    assert response.status_code == 422
    assert "cannot be changed" in response.get_data(as_text=True)
    db.session.refresh(pt)
    assert pt.user_type is UserType.PT


def test_change_user_type_makes_new_profile_and_inactivates_old(client, admin, licensed, make_user):
    spt = make_user([licensed], email="student@example.test", user_type=UserType.SPT, first_name="Sam", last_name="Lee")
    client.login(admin.email)
    response = client.post(f"/users/{spt.id}/change-type", data={"new_type": "PT", "confirm": "y"})
    assert response.status_code == 303
    db.session.refresh(spt)
    new = db.session.scalar(select(User).where(User.email == "student@example.test"))
    assert new.user_type is UserType.PT and new.status is UserStatus.ACTIVE and new.id != spt.id
    assert new.default_clinic_id == licensed.id and new.permission_set == default_permissions(UserType.PT)
    assert spt.email == "xstudent@example.test" and spt.status is UserStatus.INACTIVE and spt.replaced_by_id == new.id


def test_change_user_type_without_license_changes_nothing(client, admin, clinic, make_user):
    set_seats(clinic.id, LicenseCategory.THERAPIST, 1)
    db.session.commit()
    spt = make_user([clinic], email="student@example.test", user_type=UserType.SPT)
    client.login(admin.email)
    response = client.post(f"/users/{spt.id}/change-type", data={"new_type": "PT", "confirm": "y"})
    assert response.status_code == 422
    db.session.refresh(spt)
    assert spt.email == "student@example.test" and spt.status is UserStatus.ACTIVE
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_row_actions_update_just_the_row(client, admin, licensed, make_user):
    pta = make_user([licensed], email="pta@example.test", user_type=UserType.PTA, status=UserStatus.INACTIVE)
    client.login(admin.email)
    response = client.post(f"/users/{pta.id}/activate", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="user-{pta.id}"') and "<html" not in body
    assert 'hx-swap-oob="innerHTML"' in body and "is active" in body
    assert '<section id="licenses"' in body and 'hx-swap-oob="true"' in body and "0 of 1" in body  # counts refreshed
    db.session.refresh(pta)
    assert pta.status is UserStatus.ACTIVE
    # The one assistant license is now used: another assistant cannot be activated.
    other = make_user([licensed], email="pta2@example.test", user_type=UserType.PTA, status=UserStatus.INACTIVE)
    refused = client.post(f"/users/{other.id}/activate", htmx=True)
    assert refused.status_code == 422 and "No assistant license is available" in refused.get_data(as_text=True)
    db.session.refresh(other)
    assert other.status is UserStatus.INACTIVE
    # Inactivate, then the admin toggle.
    assert client.post(f"/users/{pta.id}/inactivate", htmx=True).status_code == 200
    db.session.refresh(pta)
    assert pta.status is UserStatus.INACTIVE
    client.post(f"/users/{pta.id}/admin", data={"is_admin": "on"}, htmx=True)
    db.session.refresh(pta)
    assert pta.is_admin


def test_cannot_inactivate_yourself(client, admin):
    client.login(admin.email)
    assert client.post(f"/users/{admin.id}/inactivate", htmx=True).status_code == 422
    db.session.refresh(admin)
    assert admin.status is UserStatus.ACTIVE


def test_moving_default_clinic_needs_a_license_there(client, admin, licensed, make_clinic, make_user):
    other = make_clinic("Second Clinic", company=licensed.company)
    admin.clinic_access.append(type(admin.clinic_access[0])(clinic=other, is_default=False))
    db.session.commit()
    pt = make_user([licensed, other], email="pt@example.test", last_name="Quinn")
    client.login(admin.email)
    data = _new_user(licensed, email="pt@example.test", clinics=[licensed.id, other.id], default_clinic=other.id,
                     password="", npi="", alternate_id="", first_name="Test", last_name="Quinn")
    data.pop("user_type")
    response = client.post(f"/users/{pt.id}/edit", data=data)
    assert response.status_code == 422
    assert "No therapist license is available in Second Clinic" in response.get_data(as_text=True)
    set_seats(other.id, LicenseCategory.THERAPIST, None)  # unlimited
    db.session.commit()
    assert client.post(f"/users/{pt.id}/edit", data=data).status_code == 303
    db.session.refresh(pt)
    assert pt.default_clinic_id == other.id


def test_finish_notes_for_assistant_needs_attestation(client, admin, licensed):
    client.login(admin.email)
    data = _new_user(licensed, user_type="PTA", email="pta@example.test", npi="", alternate_id="",
                     permissions=["Start SOAP Notes", "Forward SOAP Notes", "Finish SOAP Notes"])
    refused = client.post("/users/new", data=data)
    assert refused.status_code == 422
    assert "Complete the attestation" in refused.get_data(as_text=True)
    assert client.post("/users/new", data={**data, "attest_finish": "y"}).status_code == 303
    pta = db.session.scalar(select(User).where(User.email == "pta@example.test"))
    assert Permission.FINISH_NOTES in pta.permission_set
    attestation = db.session.scalar(select(PermissionAttestation))
    assert attestation.user_id == pta.id and attestation.attested_by_id == admin.id and "attest" in attestation.text


def test_cannot_grant_permissions_you_do_not_hold(client, licensed, make_user):
    make_user([licensed], email="um@example.test", user_type=UserType.CLERICAL,
              permissions=[Permission.VIEW_USERS, Permission.EDIT_USERS])
    client.login("um@example.test")
    data = _new_user(licensed, user_type="Clerical", email="c2@example.test", npi="", alternate_id="",
                     permissions=["Company Admin"])
    response = client.post("/users/new", data=data)
    assert response.status_code == 422 and "cannot grant permissions you do not hold: Company Admin" in response.get_data(as_text=True)
    assert client.post(f"/users/{1}/admin", data={"is_admin": "on"}, htmx=True).status_code == 403


def test_limited_permissions_are_marked_on_the_form(client, admin, licensed):
    client.login(admin.email)
    page = client.get("/users/new").get_data(as_text=True)
    assert page.count("Limit to a few people") == 5


def test_permissions_enforced_on_the_server(client, licensed, make_user, admin):
    make_user([licensed], email="front@example.test", user_type=UserType.CLERICAL, permissions=[Permission.VIEW_PATIENTS])
    make_user([licensed], email="viewer@example.test", user_type=UserType.CLERICAL, permissions=[Permission.VIEW_USERS])
    client.login("front@example.test")
    for url in ("/users/", "/users/new", f"/users/{admin.id}", "/licenses/request"):
        assert client.get(url).status_code == 403, url
    client.login("viewer@example.test")
    assert client.get("/users/").status_code == 200
    assert client.get(f"/users/{admin.id}/edit").status_code == 403
    assert client.post(f"/users/{admin.id}/inactivate").status_code == 403
    assert client.get("/licenses/requests").status_code == 403
    assert "Edit</a>" not in client.get("/users/").get_data(as_text=True)


def test_users_of_another_clinic_are_404(client, admin, licensed, make_clinic, make_user):
    stranger = make_user([make_clinic("Other")], email="stranger@example.test")
    client.login(admin.email)
    for url in (f"/users/{stranger.id}", f"/users/{stranger.id}/edit", f"/users/{stranger.id}/change-type"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/users/{stranger.id}/activate").status_code == 404


def test_license_adjustment_request_and_approval(client, admin, clinic, make_user):
    set_seats(clinic.id, LicenseCategory.THERAPIST, 1)
    db.session.commit()
    make_user([clinic], email="um@example.test", user_type=UserType.CLERICAL, permissions=[Permission.VIEW_USERS])
    client.login("um@example.test")
    bad = client.post("/licenses/request", data={"category": "Therapists", "requested_seats": "-1", "reason": ""})
    assert bad.status_code == 422 and db.session.scalar(select(func.count(LicenseAdjustmentRequest.id))) == 0
    assert client.post("/licenses/request", data={"category": "Therapists", "requested_seats": "3", "reason": "New hires"}).status_code == 303
    request_row = db.session.scalar(select(LicenseAdjustmentRequest))
    assert request_row.requested_by.email == "um@example.test" and request_row.status.value == "pending"
    assert client.post(f"/licenses/requests/{request_row.id}/approve").status_code == 403
    client.login(admin.email)
    assert "New hires" in client.get("/licenses/requests").get_data(as_text=True)
    assert client.post(f"/licenses/requests/{request_row.id}/approve").status_code == 303
    assert db.session.scalar(select(ClinicLicense.seats).where(ClinicLicense.category == LicenseCategory.THERAPIST)) == 3
    db.session.refresh(request_row)
    assert request_row.status.value == "approved" and request_row.decided_by_id == admin.id
    page = client.get("/users/").get_data(as_text=True)
    assert "2 of 3" in page  # Available of total


def test_change_history_on_the_users_page(client, admin, licensed, make_user):
    pta = make_user([licensed], email="pta@example.test", user_type=UserType.PTA, status=UserStatus.INACTIVE)
    client.login(admin.email)
    client.post(f"/users/{pta.id}/activate")
    page = client.get(f"/users/{pta.id}").get_data(as_text=True)
    assert "Change history" in page and "user.status: activated" in page and "inactive → active" in page


def test_user_manager_shows_used_and_available_licenses(client, admin, licensed):
    client.login(admin.email)
    page = client.get("/users/").get_data(as_text=True)
    assert "Used Licenses" in page and "Available Licenses" in page and "Request License Adjustment" in page
