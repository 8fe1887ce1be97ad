"""Insurances (Insurance Admin) and referring physicians (View/Edit Patients), kept per company: forms and
their validation, plugin-contributed insurance settings, permissions, other companies' records, escaping."""
import re

import pytest
from sqlalchemy import func, select

from core.accounts import UserType
from core.audit import AuditEvent
from core.extensions import db
from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation
from core.plugin_api import SettingField, hookimpl
from core.plugin_host import insurance_setting
from core.web import Permission

VALID_NPI = "1234567893"
OTHER_NPI = "1245319599"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def company_modifiers(clinic):
    clinic.company.additional_modifiers = ["59", "XS", "GP"]
    db.session.commit()
    return clinic.company


@pytest.fixture
def insurance_admin(make_user, clinic):
    return make_user([clinic], email="ins@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.INSURANCE_ADMIN])


@pytest.fixture
def front_desk(make_user, clinic):
    return make_user([clinic], email="front@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS])


@pytest.fixture
def viewer(make_user, clinic):
    return make_user([clinic], email="viewer@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.VIEW_PATIENTS])


@pytest.fixture
def nobody(make_user, clinic):
    return make_user([clinic], email="nobody@example.test", user_type=UserType.CLERICAL, permissions=[])


@pytest.fixture
def other_company_clinic(make_clinic):
    return make_clinic("Elsewhere Clinic")  # a clinic of another company


def make_insurance(company, name="Blue Shield", **kw):
    values = dict(insurance_type=InsuranceType.COMMERCIAL, unit_calculation=UnitCalculation.RULE_OF_EIGHTS,
                  enabled_modifiers=[], plugin_settings={})
    values.update(kw)
    insurance = Insurance(company_id=company.id, name=name, **values)
    db.session.add(insurance)
    db.session.commit()
    return insurance


def make_physician(company, first="Grace", last="Hopper", npi=VALID_NPI, **kw):
    physician = ReferringPhysician(company_id=company.id, first_name=first, last_name=last, npi=npi, **kw)
    db.session.add(physician)
    db.session.commit()
    return physician


def insurance_data(**overrides):
    data = {"name": "Aetna PPO", "insurance_type": "Commercial", "payer_id": "60054", "alternate_id": "CMD-101",
            "unit_calculation": "Rule of 8s", "authorization_required": "y", "active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def physician_data(**overrides):
    data = {"first_name": "Grace", "last_name": "Hopper", "credentials": "MD", "npi": VALID_NPI,
            "address_line1": "100 Main St", "address_line2": "", "city": "Phoenix", "state": "AZ",
            "postal_code": "85018-1234", "phone": "(602) 555-0100", "alternate_id": "REF-9"}
    data.update(overrides)
    return data


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>', body, re.S)
    assert match, f"no error at {field_id}"
    return match.group(1)


# -- insurances -----------------------------------------------------------------------------------
def test_add_insurance_saves_every_field_and_audits(client, insurance_admin, company_modifiers, clinic):
    client.login(insurance_admin.email)
    page = client.get("/settings/insurances/new")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Add Insurance" in body and 'name="csrf_token"' in body
    assert "overrides the clinic&#39;s Assistant Note Finalization setting" in body.replace("Overrides", "overrides")
    response = client.post("/settings/insurances/new", data=insurance_data(enabled_modifiers=["59", "GP"],
                                                                         allow_assistant_finalize="y"))
    assert response.status_code == 303, response.get_data(as_text=True)
    insurance = db.session.scalar(select(Insurance))
    assert insurance.company_id == clinic.company_id
    assert (insurance.name, insurance.insurance_type, insurance.unit_calculation) == (
        "Aetna PPO", InsuranceType.COMMERCIAL, UnitCalculation.RULE_OF_EIGHTS)
    assert (insurance.payer_id, insurance.alternate_id) == ("60054", "CMD-101")
    assert insurance.authorization_required and insurance.allow_assistant_finalize and insurance.active
    assert insurance.enabled_modifiers == ["59", "GP"]
    [event] = events("insurance.create")
    assert event.object_id == str(insurance.id) and event.clinic_id == clinic.id
    assert event.changes["after"]["unit_calculation"] == "Rule of 8s"


@pytest.mark.parametrize("insurance_type", ["Medicare", "Medicare DME"])
def test_medicare_refuses_the_rule_of_eights(client, insurance_admin, clinic, insurance_type):
    client.login(insurance_admin.email)
    response = client.post("/settings/insurances/new",
                           data=insurance_data(insurance_type=insurance_type, unit_calculation="Rule of 8s"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "always requires the 8-Minute Rule" in field_error(body, "unit_calculation")
    assert 'role="alert" class="error-summary"' in body and 'aria-invalid="true"' in body
    assert count(Insurance) == 0
    ok = client.post("/settings/insurances/new",
                     data=insurance_data(insurance_type=insurance_type, unit_calculation="8-Minute Rule"))
    assert ok.status_code == 303
    assert db.session.scalar(select(Insurance)).unit_calculation is UnitCalculation.EIGHT_MINUTE_RULE


def test_editing_a_medicare_insurance_to_rule_of_eights_changes_nothing(client, insurance_admin, clinic):
    insurance = make_insurance(clinic.company, "Medicare AZ", insurance_type=InsuranceType.MEDICARE,
                               unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE)
    client.login(insurance_admin.email)
    response = client.post(f"/settings/insurances/{insurance.id}/edit",
                           data=insurance_data(name="Renamed", insurance_type="Medicare", unit_calculation="Rule of 8s"))
    assert response.status_code == 422
    db.session.refresh(insurance)
    assert (insurance.name, insurance.unit_calculation) == ("Medicare AZ", UnitCalculation.EIGHT_MINUTE_RULE)
    assert events("insurance.update") == []


def test_only_the_companys_modifiers_can_be_enabled(client, insurance_admin, company_modifiers):
    client.login(insurance_admin.email)
    body = client.get("/settings/insurances/new").get_data(as_text=True)
    for modifier in ("59", "XS", "GP"):
        assert f'value="{modifier}"' in body
    response = client.post("/settings/insurances/new", data=insurance_data(enabled_modifiers=["59", "KX"]))
    assert response.status_code == 422
    assert "Only the company&#39;s Additional Modifiers can be enabled (not: KX)" in field_error(
        response.get_data(as_text=True), "enabled_modifiers")
    assert count(Insurance) == 0


def test_edit_insurance_shows_values_saves_and_audits_before_and_after(client, insurance_admin, company_modifiers, clinic):
    insurance = make_insurance(clinic.company, enabled_modifiers=["XS"], payer_id="111")
    client.login(insurance_admin.email)
    body = client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    assert ">Edit Insurance</button>" in body
    assert 'value="Blue Shield"' in body and 'value="111"' in body
    assert re.search(r'value="XS" checked', body) and not re.search(r'value="59" checked', body)
    response = client.post(f"/settings/insurances/{insurance.id}/edit",
                           data=insurance_data(name="Blue Shield", payer_id="222", enabled_modifiers=["59"]))
    assert response.status_code == 303
    db.session.refresh(insurance)
    assert insurance.payer_id == "222" and insurance.enabled_modifiers == ["59"]
    [event] = events("insurance.update")
    assert event.changes["payer_id"] == ["111", "222"]
    assert event.changes["enabled_modifiers"] == [["XS"], ["59"]]
    assert "name" not in event.changes


def test_unchecked_boxes_turn_settings_off(client, insurance_admin, clinic):
    insurance = make_insurance(clinic.company, authorization_required=True, allow_assistant_finalize=True, active=True)
    client.login(insurance_admin.email)
    data = insurance_data(name="Blue Shield", authorization_required=None, active=None)
    assert client.post(f"/settings/insurances/{insurance.id}/edit", data=data).status_code == 303
    db.session.refresh(insurance)
    assert not insurance.authorization_required and not insurance.allow_assistant_finalize and not insurance.active


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Enter the insurance name."),
        ("name", "x" * 1_000_000, "Field cannot be longer than 100 characters."),
        ("payer_id", "60 054", "Use letters and digits only."),
        ("alternate_id", "y" * 51, "Field cannot be longer than 50 characters."),
        ("insurance_type", "Barter", "Not a valid choice"),
        ("unit_calculation", "", "Choose the 8-Minute Rule or the Rule of 8s."),
    ],
)
def test_bad_insurance_input_is_refused_at_the_field(client, insurance_admin, clinic, field, value, message):
    client.login(insurance_admin.email)
    response = client.post("/settings/insurances/new", data=insurance_data(**{field: value}))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert count(Insurance) == 0


def test_hostile_insurance_names_are_stored_and_shown_escaped(client, insurance_admin, clinic):
    client.login(insurance_admin.email)
    assert client.post("/settings/insurances/new", data=insurance_data(name=HOSTILE)).status_code == 303
    insurance = db.session.scalar(select(Insurance))
    assert insurance.name == HOSTILE
    for url in ("/settings/insurances/", f"/settings/insurances/{insurance.id}/edit", "/"):
        body = client.get(url).get_data(as_text=True)
        assert HOSTILE not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/settings/insurances/").get_data(as_text=True)
    unicode_name = "Seguros Médicos Ñandú 保险"
    assert client.post("/settings/insurances/new", data=insurance_data(name=unicode_name)).status_code == 303
    assert unicode_name in client.get("/settings/insurances/").get_data(as_text=True)


def test_insurance_list_is_the_companys_searchable_and_paginated(client, insurance_admin, clinic, other_company_clinic, app):
    for n in range(30):
        make_insurance(clinic.company, f"Plan {n:02d}")
    make_insurance(clinic.company, "Cigna 100%_x")
    make_insurance(other_company_clinic.company, "Other Company Plan")
    client.login(insurance_admin.email)
    page1 = client.get("/settings/insurances/").get_data(as_text=True)
    assert "Plan 00" in page1 and "Plan 24" not in page1 and "Other Company Plan" not in page1
    assert "Page 1 of 2" in page1 and "31 in all" in page1
    page2 = client.get("/settings/insurances/?page=2").get_data(as_text=True)
    assert "Plan 29" in page2 and "Plan 00" not in page2
    found = client.get("/settings/insurances/?q=cigna").get_data(as_text=True)
    assert "Cigna 100%_x" in found and "Plan 01" not in found
    # LIKE wildcards are searched literally.
    assert "Plan 01" not in client.get("/settings/insurances/?q=%25").get_data(as_text=True)
    assert "No insurances match" in client.get("/settings/insurances/?q=other").get_data(as_text=True)
    partial = client.hx_get("/settings/insurances/?q=plan")
    assert "<html" not in partial.get_data(as_text=True) and "Plan 00" in partial.get_data(as_text=True)


def test_insurance_list_queries_do_not_grow_with_rows(client, insurance_admin, clinic, count_queries):
    client.login(insurance_admin.email)
    make_insurance(clinic.company, "Only")
    with count_queries() as few:
        client.get("/settings/insurances/")
    for n in range(20):
        make_insurance(clinic.company, f"More {n}")
    with count_queries() as many:
        client.get("/settings/insurances/")
    assert few.count == many.count


@pytest.mark.parametrize("method, path", [
    ("get", "/settings/insurances/"), ("get", "/settings/insurances/new"), ("post", "/settings/insurances/new"),
    ("get", "/settings/insurances/{id}/edit"), ("post", "/settings/insurances/{id}/edit"),
])
def test_insurance_routes_need_insurance_admin(client, nobody, front_desk, clinic, method, path):
    insurance = make_insurance(clinic.company)
    for user in (nobody, front_desk):
        client.login(user.email)
        url = path.format(id=insurance.id)
        response = client.get(url) if method == "get" else client.post(url, data=insurance_data(name="Hacked"))
        assert response.status_code == 403
    db.session.refresh(insurance)
    assert insurance.name == "Blue Shield" and count(Insurance) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_companys_insurance_is_not_found(client, admin, other_company_clinic, method):
    theirs = make_insurance(other_company_clinic.company, "Theirs")
    client.login(admin.email)
    url = f"/settings/insurances/{theirs.id}/edit"
    response = client.get(url) if method == "get" else client.post(url, data=insurance_data(name="Mine now"))
    assert response.status_code == 404
    assert client.get("/settings/insurances/999999/edit").status_code == 404
    db.session.refresh(theirs)
    assert theirs.name == "Theirs"


def test_insurances_follow_the_current_clinics_company(client, make_user, clinic, other_company_clinic):
    """A user with clinics in two companies sees and edits the current clinic's company's insurances."""
    user = make_user([clinic, other_company_clinic], email="both@example.test", is_admin=True)
    theirs = make_insurance(other_company_clinic.company, "Theirs")
    client.login(user.email)
    assert client.get(f"/settings/insurances/{theirs.id}/edit").status_code == 404
    client.post("/clinic/switch", data={"clinic_id": other_company_clinic.id})
    assert client.get(f"/settings/insurances/{theirs.id}/edit").status_code == 200
    client.post("/settings/insurances/new", data=insurance_data(name="Added there"))
    assert db.session.scalar(select(Insurance.company_id).where(Insurance.name == "Added there")) == other_company_clinic.company_id


def test_insurance_routes_need_sign_in(client, clinic):
    insurance = make_insurance(clinic.company)
    for url in ("/settings/insurances/", "/settings/insurances/new", f"/settings/insurances/{insurance.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_insurance_post_without_csrf_is_refused(client, insurance_admin, clinic):
    client.login(insurance_admin.email)
    data = insurance_data()
    response = client.client.post("/settings/insurances/new", data=data)
    assert response.status_code == 400
    assert count(Insurance) == 0


# -- plugin-contributed insurance settings (core's mechanism, with a throwaway plugin) ---------------------
class PayerPlugin:
    TITLE = "Payer Extras"

    @hookimpl
    def caseload_insurance_settings_fields(self, clinic):
        return [
            SettingField("tier", "Contract tier", default="a", kind="choice", choices=(("a", "Tier A"), ("b", "Tier B"))),
            SettingField("note", "Billing note", default="", kind="text", help="Shown to billers."),
        ]


@pytest.fixture
def payer_plugin(extra_plugins):
    extra_plugins.append(("payer_extras", PayerPlugin()))


def test_plugin_fields_are_validated_with_coerce_and_stored_under_the_plugin(payer_plugin, client, insurance_admin,
                                                                            clinic, enable_plugin):
    enable_plugin(clinic, "payer_extras")
    client.login(insurance_admin.email)
    body = client.get("/settings/insurances/new").get_data(as_text=True)
    assert "Contract tier" in body and "Shown to billers." in body
    bad = client.post("/settings/insurances/new", data=insurance_data(plugin__payer_extras__tier="z"))
    assert bad.status_code == 422
    assert "Choose one of: Tier A, Tier B." in field_error(bad.get_data(as_text=True), "plugin__payer_extras__tier")
    too_long = client.post("/settings/insurances/new",
                           data=insurance_data(plugin__payer_extras__tier="b", plugin__payer_extras__note="n" * 501))
    assert too_long.status_code == 422 and "Use at most 500 characters." in too_long.get_data(as_text=True)
    assert count(Insurance) == 0
    ok = client.post("/settings/insurances/new",
                     data=insurance_data(plugin__payer_extras__tier="b", plugin__payer_extras__note=" Call first "))
    assert ok.status_code == 303
    insurance = db.session.scalar(select(Insurance))
    assert insurance.plugin_settings == {"payer_extras": {"tier": "b", "note": "Call first"}}
    assert insurance_setting(insurance, "payer_extras", "tier") == "b"
    edit = client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="b"', edit) and 'value="Call first"' in edit


def test_a_plugin_off_in_this_clinic_keeps_what_it_stored(payer_plugin, client, insurance_admin, clinic):
    insurance = make_insurance(clinic.company, plugin_settings={"payer_extras": {"tier": "b", "note": "kept"}})
    client.login(insurance_admin.email)
    assert "Contract tier" not in client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    response = client.post(f"/settings/insurances/{insurance.id}/edit",
                           data=insurance_data(name="Blue Shield", plugin__payer_extras__tier="a"))
    assert response.status_code == 303
    db.session.refresh(insurance)
    assert insurance.plugin_settings == {"payer_extras": {"tier": "b", "note": "kept"}}


# -- referring physicians -------------------------------------------------------------------------
def test_front_desk_adds_a_referring_physician(client, front_desk, clinic):
    client.login(front_desk.email)
    assert client.get("/settings/referring-physicians/new").status_code == 200
    response = client.post("/settings/referring-physicians/new", data=physician_data())
    assert response.status_code == 303
    physician = db.session.scalar(select(ReferringPhysician))
    assert response.headers["Location"].endswith(f"/settings/referring-physicians/{physician.id}")
    assert physician.company_id == clinic.company_id
    assert (physician.name, physician.npi, physician.postal_code, physician.phone, physician.state) == (
        "Grace Hopper, MD", VALID_NPI, "850181234", "6025550100", "AZ")
    [event] = events("referring_physician.create")
    assert event.object_id == str(physician.id) and event.clinic_id == clinic.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grace Hopper, MD" in page and "was added" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("npi", "1234567897", "check digit is wrong"),
        ("npi", "", "Enter the physician&#39;s NPI."),
        ("npi", "3234567893", "An NPI starts with 1 or 2."),
        ("postal_code", "8501", "Enter a ZIP code of 5 digits or 9 digits"),
        ("phone", "602-555-0100 ext 12", "Leave out the extension"),
        ("state", "ZZ", "Choose a US state."),
        ("last_name", "x" * 1_000_000, "Field cannot be longer than 60 characters."),
        ("first_name", "", "Enter the first name."),
        ("address_line1", "a" * 56, "Field cannot be longer than 55 characters."),
    ],
)
def test_bad_physician_input_is_refused_at_the_field(client, front_desk, clinic, field, value, message):
    client.login(front_desk.email)
    response = client.post("/settings/referring-physicians/new", data=physician_data(**{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field)
    assert 'role="alert" class="error-summary"' in body
    assert count(ReferringPhysician) == 0


def test_duplicate_npi_is_refused_in_favour_of_the_existing_physician(client, front_desk, clinic, other_company_clinic):
    existing = make_physician(clinic.company, "Ada", "Lovelace", credentials="DO")
    client.login(front_desk.email)
    response = client.post("/settings/referring-physicians/new", data=physician_data(first_name="A.", last_name="Lovelace"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Ada Lovelace, DO already has this NPI in your company" in field_error(body, "npi")
    assert f'href="/settings/referring-physicians/{existing.id}"' in body
    assert re.search(r'aria-describedby="npi-hint npi-error npi-duplicate"', body)
    assert count(ReferringPhysician) == 1
    # Editing another physician onto the same NPI is refused too.
    second = make_physician(clinic.company, "Alan", "Turing", npi=OTHER_NPI)
    response = client.post(f"/settings/referring-physicians/{second.id}/edit",
                           data=physician_data(first_name="Alan", last_name="Turing"))
    assert response.status_code == 422 and "Ada Lovelace, DO already has this NPI" in response.get_data(as_text=True)
    db.session.refresh(second)
    assert second.npi == OTHER_NPI
    # Another company may have the same physician.
    make_physician(other_company_clinic.company, "Ada", "Lovelace")
    # Saving a physician with its own NPI is fine.
    assert client.post(f"/settings/referring-physicians/{existing.id}/edit",
                       data=physician_data(first_name="Ada", last_name="Lovelace")).status_code == 303


def test_address_lines_over_32_characters_warn_but_save(client, front_desk, clinic):
    client.login(front_desk.email)
    long_line = "1234 North Scottsdale Road Suite 500"  # 36 characters
    response = client.post("/settings/referring-physicians/new", data=physician_data(address_line1=long_line))
    assert response.status_code == 303
    physician = db.session.scalar(select(ReferringPhysician))
    assert physician.address_line1 == long_line
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-warning" in page and "truncates address lines to 32 characters" in page
    form = client.get(f"/settings/referring-physicians/{physician.id}/edit").get_data(as_text=True)
    assert 'id="address_line1-warning" class="field-warning"' in form
    assert "the billing feed sends only \u201c1234 North Scottsdale Road Suite\u201d" in form
    assert 'id="address_line2-warning"' not in form
    # A short line saves without a warning.
    ok = client.post(f"/settings/referring-physicians/{physician.id}/edit", data=physician_data(address_line1="1 Main St"))
    assert "flash-warning" not in client.get(ok.headers["Location"]).get_data(as_text=True)


def test_edit_physician_audits_before_and_after(client, front_desk, clinic):
    physician = make_physician(clinic.company, phone="6025550100")
    client.login(front_desk.email)
    form = client.get(f"/settings/referring-physicians/{physician.id}/edit").get_data(as_text=True)
    assert 'value="Grace"' in form and f'value="{VALID_NPI}"' in form
    response = client.post(f"/settings/referring-physicians/{physician.id}/edit",
                           data=physician_data(credentials="NP", phone="480-555-0199"))
    assert response.status_code == 303
    [event] = events("referring_physician.update")
    assert event.changes["credentials"] == ["", "NP"] and event.changes["phone"] == ["6025550100", "4805550199"]
    assert "npi" not in event.changes


def test_physician_list_search_by_name_or_npi_and_pagination(client, viewer, clinic, other_company_clinic):
    for n in range(27):
        make_physician(clinic.company, f"First{n:02d}", f"Doctor{n:02d}", npi=f"{1000000000 + n}")
    make_physician(clinic.company, "Zoë", "Ångström", npi="1999999999")
    make_physician(other_company_clinic.company, "Hidden", "Elsewhere", npi="1888888888")
    client.login(viewer.email)
    page1 = client.get("/settings/referring-physicians/").get_data(as_text=True)
    assert "Doctor00, First00" in page1 and "Hidden" not in page1 and "28 in all" in page1
    assert "Add Referring Physician" not in page1  # View Patients only
    assert "Doctor26" in client.get("/settings/referring-physicians/?page=2").get_data(as_text=True)
    by_npi = client.get("/settings/referring-physicians/?q=1999").get_data(as_text=True)
    assert "Ångström" in by_npi and "Doctor00" not in by_npi
    by_name = client.get("/settings/referring-physicians/?q=doctor05").get_data(as_text=True)
    assert "Doctor05" in by_name and "Doctor06" not in by_name
    full_name = client.get("/settings/referring-physicians/?q=first07 doctor").get_data(as_text=True)
    assert "Doctor07" in full_name and "Doctor08" not in full_name
    assert "No referring physicians match" in client.get("/settings/referring-physicians/?q=hidden").get_data(as_text=True)
    partial = client.hx_get("/settings/referring-physicians/?q=doctor1").get_data(as_text=True)
    assert "<html" not in partial and "Doctor10" in partial


def test_physician_list_queries_do_not_grow_with_rows(client, viewer, clinic, count_queries):
    client.login(viewer.email)
    make_physician(clinic.company, npi="1000000000")
    with count_queries() as few:
        client.get("/settings/referring-physicians/")
    for n in range(1, 20):
        make_physician(clinic.company, npi=f"{1000000000 + n}")
    with count_queries() as many:
        client.get("/settings/referring-physicians/")
    assert few.count == many.count


def test_hostile_physician_names_are_stored_and_shown_escaped(client, front_desk, clinic):
    client.login(front_desk.email)
    response = client.post("/settings/referring-physicians/new",
                           data=physician_data(first_name=HOSTILE, last_name='"><img src=x onerror=alert(1)>'))
    assert response.status_code == 303
    physician = db.session.scalar(select(ReferringPhysician))
    assert physician.first_name == HOSTILE
    for url in ("/settings/referring-physicians/", f"/settings/referring-physicians/{physician.id}",
                f"/settings/referring-physicians/{physician.id}/edit"):
        body = client.get(url).get_data(as_text=True)
        assert HOSTILE not in body and "<img src=x" not in body
    # The duplicate message names the physician, escaped.
    body = client.post("/settings/referring-physicians/new", data=physician_data()).get_data(as_text=True)
    assert "&lt;script&gt;" in body and HOSTILE not in body


@pytest.mark.parametrize("method, path, allowed", [
    ("get", "/settings/referring-physicians/", "viewer"),
    ("get", "/settings/referring-physicians/{id}", "viewer"),
    ("get", "/settings/referring-physicians/new", "front_desk"),
    ("post", "/settings/referring-physicians/new", "front_desk"),
    ("get", "/settings/referring-physicians/{id}/edit", "front_desk"),
    ("post", "/settings/referring-physicians/{id}/edit", "front_desk"),
])
def test_physician_routes_check_permissions(client, nobody, viewer, front_desk, clinic, method, path, allowed):
    physician = make_physician(clinic.company)
    refused = [nobody] if allowed == "viewer" else [nobody, viewer]
    url = path.format(id=physician.id)
    for user in refused:
        client.login(user.email)
        response = client.get(url) if method == "get" else client.post(url, data=physician_data(npi=OTHER_NPI, last_name="Hacked"))
        assert response.status_code == 403
    client.login((viewer if allowed == "viewer" else front_desk).email)
    assert client.get(url).status_code == 200
    db.session.refresh(physician)
    assert physician.last_name == "Hopper" and count(ReferringPhysician) == 1


@pytest.mark.parametrize("method, path", [
    ("get", "/settings/referring-physicians/{id}"),
    ("get", "/settings/referring-physicians/{id}/edit"),
    ("post", "/settings/referring-physicians/{id}/edit"),
])
def test_another_companys_physician_is_not_found(client, admin, other_company_clinic, method, path):
    theirs = make_physician(other_company_clinic.company)
    client.login(admin.email)
    url = path.format(id=theirs.id)
    response = client.get(url) if method == "get" else client.post(url, data=physician_data(last_name="Mine"))
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.last_name == "Hopper"


def test_physician_post_without_csrf_is_refused(client, front_desk, clinic):
    physician = make_physician(clinic.company)
    client.login(front_desk.email)
    assert client.client.post("/settings/referring-physicians/new", data=physician_data(npi=OTHER_NPI)).status_code == 400
    assert client.client.post(f"/settings/referring-physicians/{physician.id}/edit",
                              data=physician_data(last_name="Changed")).status_code == 400
    db.session.refresh(physician)
    assert count(ReferringPhysician) == 1 and physician.last_name == "Hopper"


def test_a_duplicate_npi_saved_meanwhile_is_refused_by_the_database_too(client, front_desk, clinic, monkeypatch):
    """Two front-desk users adding the same physician at once: the unique constraint refuses the second."""
    import core.payers.views as views

    existing = make_physician(clinic.company, "Ada", "Lovelace")
    real = views._duplicate_npi
    calls = []

    def misses_the_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(views, "_duplicate_npi", misses_the_first_time)
    client.login(front_desk.email)
    response = client.post("/settings/referring-physicians/new", data=physician_data())
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Ada Lovelace already has this NPI" in field_error(body, "npi")
    assert f'href="/settings/referring-physicians/{existing.id}"' in body
    assert count(ReferringPhysician) == 1 and events("referring_physician.create") == []
