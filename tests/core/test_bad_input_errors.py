"""Bad input is a field error or a 404, never a server error: huge ids, unknown choices, far dates."""
import pytest

from core.accounts import LicenseCategory, set_seats
from core.extensions import db


@pytest.mark.parametrize("url", ["/patients/9223372036854775808", "/users/99999999999999999999/edit",
                                 "/settings/insurances/9223372036854775807/edit", "/patients/1/cases/18446744073709551616",
                                 "/patients/2147483648", "/settings/referring-physicians/4294967296"])
def test_ids_beyond_what_the_id_columns_hold_are_404(client, admin, url):
    client.login(admin.email)
    assert client.get(url).status_code == 404


def test_the_largest_id_is_404_too(client, admin):
    client.login(admin.email)
    assert client.get("/patients/2147483647").status_code == 404
    assert client.post("/users/2147483647/inactivate", htmx=True).status_code == 404


def test_add_user_with_an_unknown_user_type_is_a_field_error(client, admin, clinic):
    set_seats(clinic.id, LicenseCategory.THERAPIST, None)
    db.session.commit()
    client.login(admin.email)
    response = client.post("/users/new", data={"first_name": "Nora", "last_name": "Quinn", "email": "n@example.test",
                                               "user_type": "Wizard", "password": "long-enough-password",
                                               "status": "active", "clinics": [clinic.id], "default_clinic": clinic.id})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_audit_filter_with_a_far_date_is_a_field_error(client, admin, day):
    client.login(admin.email)
    response = client.get(f"/admin/audit/?until={day}")
    assert response.status_code == 200
    assert "Enter a date between 01/01/2000 and 12/31/2100." in response.get_data(as_text=True)
    assert client.get(f"/admin/audit/export.csv?since={day}").status_code == 400
