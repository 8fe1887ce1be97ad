"""Cases: Add Case and Edit Case with their insurance-policy and authorization checks, the case page's
Add Authorization, Change Insurance, the patient chart's Cases section, permissions and clinic scoping."""
from datetime import date

import pytest
from flask import render_template_string, session, url_for
from flask_login import login_user
from sqlalchemy import func, select

from core.accounts import UserStatus, UserType
from core.audit import AuditEvent
from core.cases import Authorization, Case, CasePolicy, CaseStatus, Discipline, InsuredRelationship, PolicyRank
from core.cases import views as case_views
from core.extensions import db
from core.patients import AddressType, PatientAddress, create_patient
from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation
from core.web import Permission

VALID_NPI = "1234567893"


# -- fixtures --------------------------------------------------------------------------------------
def _insurance(company_id, name, kind, **kw):
    insurance = Insurance(company_id=company_id, name=name, insurance_type=kind,
                          unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE if kind.is_medicare else UnitCalculation.RULE_OF_EIGHTS,
                          **kw)
    db.session.add(insurance)
    return insurance


@pytest.fixture
def insurances(clinic):
    """The clinic's company's insurances: Medicare, a commercial one requiring authorization, a plain
    commercial one and Workers' Comp."""
    made = {
        "medicare": _insurance(clinic.company_id, "Medicare Part B", InsuranceType.MEDICARE),
        "auth": _insurance(clinic.company_id, "Acme Health", InsuranceType.COMMERCIAL, authorization_required=True),
        "commercial": _insurance(clinic.company_id, "Blue Plan", InsuranceType.COMMERCIAL),
        "wc": _insurance(clinic.company_id, "State Fund", InsuranceType.WORKERS_COMP),
    }
    db.session.commit()
    return made


@pytest.fixture
def physician(clinic):
    doctor = ReferringPhysician(company_id=clinic.company_id, first_name="Grace", last_name="Hopper", npi=VALID_NPI)
    db.session.add(doctor)
    db.session.commit()
    return doctor


def _patient(clinic, zip_code="85018", ssn=None, first_name="Rosa"):
    patient = create_patient(clinic, first_name=first_name, last_name="Díaz", date_of_birth=date(1980, 5, 1))
    patient.ssn = ssn
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St",
                                        city="Phoenix", state="AZ", postal_code=zip_code)]
    db.session.commit()
    return patient


@pytest.fixture
def patient(clinic):
    return _patient(clinic)


def _case_data(therapist, insurance, **overrides):
    data = {
        "title": "Low back pain", "discipline": "PT", "therapist_id": therapist.id, "referring_physician_id": "",
        "referral_date": "", "onset_date": "2025-01-10", "related_cause": "None of the Above", "accident_date": "",
        "accident_state": "", "apply_kx_modifier": "no",
        "primary-insurance_id": insurance.id, "primary-subscriber_id": "XYZ123", "primary-group_number": "G-1",
        "primary-claim_number": "", "primary-start_date": "2025-01-01", "primary-end_date": "2025-12-31",
        "primary-insured_relationship": "Self",
        "secondary-insurance_id": "", "secondary-insured_relationship": "Self",
        "authorization-number": "", "authorization-start_date": "", "authorization-end_date": "",
        "authorization-visits_authorized": "",
    }
    data.update(overrides)
    return data


def _subscriber(prefix="primary", **overrides):
    data = {
        f"{prefix}-insured_relationship": "Spouse", f"{prefix}-subscriber_first_name": "Émile",
        f"{prefix}-subscriber_middle_initial": "J", f"{prefix}-subscriber_last_name": "Díaz",
        f"{prefix}-subscriber_date_of_birth": "1978-03-04", f"{prefix}-subscriber_address_line1": "1 Main St",
        f"{prefix}-subscriber_city": "Phoenix", f"{prefix}-subscriber_state": "AZ",
        f"{prefix}-subscriber_postal_code": "85018", f"{prefix}-subscriber_phone": "(602) 555-0100",
    }
    data.update(overrides)
    return data


def _auth_row(number="0000", **overrides):
    data = {"authorization-number": number, "authorization-start_date": "2025-01-01",
            "authorization-end_date": "2025-06-30", "authorization-visits_authorized": "12"}
    data.update(overrides)
    return data


def _make_case(patient, therapist, insurance, title="Knee rehab", **kw):
    case = Case(clinic_id=patient.clinic_id, patient_id=patient.id, title=title, discipline=Discipline.PT,
                therapist_id=therapist.id, **kw)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="S1",
                                start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
                                insured_relationship=InsuredRelationship.SELF)]
    db.session.add(case)
    db.session.commit()
    return case


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_url(patient):
    return f"/patients/{patient.id}/cases/new"


# -- Add Case --------------------------------------------------------------------------------------
def test_add_case_saves_the_case_its_policy_and_an_audit_event(client, admin, clinic, patient, insurances, physician):
    client.login(admin.email)
    page = client.get(_new_url(patient) + f"?insurance_id={insurances['commercial'].id}").get_data(as_text=True)
    assert f'<option selected value="{insurances["commercial"].id}">' in page
    assert "Place of Service" not in page  # the clinic does not offer it
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **{
        "referring_physician_id": physician.id, "referral_date": "2025-01-05", "apply_kx_modifier": "yes",
        **_subscriber("secondary", **{"secondary-insurance_id": insurances["medicare"].id, "secondary-subscriber_id": "1EG4"}),
    }) | {"secondary-insured_relationship": "Self"})
    # Medicare as secondary needs the 9-digit ZIP: refused first.
    assert response.status_code == 422
    assert "Medicare needs the patient&#39;s 9-digit ZIP code" in response.get_data(as_text=True)
    assert _count(Case) == 0

    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **{
        "referring_physician_id": physician.id, "referral_date": "2025-01-05", "apply_kx_modifier": "yes",
        "secondary-insurance_id": insurances["wc"].id, "secondary-subscriber_id": "C-77", "secondary-claim_number": "C-77",
        "secondary-start_date": "2025-01-01", "secondary-end_date": "2025-06-30",
    }))
    # Workers' Comp needs the patient's SSN.
    assert response.status_code == 422
    patient.ssn = "123456789"
    db.session.commit()
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **{
        "referring_physician_id": physician.id, "referral_date": "2025-01-05", "apply_kx_modifier": "yes",
        "secondary-insurance_id": insurances["wc"].id, "secondary-subscriber_id": "C-77", "secondary-claim_number": "C-77",
        "secondary-start_date": "2025-01-01", "secondary-end_date": "2025-06-30",
    }))
    assert response.status_code == 303, response.get_data(as_text=True)
    case = db.session.scalar(select(Case))
    assert response.headers["Location"].endswith(f"/patients/{patient.id}/cases/{case.id}")
    assert (case.title, case.discipline, case.therapist_id, case.status) == ("Low back pain", Discipline.PT, admin.id, CaseStatus.ACTIVE)
    assert case.referring_physician_id == physician.id and case.referral_date == date(2025, 1, 5)
    assert case.onset_date == date(2025, 1, 10) and case.apply_kx_modifier is True and case.place_of_service == "11"
    primary, secondary = case.policy(PolicyRank.PRIMARY), case.policy(PolicyRank.SECONDARY)
    assert (primary.insurance_id, primary.subscriber_id, primary.group_number) == (insurances["commercial"].id, "XYZ123", "G-1")
    assert (primary.start_date, primary.end_date, primary.insured_relationship) == (date(2025, 1, 1), date(2025, 12, 31), InsuredRelationship.SELF)
    assert secondary.insurance_id == insurances["wc"].id and secondary.claim_number == "C-77"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.create"))
    assert (event.object_type, event.object_id, event.clinic_id) == ("case", str(case.id), clinic.id)
    assert "title" in event.changes["fields"] and "Low back pain" not in str(event.changes) + event.summary
    assert "XYZ123" not in str(event.changes)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Low back pain" in page and "Blue Plan" in page and "State Fund" in page and "Grace Hopper" in page


@pytest.mark.parametrize("number", ["12.34", "1234 ", "12-34", " 1234", "12a4"])
def test_authorization_number_with_extra_characters_is_refused_and_nothing_is_saved(client, admin, patient, insurances, number):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["auth"], **_auth_row(number)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use digits only, with no spaces, periods or other characters" in page
    assert 'id="authorization-number-error"' in page and 'aria-invalid="true"' in page
    assert 'class="error-summary"' in page and 'href="#authorization-number"' in page
    assert _count(Case) == 0 and _count(Authorization) == 0 and _count(CasePolicy) == 0


def test_authorization_placeholder_0000_is_accepted(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["auth"], **_auth_row("0000")))
    assert response.status_code == 303, response.get_data(as_text=True)
    authorization = db.session.scalar(select(Authorization))
    assert (authorization.number, authorization.visits_authorized, authorization.visits_remaining) == ("0000", 12, 12)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "authorization.create")) is not None


def test_insurance_requiring_authorization_needs_one(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["auth"]))
    assert response.status_code == 422
    assert "Acme Health requires an authorization" in response.get_data(as_text=True)
    assert _count(Case) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"authorization-end_date": "2024-12-01"}, "The authorization end date is before its start date."),
    ({"authorization-start_date": ""}, "Enter the authorization start and end dates."),
    ({"authorization-visits_authorized": "1000"}, "Enter between 1 and 999 visits."),
    ({"authorization-visits_authorized": ""}, "Enter the number of visits authorized (1-999)."),
])
def test_authorization_row_checks(client, admin, patient, insurances, overrides, message):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **_auth_row("55", **overrides)))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(Case) == 0


def test_workers_comp_needs_the_patients_ssn(client, admin, patient, insurances):
    client.login(admin.email)
    data = _case_data(admin, insurances["wc"], **{"primary-subscriber_id": "WC-1", "primary-claim_number": "WC-1",
                                                   "related_cause": "Employment Injury"})
    response = client.post(_new_url(patient), data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Workers&#39; Comp needs the patient&#39;s Social Security Number: add it on Edit Patient first." in page
    assert 'id="primary-insurance_id-error"' in page
    assert _count(Case) == 0
    patient.ssn = "123456789"
    db.session.commit()
    assert client.post(_new_url(patient), data=data).status_code == 303


@pytest.mark.parametrize("claim", ["", "WC-2"])
def test_workers_comp_claim_number_must_match_the_subscriber_id(client, admin, clinic, insurances, claim):
    patient = _patient(clinic, ssn="123456789")
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["wc"], **{
        "primary-subscriber_id": "WC-1", "primary-claim_number": claim}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "enter the claim number in both Subscriber ID and Claim Number" in page
    assert 'id="primary-claim_number-error"' in page
    assert _count(Case) == 0


def test_workers_comp_with_another_insured_needs_the_employer(client, admin, clinic, insurances):
    patient = _patient(clinic, ssn="123456789")
    client.login(admin.email)
    data = _case_data(admin, insurances["wc"], **{"primary-subscriber_id": "WC-1", "primary-claim_number": "WC-1"},
                      **_subscriber())
    response = client.post(_new_url(patient), data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Workers&#39; Comp: enter the employer&#39;s name.", "Workers&#39; Comp: enter the employer&#39;s address.",
                    "Choose the employer&#39;s state.", "Enter the ZIP code.", "Enter the employer&#39;s phone number."):
        assert message in page
    assert _count(Case) == 0
    employer = {"primary-employer_name": "Acme <Mining> Co", "primary-employer_address_line1": "9 Pit Rd",
                "primary-employer_city": "Globe", "primary-employer_state": "AZ", "primary-employer_postal_code": "85501",
                "primary-employer_phone": "602-555-0199 ext 12"}
    response = client.post(_new_url(patient), data=data | employer)
    assert response.status_code == 422
    assert "Leave out the extension" in response.get_data(as_text=True)
    response = client.post(_new_url(patient), data=data | employer | {"primary-employer_phone": "602-555-0199"})
    assert response.status_code == 303, response.get_data(as_text=True)
    policy = db.session.scalar(select(CasePolicy))
    assert (policy.employer_name, policy.employer_phone, policy.employer_postal_code) == ("Acme <Mining> Co", "6025550199", "85501")
    assert (policy.subscriber_first_name, policy.subscriber_middle_initial, policy.subscriber_phone) == ("Émile", "J", "6025550100")
    assert policy.insured_relationship is InsuredRelationship.SPOUSE


def test_insured_other_than_the_patient_needs_the_subscriber_details(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **{
        "primary-insured_relationship": "Child", "primary-subscriber_postal_code": "8501"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Enter the insured&#39;s first name.", "Enter the insured&#39;s date of birth.",
                    "Enter a ZIP code of 5 digits or 9 digits", "Enter the insured&#39;s phone number."):
        assert message in page
    assert _count(Case) == 0


def test_medicare_needs_the_patients_nine_digit_zip(client, admin, clinic, insurances):
    five = _patient(clinic, zip_code="85018")
    nine = _patient(clinic, zip_code="850181234", first_name="Ana")
    client.login(admin.email)
    response = client.post(_new_url(five), data=_case_data(admin, insurances["medicare"]))
    assert response.status_code == 422
    assert "Medicare needs the patient&#39;s 9-digit ZIP code (ZIP+4)" in response.get_data(as_text=True)
    assert _count(Case) == 0
    assert client.post(_new_url(nine), data=_case_data(admin, insurances["medicare"])).status_code == 303


@pytest.mark.parametrize("overrides, message", [
    ({"primary-start_date": ""}, "Enter the policy start and end dates."),
    ({"primary-end_date": ""}, "Enter the policy start and end dates."),
    ({"primary-end_date": "2024-12-31"}, "The policy end date is before its start date."),
    ({"primary-start_date": "not a date"}, "Not a valid date value."),
    ({"primary-insurance_id": ""}, "Choose the primary insurance."),
    ({"primary-subscriber_id": ""}, "Enter the subscriber ID."),
    ({"secondary-subscriber_id": "S-9"}, "Choose the secondary insurance, or clear the secondary policy&#39;s fields."),
])
def test_policy_checks(client, admin, patient, insurances, overrides, message):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(Case) == 0 and _count(CasePolicy) == 0


def test_secondary_policy_dates_are_required_too(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], **{
        "secondary-insurance_id": insurances["auth"].id, "secondary-subscriber_id": "S-9"}, **_auth_row()))
    assert response.status_code == 422
    assert 'id="secondary-start_date-error"' in response.get_data(as_text=True)
    assert _count(Case) == 0


@pytest.mark.parametrize("cause", ["Auto Accident (At Fault)", "Auto Accident (No Fault)"])
def test_auto_accident_needs_the_accident_date_and_state(client, admin, patient, insurances, cause):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], related_cause=cause))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{cause}: enter the accident date." in page
    assert f"{cause}: choose the state where the accident happened." in page
    assert _count(Case) == 0
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], related_cause=cause,
                                                               accident_date="2025-01-02", accident_state="AZ"))
    assert response.status_code == 303
    case = db.session.scalar(select(Case))
    assert (case.accident_date, case.accident_state) == (date(2025, 1, 2), "AZ")


def test_other_accident_needs_the_date_and_none_of_the_above_stores_no_accident(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], related_cause="Other Accident"))
    assert response.status_code == 422
    assert "Other Accident: enter the accident date." in response.get_data(as_text=True)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], accident_date="2025-01-02",
                                                               accident_state="AZ"))
    assert response.status_code == 303
    case = db.session.scalar(select(Case))
    assert (case.accident_date, case.accident_state) == (None, "")


def test_referral_required_when_the_clinic_requires_it(client, admin, clinic, patient, insurances, physician):
    clinic.referral_required = True
    db.session.commit()
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This clinic requires a referral: choose the referring physician." in page
    assert "This clinic requires a referral: enter the referral date." in page
    assert _count(Case) == 0
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], referring_physician_id=physician.id,
                                                               referral_date="2025-01-03"))
    assert response.status_code == 303


def test_referring_physician_of_another_company_is_refused(client, admin, patient, insurances, make_company):
    stranger = ReferringPhysician(company_id=make_company("Other Co").id, first_name="X", last_name="Y", npi=VALID_NPI)
    db.session.add(stranger)
    db.session.commit()
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], referring_physician_id=stranger.id))
    assert response.status_code == 422
    assert "Choose a referring physician from the list." in response.get_data(as_text=True)


def test_insurance_of_another_company_or_inactive_is_refused(client, admin, patient, insurances, make_company):
    foreign = _insurance(make_company("Other Co").id, "Elsewhere Health", InsuranceType.COMMERCIAL)
    insurances["commercial"].active = False
    db.session.commit()
    client.login(admin.email)
    assert "Blue Plan" not in client.get(_new_url(patient)).get_data(as_text=True)
    for insurance in (foreign, insurances["commercial"]):
        response = client.post(_new_url(patient), data=_case_data(admin, insurance))
        assert response.status_code == 422
        assert "Choose an insurance from the list." in response.get_data(as_text=True)
    assert _count(Case) == 0


def test_dates_of_injury_and_referral_cannot_be_in_the_future(client, admin, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], onset_date="2999-01-01",
                                                               referral_date="2999-01-01"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The date of injury or onset cannot be in the future." in page and "The referral date cannot be in the future." in page
    assert _count(Case) == 0


def test_links_to_pages_of_other_modules(app, client, admin, clinic, insurances):
    """Add referring physician and Edit Patient link to pages other modules provide, once they exist."""
    with app.test_request_context("/"):
        assert case_views._url_if_exists(("nowhere.nothing",)) is None
    for endpoint, rule in (("insurances.new_physician", "/settings/referring-physicians/new"),
                           ("patients.edit_patient", "/patients/<int:patient_id>/edit")):
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, lambda **kw: "")
    patient = _patient(clinic, zip_code="85018")
    client.login(admin.email)
    page = client.post(_new_url(patient), data=_case_data(admin, insurances["medicare"])).get_data(as_text=True)
    with app.test_request_context("/"):
        physician_url = url_for("insurances.new_physician")
        edit_url = url_for("patients.edit_patient", patient_id=patient.id)
    assert f'<a href="{physician_url}">Add referring physician</a>' in page
    assert f'<a href="{edit_url}">Edit Patient</a>' in page


def test_place_of_service_is_ignored_unless_the_clinic_offers_it(client, admin, clinic, patient, insurances):
    client.login(admin.email)
    assert client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], place_of_service="12")).status_code == 303
    assert db.session.scalar(select(Case.place_of_service)) == "11"
    clinic.place_of_service_enabled = True
    db.session.commit()
    assert 'id="place_of_service"' in client.get(_new_url(patient)).get_data(as_text=True)
    assert client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], place_of_service="77")).status_code == 422
    assert client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], title="Home visits",
                                                           place_of_service="12")).status_code == 303
    assert db.session.scalar(select(Case.place_of_service).where(Case.title == "Home visits")) == "12"


def test_therapist_must_be_an_active_therapist_of_the_clinic(client, admin, clinic, make_clinic, make_user, patient, insurances):
    inactive = make_user([clinic], user_type=UserType.PT, status=UserStatus.INACTIVE, last_name="Gone")
    elsewhere = make_user([make_clinic("Other Clinic", company=clinic.company)], user_type=UserType.PT, last_name="Away")
    clerical = make_user([clinic], user_type=UserType.CLERICAL, last_name="Desk")
    assistant = make_user([clinic], user_type=UserType.PTA, last_name="Helper")
    client.login(admin.email)
    page = client.get(_new_url(patient)).get_data(as_text=True)
    assert admin.last_name in page
    for name in ("Gone", "Away", "Desk", "Helper"):
        assert name not in page
    for user in (inactive, elsewhere, clerical, assistant):
        response = client.post(_new_url(patient), data=_case_data(user, insurances["commercial"]))
        assert response.status_code == 422
        assert "therapists assigned to cases must be current, active providers" in response.get_data(as_text=True)
    ot = make_user([clinic], user_type=UserType.OT, last_name="Otto")
    response = client.post(_new_url(patient), data=_case_data(ot, insurances["commercial"]))
    assert response.status_code == 422
    assert "This therapist is a OT: choose a PT therapist" in response.get_data(as_text=True)
    assert client.post(_new_url(patient), data=_case_data(ot, insurances["commercial"], discipline="OT")).status_code == 303
    assert _count(Case) == 1


def test_hostile_and_overlong_input(client, admin, clinic, patient, insurances):
    client.login(admin.email)
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], title="x" * 1_000_000))
    assert response.status_code == 422
    assert "Use at most 100 characters." in response.get_data(as_text=True)
    hostile = '<script>alert("x")</script>'
    response = client.post(_new_url(patient), data=_case_data(admin, insurances["commercial"], title=hostile,
                                                               **_subscriber(**{"primary-subscriber_first_name": "<b>Żaneta</b>"})))
    assert response.status_code == 303, response.get_data(as_text=True)
    case = db.session.scalar(select(Case))
    assert case.title == hostile and case.policies[0].subscriber_first_name == "<b>Żaneta</b>"
    for url in (response.headers["Location"], f"/patients/{patient.id}/cases/{case.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert hostile not in page and "&lt;script&gt;" in page
        assert "<b>Żaneta</b>" not in page and "&lt;b&gt;Żaneta&lt;/b&gt;" in page


# -- the case page, Add Authorization and Edit Case ---------------------------------------------------
def test_case_page_shows_authorizations_with_visits_remaining_and_records_the_view(client, admin, patient, insurances):
    case = _make_case(patient, admin, insurances["auth"])
    case.authorizations = [Authorization(number="778899", start_date=date(2025, 1, 1), end_date=date(2025, 3, 31),
                                         visits_authorized=10, visits_used=3)]
    db.session.commit()
    client.login(admin.email)
    page = client.get(f"/patients/{patient.id}/cases/{case.id}").get_data(as_text=True)
    assert "778899" in page and "<td>10</td><td>3</td><td>7</td>" in page
    assert "<html" in client.hx_get(f"/patients/{patient.id}/cases/{case.id}").get_data(as_text=True)  # always a page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.view"))
    assert event.object_id == str(case.id)


def test_add_authorization_full_page_and_htmx(client, admin, patient, insurances):
    case = _make_case(patient, admin, insurances["commercial"])
    url = f"/patients/{patient.id}/cases/{case.id}/authorizations"
    client.login(admin.email)
    good = {"number": "4455", "start_date": "2025-02-01", "end_date": "2025-04-30", "visits_authorized": "8"}
    response = client.post(url, data=good)
    assert response.status_code == 303
    response = client.post(url, data=good | {"number": "12.34"}, htmx=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="case-authorizations"') and "<html" not in page
    assert "Use digits only" in page
    response = client.post(url, data=good | {"number": "12.34"})
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)
    assert _count(Authorization) == 1
    response = client.post(url, data=good | {"number": "0000", "visits_authorized": "20"}, htmx=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The authorization was added." in page and "4455" in page and "0000" in page
    assert _count(Authorization) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "authorization.create")).all()
    assert len(events) == 2 and all(e.object_type == "case" and e.object_id == str(case.id) for e in events)
    assert "4455" not in str([e.changes for e in events])


def test_edit_case_changes_fields_and_records_field_names(client, admin, clinic, patient, insurances):
    case = _make_case(patient, admin, insurances["commercial"])
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{case.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Changing insurance mid-treatment?" in page
    assert f'href="/patients/{patient.id}/cases/{case.id}/change-insurance"' in page
    assert 'value="Knee rehab"' in page and 'name="primary-subscriber_id"' in page
    data = _case_data(admin, insurances["commercial"], title="Knee rehab, left", status="discharged",
                      **{"primary-subscriber_id": "S2", "secondary-insurance_id": insurances["medicare"].id,
                         "secondary-subscriber_id": "M1"})
    response = client.post(url, data=data)
    assert response.status_code == 422  # Medicare secondary: 5-digit ZIP
    assert db.session.get(Case, case.id).title == "Knee rehab"
    data.update({"secondary-insurance_id": "", "secondary-subscriber_id": ""})
    response = client.post(url, data=data)
    assert response.status_code == 303
    case = db.session.get(Case, case.id)
    assert (case.title, case.status, case.policies[0].subscriber_id) == ("Knee rehab, left", CaseStatus.DISCHARGED, "S2")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.update"))
    assert set(event.changes["fields"]) >= {"title", "status", "primary.subscriber_id"}
    assert "S2" not in str(event.changes) and "Knee" not in str(event.changes)


def test_edit_case_can_remove_the_secondary_policy(client, admin, patient, insurances):
    case = _make_case(patient, admin, insurances["commercial"])
    case.policies.append(CasePolicy(rank=PolicyRank.SECONDARY, insurance_id=insurances["auth"].id, subscriber_id="B",
                                    start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
                                    insured_relationship=InsuredRelationship.SELF))
    case.authorizations = [Authorization(number="1", start_date=date(2025, 1, 1), end_date=date(2025, 2, 1), visits_authorized=3)]
    db.session.commit()
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{case.id}/edit"
    assert 'name="secondary-subscriber_id" type="text" value="B"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data=_case_data(admin, insurances["commercial"], title="Knee rehab", status="active",
                                            **{"primary-subscriber_id": "S1"})).status_code == 303
    assert [p.rank for p in db.session.get(Case, case.id).policies] == [PolicyRank.PRIMARY]


def test_edit_case_refuses_an_inactive_therapist(client, admin, clinic, make_user, patient, insurances):
    former = make_user([clinic], user_type=UserType.PT, last_name="Former")
    case = _make_case(patient, former, insurances["commercial"])
    former.status = UserStatus.INACTIVE
    db.session.commit()
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{case.id}/edit"
    assert "not an active therapist here" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_case_data(former, insurances["commercial"], status="active", **{"primary-subscriber_id": "S1"}))
    assert response.status_code == 422
    assert "current, active providers" in response.get_data(as_text=True)
    assert client.post(url, data=_case_data(admin, insurances["commercial"], status="active",
                                            **{"primary-subscriber_id": "S1"})).status_code == 303
    assert db.session.get(Case, case.id).therapist_id == admin.id


def test_policies_are_not_editable_once_the_case_has_notes(client, admin, patient, insurances):
    case = _make_case(patient, admin, insurances["commercial"])
    assert case_views.case_has_notes(case) is False
    case.has_finalized_notes = True  # what finalizing its first note sets (tests/core/test_notes.py)
    db.session.commit()
    assert case_views.case_has_notes(case) is True
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{case.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="primary-subscriber_id"' not in page and "Use Change Insurance" in page
    response = client.post(url, data=_case_data(admin, insurances["auth"], status="active", **{"primary-subscriber_id": "HACK"}))
    assert response.status_code == 303
    policy = db.session.get(Case, case.id).policies[0]
    assert (policy.insurance_id, policy.subscriber_id) == (insurances["commercial"].id, "S1")


# -- Change Insurance ------------------------------------------------------------------------------
def _change_data(insurance, **overrides):
    data = {"primary-insurance_id": insurance.id, "primary-subscriber_id": "NEW-1", "primary-start_date": "2025-03-01",
            "primary-end_date": "2025-12-31", "primary-insured_relationship": "Self",
            "secondary-insurance_id": "", "secondary-insured_relationship": "Self"}
    data.update(overrides)
    return data


def test_change_insurance_creates_a_new_case_and_discharges_the_old(client, admin, clinic, patient, insurances, physician):
    old = _make_case(patient, admin, insurances["commercial"], referring_physician_id=physician.id,
                     referral_date=date(2025, 1, 2), onset_date=date(2024, 12, 20), apply_kx_modifier=True)
    old.authorizations = [Authorization(number="9911", start_date=date(2025, 1, 1), end_date=date(2025, 6, 30),
                                        visits_authorized=10, visits_used=4)]
    db.session.commit()
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{old.id}/change-insurance"
    page = client.get(url).get_data(as_text=True)
    assert "it is important that a new case is created so that information flows into Billing correctly" in page

    # The new insurance requires an authorization: neither copied nor entered, so refused, nothing changed.
    response = client.post(url, data=_change_data(insurances["auth"]))
    assert response.status_code == 422
    assert "Acme Health requires an authorization" in response.get_data(as_text=True)
    assert _count(Case) == 1 and db.session.get(Case, old.id).status is CaseStatus.ACTIVE

    response = client.post(url, data=_change_data(insurances["auth"], copy_authorizations="y"))
    assert response.status_code == 303, response.get_data(as_text=True)
    old = db.session.get(Case, old.id)
    new = db.session.scalar(select(Case).where(Case.id != old.id))
    assert response.headers["Location"].endswith(f"/cases/{new.id}")
    assert old.status is CaseStatus.DISCHARGED and new.status is CaseStatus.ACTIVE
    assert new.continues_case_id == old.id
    for name in case_views.CONTINUED_FIELDS:
        assert getattr(new, name) == getattr(old, name), name
    assert [(p.rank, p.insurance_id, p.subscriber_id) for p in new.policies] == [(PolicyRank.PRIMARY, insurances["auth"].id, "NEW-1")]
    assert [(a.number, a.visits_used) for a in new.authorizations] == [("9911", 4)]
    assert [a.number for a in old.authorizations] == ["9911"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.change_insurance"))
    assert event.object_id == str(new.id) and event.changes["continues_case_id"] == old.id
    assert "NEW-1" not in str(event.changes)
    # The old case is discharged: no second change.
    response = client.post(url, data=_change_data(insurances["commercial"]))
    assert response.status_code == 422 and "This case is discharged" in response.get_data(as_text=True)
    assert _count(Case) == 2


def test_change_insurance_copies_authorizations_only_when_ticked(client, admin, patient, insurances):
    old = _make_case(patient, admin, insurances["commercial"])
    old.authorizations = [Authorization(number="1", start_date=date(2025, 1, 1), end_date=date(2025, 2, 1), visits_authorized=3)]
    db.session.commit()
    client.login(admin.email)
    url = f"/patients/{patient.id}/cases/{old.id}/change-insurance"
    response = client.post(url, data=_change_data(insurances["commercial"], **{"primary-end_date": ""}))
    assert response.status_code == 422 and "Enter the policy start and end dates." in response.get_data(as_text=True)
    assert _count(Case) == 1
    assert client.post(url, data=_change_data(insurances["commercial"])).status_code == 303
    new = db.session.scalar(select(Case).where(Case.id != old.id))
    assert new.authorizations == [] and _count(Authorization) == 1


# -- permissions and scoping -----------------------------------------------------------------------
ROUTES = [
    ("get", "/patients/{p}/cases/new"),
    ("post", "/patients/{p}/cases/new"),
    ("get", "/patients/{p}/cases/{c}"),
    ("get", "/patients/{p}/cases/{c}/edit"),
    ("post", "/patients/{p}/cases/{c}/edit"),
    ("post", "/patients/{p}/cases/{c}/authorizations"),
    ("get", "/patients/{p}/cases/{c}/change-insurance"),
    ("post", "/patients/{p}/cases/{c}/change-insurance"),
]


def _call(client, method, url):
    return client.get(url) if method == "get" else client.post(url, data={})


@pytest.fixture
def scoped(clinic, make_clinic, make_user, admin, insurances):
    """A case of ``patient`` in ``clinic``; another patient of the clinic; a patient and case of another
    clinic of the same company."""
    patient = _patient(clinic)
    other_patient = _patient(clinic, first_name="Other")
    case = _make_case(patient, admin, insurances["commercial"])
    other_clinic = make_clinic("Tempe Clinic", company=clinic.company)
    therapist_there = make_user([other_clinic], user_type=UserType.PT)
    foreign_patient = _patient(other_clinic, first_name="Foreign")
    foreign_case = _make_case(foreign_patient, therapist_there, insurances["commercial"])
    return {"patient": patient, "other_patient": other_patient, "case": case,
            "foreign_patient": foreign_patient, "foreign_case": foreign_case}


@pytest.mark.parametrize("method, route", ROUTES)
def test_routes_need_sign_in(client, scoped, method, route):
    response = _call(client, method, route.format(p=scoped["patient"].id, c=scoped["case"].id))
    assert response.status_code in (302, 303, 401) or (method == "post" and response.status_code == 400)
    assert _count(Case) == 2


@pytest.mark.parametrize("method, route", ROUTES)
def test_routes_answer_403_without_the_permission(client, clinic, make_user, scoped, method, route):
    viewer = make_user([clinic], user_type=UserType.CLERICAL, permissions=[Permission.VIEW_PATIENTS])
    nobody = make_user([clinic], user_type=UserType.CLERICAL, permissions=[Permission.VIEW_USERS])
    url = route.format(p=scoped["patient"].id, c=scoped["case"].id)
    client.login(nobody.email)
    assert _call(client, method, url).status_code == 403
    client.login(viewer.email)
    expected = 200 if route == "/patients/{p}/cases/{c}" else 403
    assert _call(client, method, url).status_code == expected
    assert _count(Case) == 2 and _count(Authorization) == 0


@pytest.mark.parametrize("method, route", ROUTES)
def test_routes_answer_404_for_other_clinics_and_other_patients(client, admin, scoped, method, route):
    client.login(admin.email)
    patient, case = scoped["patient"], scoped["case"]
    foreign_patient, foreign_case = scoped["foreign_patient"], scoped["foreign_case"]
    for p, c in ((foreign_patient.id, foreign_case.id),  # another clinic's patient and case
                 (patient.id, foreign_case.id),  # another clinic's case under our patient
                 (scoped["other_patient"].id, case.id),  # our case under another of our patients
                 (999999, case.id), (patient.id, 999999)):
        if "{c}" not in route and p != foreign_patient.id and p != 999999:
            continue
        assert _call(client, method, route.format(p=p, c=c)).status_code == 404, (p, c)
    assert _count(Case) == 2 and _count(Authorization) == 0
    assert db.session.get(Case, foreign_case.id).status is CaseStatus.ACTIVE


# -- the patient chart's Cases section ---------------------------------------------------------------
def _render_chart_section(app, user, clinic, patient):
    with app.test_request_context("/"):
        login_user(user)
        session["clinic_id"] = clinic.id
        return render_template_string('{% include "cases/_chart_section.html" %}', patient=db.session.get(type(patient), patient.id))


def test_chart_section_lists_cases_and_escapes(app, admin, clinic, make_user, patient, insurances):
    case = _make_case(patient, admin, insurances["commercial"], title="<img src=x onerror=alert(1)>")
    case.policies.append(CasePolicy(rank=PolicyRank.SECONDARY, insurance_id=insurances["medicare"].id, subscriber_id="M",
                                    start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
                                    insured_relationship=InsuredRelationship.SELF))
    case.authorizations = [Authorization(number="5566", start_date=date(2025, 1, 1), end_date=date(2025, 3, 1),
                                         visits_authorized=6, visits_used=2)]
    db.session.commit()
    html = _render_chart_section(app, admin, clinic, patient)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "Blue Plan" in html and "Medicare Part B" in html and admin.name in html
    assert "5566 (01/01/2025 to 03/01/2025): 2 used, 4 remaining" in html
    assert f'href="/patients/{patient.id}/cases/{case.id}"' in html
    assert "Add Case" in html
    viewer = make_user([clinic], user_type=UserType.CLERICAL, permissions=[Permission.VIEW_PATIENTS])
    assert "Add Case" not in _render_chart_section(app, viewer, clinic, patient)


def test_chart_section_runs_a_constant_number_of_queries(app, admin, clinic, make_user, insurances, count_queries):
    one, ten = _patient(clinic), _patient(clinic, first_name="Ten")
    therapists = [admin] + [make_user([clinic], user_type=UserType.PT) for _ in range(3)]
    _make_case(one, admin, insurances["commercial"])
    for i in range(10):
        case = _make_case(ten, therapists[i % 4], insurances["commercial" if i % 2 else "medicare"], title=f"Case {i}")
        case.authorizations = [Authorization(number=str(i), start_date=date(2025, 1, 1), end_date=date(2025, 3, 1),
                                             visits_authorized=6)]
    db.session.commit()
    counts = []
    for patient in (one, ten):
        db.session.expire_all()
        with count_queries() as counter:
            html = _render_chart_section(app, admin, clinic, patient)
        counts.append(counter.count)
        assert html.count("<tr>") == (2 if patient is one else 11)
    assert counts[0] == counts[1], counts
