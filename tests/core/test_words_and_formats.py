"""The product's words and formats: error-summary labels, clinic names, formatted ZIP codes and phones,
credentials in typed signatures, the Actions header, referring physicians' fax."""
import re

import pytest
from sqlalchemy import select

from core.accounts import UserType, signature_for
from core.extensions import db
from core.payers import ReferringPhysician
from core.web import Permission, format_phone, format_zip
from tests.core.test_insurances import physician_data
from tests.core.test_patients import form_data


@pytest.fixture
def editor(make_user, clinic):
    return make_user([clinic], email="front@example.test", permissions=[Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS])


def test_the_error_summary_names_address_1(client, editor):
    client.login(editor.email)
    page = client.post("/patients/new", data=form_data(**{"addresses-0-address_type": "Castle"})).get_data(as_text=True)
    assert "Address 1: Address type" in page and "Addre 1" not in page


def test_the_users_page_lists_clinic_names(client, admin, make_clinic, clinic, make_user):
    other = make_clinic("Old Town", company=clinic.company)
    user = make_user([clinic, other], email="pt@example.test")
    client.login(admin.email)
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Camelback Clinic <strong>(default)</strong>" in page and "Old Town" in page and "Clinic #" not in page


def test_formats():
    assert format_zip("850181234") == "85018-1234" and format_zip("85018") == "85018" and format_zip("") == ""
    assert format_phone("6025550100") == "(602) 555-0100" and format_phone("") == ""


def test_the_home_page_and_physicians_show_formatted_zip_and_phone(client, admin, clinic):
    clinic.address_line1, clinic.postal_code = "4250 E Camelback Rd", "850181234"
    db.session.add(ReferringPhysician(company_id=clinic.company_id, first_name="Grace", last_name="Hopper",
                                      npi="1234567893", phone="6025550100", postal_code="850181234"))
    db.session.commit()
    client.login(admin.email)
    home = client.get("/").get_data(as_text=True)
    assert "85018-1234" in home and "850181234" not in home
    physicians = client.get("/settings/referring-physicians/").get_data(as_text=True)
    assert "(602) 555-0100" in physicians and "6025550100" not in physicians


def test_a_typed_signature_may_carry_credentials_after_a_comma(client, make_user, clinic):
    pt = make_user([clinic], email="pt@example.test", user_type=UserType.PT)
    client.login(pt.email)
    assert client.post(f"/users/{pt.id}/signature/typed", data={"typed_text": "Daniel Okafor, PT"}).status_code == 303
    assert signature_for(pt.id).typed_text == "Daniel Okafor, PT"


def test_the_user_manager_actions_column_has_a_header(client, admin):
    client.login(admin.email)
    assert '<th scope="col">Actions</th>' in client.get("/users/").get_data(as_text=True)


def test_a_referring_physician_has_a_fax_number(client, editor, clinic):
    client.login(editor.email)
    refused = client.post("/settings/referring-physicians/new", data={**physician_data(), "fax": "555-01"})
    assert refused.status_code == 422 and "fax number" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ReferringPhysician)) is None
    assert client.post("/settings/referring-physicians/new", data={**physician_data(), "fax": "(602) 555-0199"}).status_code == 303
    physician = db.session.scalar(select(ReferringPhysician))
    assert physician.fax == "6025550199"
    page = client.get(f"/settings/referring-physicians/{physician.id}").get_data(as_text=True)
    assert re.search(r"<dt>Fax</dt><dd>\(602\) 555-0199</dd>", page)


def test_invalid_radios_are_described_by_their_error(client, editor):
    client.login(editor.email)
    page = client.post("/patients/new", data=form_data(sex="")).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="sex"[^>]*>', page)
    assert radios and all('aria-invalid="true"' in r and 'aria-describedby="sex-error"' in r for r in radios)
    assert 'id="sex-error"' in page


def test_only_status_lines_are_live_regions_not_whole_tables(client, admin):
    client.login(admin.email)
    page = client.get("/users/").get_data(as_text=True)
    assert '<div id="user-table">' in page and 'id="user-table" aria-live' not in page
    assert '<p id="user-table-status" class="visually-hidden" aria-live="polite"></p>' in page
    partial = client.hx_get("/users/?q=zzz").get_data(as_text=True)
    assert 'id="user-table-status"' in partial and 'hx-swap-oob="true">0 found' in partial


def test_the_home_page_shows_the_clinic_phone(client, admin, clinic):
    clinic.phone = "6025550142"
    db.session.commit()
    client.login(admin.email)
    assert "<dt>Phone</dt><dd>(602) 555-0142</dd>" in client.get("/").get_data(as_text=True)


def test_the_physician_edit_form_shows_phone_fax_and_zip_as_written(client, editor, clinic):
    physician = ReferringPhysician(company_id=clinic.company_id, first_name="Grace", last_name="Hopper", npi="1234567893",
                                   phone="6025550100", fax="6025550199", postal_code="850181234")
    db.session.add(physician)
    db.session.commit()
    client.login(editor.email)
    page = client.get(f"/settings/referring-physicians/{physician.id}/edit").get_data(as_text=True)
    assert 'value="(602) 555-0100"' in page and 'value="(602) 555-0199"' in page and 'value="85018-1234"' in page


def test_a_get_of_a_post_only_address_gets_the_apps_page(client, admin):
    client.login(admin.email)
    response = client.get("/logout")
    assert response.status_code == 405
    page = response.get_data(as_text=True)
    assert "This address does not take that kind of request" in page and "site-header" in page


def test_the_sign_in_redirect_carries_no_stray_question_mark(client):
    response = client.get("/patients/")
    assert response.headers["Location"].endswith("/login?next=/patients/")
