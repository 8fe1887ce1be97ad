"""Company Settings (Company Admin), Clinic Settings' general page (Clinic Admin), and the sign-in alert
while the Medicare Fee Schedule Regional Location is unset."""
import re

import pytest
from sqlalchemy import select

from core.accounts import UserType
from core.audit import AuditEvent
from core.extensions import db
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.tenancy.settings_forms import FEE_SCHEDULE_REGIONS
from core.web import Permission

VALID_NPI = "1234567893"
HOSTILE = "<script>alert(1)</script>"
ALERT = "Medicare Fee Schedule Regional Location is not set for"


@pytest.fixture
def company_admin(make_user, clinic):
    return make_user([clinic], email="company@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.COMPANY_ADMIN])


@pytest.fixture
def clinic_admin(make_user, clinic):
    return make_user([clinic], email="clinicadmin@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.CLINIC_ADMIN])


@pytest.fixture
def other_company_clinic(make_clinic):
    return make_clinic("Elsewhere Clinic")


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>', body, re.S)
    assert match, f"no error at {field_id}"
    return match.group(1)


def company_data(**overrides):
    data = {"payer_rule": "primary", "modifiers": [], "new_modifiers": "", "initial_exam_case_copy": "off",
            "poc_certification": "hard_stop", "poc_signature": "warning", "poc_progress_report": "warning"}
    data.update(overrides)
    return data


def clinic_data(**overrides):
    data = {"npi": VALID_NPI, "alternate_id": "FAC-12", "address_line1": "4400 E Camelback Rd", "address_line2": "Suite 2",
            "city": "Phoenix", "state": "AZ", "postal_code": "85018-1234", "phone": "602 555 0100",
            "assistant_finalization": "off", "assistant_finalization_verbiage": "", "fee_schedule_region": "Arizona",
            "fee_schedule_institutional": "non_institutional", "place_of_service_enabled": "no",
            "time_zone": "America/Phoenix"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_insurance(company, name, modifiers):
    insurance = Insurance(company_id=company.id, name=name, insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS, enabled_modifiers=modifiers, plugin_settings={})
    db.session.add(insurance)
    db.session.commit()
    return insurance


# -- Company Settings ----------------------------------------------------------------------------
def test_company_settings_saves_and_audits_before_and_after(client, company_admin, clinic):
    client.login(company_admin.email)
    page = client.get("/settings/company")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "When primary and secondary insurances use different unit calculations, the note follows:" in body
    assert "Always the Rule of 8s" in body and "Initial Exam Case Copy" in body
    assert "most recently finalized evaluative note" in body
    response = client.post("/settings/company", data=company_data(payer_rule="eight_minute", new_modifiers="59, xs gp 59",
                                                                  initial_exam_case_copy="on"))
    assert response.status_code == 303
    company = clinic.company
    db.session.refresh(company)
    assert company.payer_rule == "eight_minute"
    assert company.additional_modifiers == ["59", "XS", "GP"]
    assert company.initial_exam_case_copy is True
    [event] = events("company.settings")
    assert event.object_type == "company" and event.object_id == str(company.id) and event.clinic_id == clinic.id
    assert event.changes == {
        "payer_rule": ["primary", "eight_minute"],
        "additional_modifiers": [[], ["59", "XS", "GP"]],
        "initial_exam_case_copy": [False, True],
    }
    page = client.get("/settings/company").get_data(as_text=True)
    assert "Company Settings saved." in page
    for code in ("59", "XS", "GP"):
        assert f'value="{code}" checked' in page


@pytest.mark.parametrize("codes, shown", [("ABC", "ABC"), ("5!", "5!"), ("X", "X"), ("59 Q-", "Q-")])
def test_modifiers_must_be_two_letters_or_digits(client, company_admin, clinic, codes, shown):
    client.login(company_admin.email)
    response = client.post("/settings/company", data=company_data(new_modifiers=codes, payer_rule="rule_of_eights"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "A modifier is two letters or digits" in field_error(body, "new_modifiers")
    assert 'role="alert" class="error-summary"' in body
    db.session.refresh(clinic.company)
    assert clinic.company.additional_modifiers == [] and clinic.company.payer_rule == "primary"
    assert events("company.settings") == []


def test_bad_payer_rule_and_oversized_input_are_refused(client, company_admin, clinic):
    client.login(company_admin.email)
    response = client.post("/settings/company", data=company_data(payer_rule="whatever"))
    assert response.status_code == 422 and "Not a valid choice" in field_error(response.get_data(as_text=True), "payer_rule")
    response = client.post("/settings/company", data=company_data(new_modifiers="59 " * 300_000))
    assert response.status_code == 422
    assert "Field cannot be longer than 200 characters." in field_error(response.get_data(as_text=True), "new_modifiers")
    # Only listed modifiers can be "kept": new ones go through Add modifiers (and its checks).
    response = client.post("/settings/company", data=company_data(modifiers=["<b>"]))
    assert response.status_code == 422
    db.session.refresh(clinic.company)
    assert clinic.company.additional_modifiers == []


def test_removing_a_modifier_removes_it_from_the_companys_insurances(client, company_admin, clinic, other_company_clinic):
    clinic.company.additional_modifiers = ["59", "XS", "GP"]
    other_company_clinic.company.additional_modifiers = ["59"]
    db.session.commit()
    with_59 = make_insurance(clinic.company, "Aetna", ["59", "GP"])
    without = make_insurance(clinic.company, "Cigna", ["GP"])
    theirs = make_insurance(other_company_clinic.company, "Theirs", ["59"])
    client.login(company_admin.email)
    response = client.post("/settings/company", data=company_data(modifiers=["XS", "GP"], new_modifiers="XU"))
    assert response.status_code == 303
    for row in (clinic.company, with_59, without, theirs):
        db.session.refresh(row)
    assert clinic.company.additional_modifiers == ["XS", "GP", "XU"]
    assert with_59.enabled_modifiers == ["GP"] and without.enabled_modifiers == ["GP"]
    assert theirs.enabled_modifiers == ["59"]
    [insurance_event] = events("insurance.update")
    assert insurance_event.object_id == str(with_59.id)
    assert insurance_event.changes == {"enabled_modifiers": [["59", "GP"], ["GP"]]}
    assert "also removed from 1 insurance" in client.get("/settings/company").get_data(as_text=True)


def test_company_settings_act_on_the_current_clinics_company(client, make_user, clinic, other_company_clinic):
    user = make_user([clinic, other_company_clinic], email="both@example.test", is_admin=True)
    client.login(user.email)
    client.post("/clinic/switch", data={"clinic_id": other_company_clinic.id})
    assert client.post("/settings/company", data=company_data(new_modifiers="KX")).status_code == 303
    db.session.refresh(clinic.company)
    db.session.refresh(other_company_clinic.company)
    assert other_company_clinic.company.additional_modifiers == ["KX"]
    assert clinic.company.additional_modifiers == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_company_settings_need_company_admin(client, clinic_admin, make_user, clinic, method):
    insurance_admin = make_user([clinic], email="ins@example.test", permissions=[Permission.INSURANCE_ADMIN])
    for user in (clinic_admin, insurance_admin):
        client.login(user.email)
        response = (client.get("/settings/company") if method == "get"
                    else client.post("/settings/company", data=company_data(new_modifiers="59")))
        assert response.status_code == 403
    db.session.refresh(clinic.company)
    assert clinic.company.additional_modifiers == []


def test_company_settings_post_without_csrf_is_refused(client, company_admin, clinic):
    client.login(company_admin.email)
    response = client.client.post("/settings/company", data=company_data(new_modifiers="59"))
    assert response.status_code == 400
    db.session.refresh(clinic.company)
    assert clinic.company.additional_modifiers == []


# -- Clinic Settings (general) -------------------------------------------------------------------
def test_clinic_settings_save_and_audit(client, clinic_admin, clinic, make_clinic):
    sibling = make_clinic("Sibling Clinic", company=clinic.company)
    client.login(clinic_admin.email)
    page = client.get("/settings/clinic")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'aria-current="page">General</a>' in body and 'href="/settings/features"' in body
    assert "Do you provide services outside the clinic?" in body and "Non-Institutional (common)" in body
    assert "Institutional (UB-04/Hospitals)" in body and ">Wyoming</option>" in body and ">Puerto Rico</option>" in body
    assert "self-pay or direct access patients" in body
    response = client.post("/settings/clinic", data=clinic_data(
        assistant_finalization="on", assistant_finalization_verbiage="Finalized by an assistant under supervision.",
        fee_schedule_institutional="institutional", place_of_service_enabled="yes", referral_required="y"))
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(clinic)
    assert (clinic.npi, clinic.alternate_id, clinic.postal_code, clinic.phone, clinic.state) == (
        VALID_NPI, "FAC-12", "850181234", "6025550100", "AZ")
    assert clinic.address_line1 == "4400 E Camelback Rd" and clinic.city == "Phoenix"
    assert clinic.assistant_finalization and clinic.assistant_finalization_verbiage.startswith("Finalized by")
    assert clinic.fee_schedule_region == "Arizona" and clinic.fee_schedule_institutional
    assert clinic.place_of_service_enabled and clinic.referral_required
    [event] = events("clinic.settings")
    assert event.object_type == "clinic" and event.object_id == str(clinic.id) and event.clinic_id == clinic.id
    assert event.changes["fee_schedule_region"] == [None, "Arizona"]
    assert event.changes["postal_code"] == ["85018", "850181234"]
    assert event.changes["referral_required"] == [False, True]
    db.session.refresh(sibling)
    assert sibling.fee_schedule_region is None and sibling.npi is None
    form = client.get("/settings/clinic").get_data(as_text=True)
    assert "Clinic Settings saved." in form and 'value="85018-1234"' in form
    assert '<option selected value="Arizona">' in form
    # Saving unchanged values records nothing new.
    client.post("/settings/clinic", data=clinic_data(
        assistant_finalization="on", assistant_finalization_verbiage="Finalized by an assistant under supervision.",
        fee_schedule_institutional="institutional", place_of_service_enabled="yes", referral_required="y"))
    assert len(events("clinic.settings")) == 1


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"postal_code": "85018"}, "postal_code", "The clinic needs its 9-digit ZIP code (ZIP+4"),
        ({"postal_code": "8501"}, "postal_code", "Enter a ZIP code of 5 digits or 9 digits"),
        ({"postal_code": ""}, "postal_code", "Enter the ZIP code."),
        ({"assistant_finalization": "on", "assistant_finalization_verbiage": "  "}, "assistant_finalization_verbiage",
         "Enter the verbiage added to notes finalized by assistants"),
        ({"assistant_finalization_verbiage": "v" * 501}, "assistant_finalization_verbiage", "Use at most 500 characters."),
        ({"npi": "1234567897"}, "npi", "check digit is wrong"),
        ({"address_line1": "P.O. Box 12"}, "address_line1", "cannot be a PO box"),
        ({"address_line1": ""}, "address_line1", "Enter the clinic&#39;s street address."),
        ({"address_line1": "x" * 1_000_000}, "address_line1", "Field cannot be longer than 55 characters."),
        ({"state": "XX"}, "state", "Choose a US state."),
        ({"phone": "602-555-0100 x12"}, "phone", "Leave out the extension"),
        ({"fee_schedule_region": ""}, "fee_schedule_region", "Choose the Medicare Fee Schedule region"),
        ({"fee_schedule_region": "Atlantis"}, "fee_schedule_region", "Choose the Medicare Fee Schedule region"),
        ({"place_of_service_enabled": None}, "place_of_service_enabled", "Choose Yes or No."),
        ({"fee_schedule_institutional": "both"}, "fee_schedule_institutional", "Not a valid choice"),
    ],
)
def test_bad_clinic_settings_are_refused_at_the_field(client, clinic_admin, clinic, overrides, field, message):
    client.login(clinic_admin.email)
    response = client.post("/settings/clinic", data=clinic_data(**overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field)
    assert 'role="alert" class="error-summary"' in body
    db.session.refresh(clinic)
    assert clinic.fee_schedule_region is None and clinic.npi is None and clinic.postal_code == "85018"
    assert events("clinic.settings") == []


def test_verbiage_is_optional_when_assistant_finalization_is_off(client, clinic_admin, clinic):
    client.login(clinic_admin.email)
    assert client.post("/settings/clinic", data=clinic_data(assistant_finalization="off")).status_code == 303


def test_hostile_verbiage_is_stored_and_shown_escaped(client, clinic_admin, clinic):
    client.login(clinic_admin.email)
    response = client.post("/settings/clinic", data=clinic_data(assistant_finalization="on",
                                                                assistant_finalization_verbiage=HOSTILE))
    assert response.status_code == 303
    db.session.refresh(clinic)
    assert clinic.assistant_finalization_verbiage == HOSTILE
    body = client.get("/settings/clinic").get_data(as_text=True)
    assert HOSTILE not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("method", ["get", "post"])
def test_clinic_settings_need_clinic_admin(client, company_admin, clinic, method):
    client.login(company_admin.email)
    response = client.get("/settings/clinic") if method == "get" else client.post("/settings/clinic", data=clinic_data())
    assert response.status_code == 403
    db.session.refresh(clinic)
    assert clinic.fee_schedule_region is None


def test_clinic_settings_change_only_the_current_clinic(client, make_user, clinic, make_clinic):
    second = make_clinic("Second Clinic", company=clinic.company)
    user = make_user([clinic, second], email="both@example.test", permissions=[Permission.CLINIC_ADMIN])
    client.login(user.email)
    client.post("/clinic/switch", data={"clinic_id": second.id})
    assert client.post("/settings/clinic", data=clinic_data(fee_schedule_region="Guam")).status_code == 303
    db.session.refresh(clinic)
    db.session.refresh(second)
    assert second.fee_schedule_region == "Guam" and clinic.fee_schedule_region is None


def test_clinic_settings_post_without_csrf_is_refused(client, clinic_admin, clinic):
    client.login(clinic_admin.email)
    assert client.client.post("/settings/clinic", data=clinic_data()).status_code == 400
    db.session.refresh(clinic)
    assert clinic.fee_schedule_region is None


def test_settings_routes_need_sign_in(client, clinic):
    for url in ("/settings/company", "/settings/clinic"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_features_page_has_the_clinic_settings_sub_navigation(client, admin):
    client.login(admin.email)
    body = client.get("/settings/features").get_data(as_text=True)
    assert 'href="/settings/clinic"' in body and 'aria-current="page">Features</a>' in body


def test_regions_are_the_states_and_territories_by_full_name():
    assert len(FEE_SCHEDULE_REGIONS) == 56
    assert {"Arizona", "District of Columbia", "Puerto Rico", "U.S. Virgin Islands"} <= set(FEE_SCHEDULE_REGIONS)


# -- the sign-in alert ---------------------------------------------------------------------------
def _home_after_login(client, email):
    response = client.login(email)
    assert response.status_code == 303
    return client.get("/").get_data(as_text=True)


def test_every_sign_in_alerts_until_the_region_is_chosen(client, make_user, clinic):
    therapist = make_user([clinic], email="pt@example.test", user_type=UserType.PT)
    for _ in range(2):  # at every sign-in, not only the first
        home = _home_after_login(client, therapist.email)
        assert f"{ALERT} Camelback Clinic" in home and "flash-warning" in home
        assert ALERT not in client.get("/").get_data(as_text=True)  # shown once per sign-in
    clinic.fee_schedule_region = "Arizona"
    db.session.commit()
    assert ALERT not in _home_after_login(client, therapist.email)


def test_choosing_the_region_in_clinic_settings_ends_the_alert(client, clinic_admin, clinic):
    assert ALERT in _home_after_login(client, clinic_admin.email)
    assert client.post("/settings/clinic", data=clinic_data()).status_code == 303
    assert ALERT not in _home_after_login(client, clinic_admin.email)


def test_switching_into_a_clinic_without_a_region_alerts(client, make_user, clinic, make_clinic):
    clinic.fee_schedule_region = "Arizona"
    unset = make_clinic("Tempe Clinic", company=clinic.company)
    db.session.commit()
    user = make_user([clinic, unset], email="both@example.test")
    assert ALERT not in _home_after_login(client, user.email)
    response = client.post("/clinic/switch", data={"clinic_id": unset.id})
    assert response.status_code == 303
    assert f"{ALERT} Tempe Clinic" in client.get("/").get_data(as_text=True)
    client.post("/clinic/switch", data={"clinic_id": clinic.id})
    assert ALERT not in client.get("/").get_data(as_text=True)


def test_the_alert_escapes_the_clinic_name(client, make_user, clinic):
    clinic.name = HOSTILE
    db.session.commit()
    user = make_user([clinic], email="pt@example.test")
    home = _home_after_login(client, user.email)
    assert HOSTILE not in home and f"{ALERT} &lt;script&gt;alert(1)&lt;/script&gt;" in home


def test_plan_of_care_alerts_are_chosen_per_clock_and_refuse_unknown_levels(client, admin, clinic):
    client.login(admin.email)
    page = client.get("/settings/company").get_data(as_text=True)
    assert "Plan of Care Alerts" in page and "Physician signature overdue" in page
    response = client.post("/settings/company", data=company_data(poc_progress_report="hard_stop", poc_signature="never"))
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not clinic.company.poc_alerts
    response = client.post("/settings/company", data=company_data(poc_progress_report="hard_stop"))
    assert response.status_code == 303
    db.session.expire_all()
    assert clinic.company.poc_alerts == {"certification": "hard_stop", "signature": "warning", "progress_report": "hard_stop"}
