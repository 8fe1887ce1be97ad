"""Outcomes: the insurance setting "Require completion of a Outcomes OMT for all patients" shows on
the insurance form and is saved only where Outcomes is on."""
import pytest
from sqlalchemy import select

from core.accounts import UserType
from core.extensions import db
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.plugin_host import insurance_setting
from core.web import Permission

LABEL = "Require completion of a Outcomes OMT for all patients"
FIELD = "plugin__outcomes__require_omt"


@pytest.fixture
def insurance_admin(make_user, clinic):
    return make_user([clinic], email="ins@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.INSURANCE_ADMIN])


def insurance_data(**overrides):
    data = {"name": "Aetna PPO", "insurance_type": "Commercial", "unit_calculation": "Rule of 8s", "active": "y"}
    data.update(overrides)
    return data


def make_insurance(company, **kw):
    insurance = Insurance(company_id=company.id, name="Blue Shield", insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS, enabled_modifiers=[], **kw)
    db.session.add(insurance)
    db.session.commit()
    return insurance


def test_with_outcomes_on_the_form_shows_and_saves_the_setting(client, insurance_admin, clinic, enable_plugin):
    enable_plugin(clinic, "outcomes")
    client.login(insurance_admin.email)
    body = client.get("/settings/insurances/new").get_data(as_text=True)
    assert LABEL in body and f'name="{FIELD}"' in body
    assert "every evaluative note" in body.lower() and "MIPS HM measures" in body
    response = client.post("/settings/insurances/new", data=insurance_data(**{FIELD: "y"}))
    assert response.status_code == 303
    insurance = db.session.scalar(select(Insurance))
    assert insurance.plugin_settings == {"outcomes": {"require_omt": True}}
    assert insurance_setting(insurance, "outcomes", "require_omt") is True
    edit = client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    assert f'checked id="{FIELD}"' in edit
    # Unchecking saves False.
    assert client.post(f"/settings/insurances/{insurance.id}/edit", data=insurance_data()).status_code == 303
    db.session.refresh(insurance)
    assert insurance_setting(insurance, "outcomes", "require_omt") is False


def test_with_outcomes_off_the_setting_is_absent_and_a_submitted_value_is_ignored(client, insurance_admin, clinic):
    client.login(insurance_admin.email)
    body = client.get("/settings/insurances/new").get_data(as_text=True)
    assert LABEL not in body and FIELD not in body
    response = client.post("/settings/insurances/new", data=insurance_data(**{FIELD: "y"}))
    assert response.status_code == 303
    insurance = db.session.scalar(select(Insurance))
    assert insurance.plugin_settings == {}
    assert insurance_setting(insurance, "outcomes", "require_omt", default=False) is False


def test_outcomes_on_in_one_clinic_only(client, make_user, make_clinic, clinic, enable_plugin):
    """Insurances are shared by the company: a clinic with Outcomes off neither shows nor clears the setting."""
    sibling = make_clinic("Sibling Clinic", company=clinic.company)
    enable_plugin(clinic, "outcomes")
    insurance = make_insurance(clinic.company, plugin_settings={"outcomes": {"require_omt": True}})
    user = make_user([clinic, sibling], email="both@example.test", permissions=[Permission.INSURANCE_ADMIN])
    client.login(user.email)
    assert LABEL in client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    client.post("/clinic/switch", data={"clinic_id": sibling.id})
    assert LABEL not in client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    assert client.post(f"/settings/insurances/{insurance.id}/edit",
                       data=insurance_data(name="Blue Shield")).status_code == 303
    db.session.refresh(insurance)
    assert insurance_setting(insurance, "outcomes", "require_omt") is True


def test_the_setting_names_caseloads_own_product(admin, clinic, enable_plugin, client):
    """The insurance setting says "Outcomes", never another product's name."""
    enable_plugin(clinic, "outcomes")
    insurance = Insurance(company_id=clinic.company_id, name="Blue Plan", insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS)
    db.session.add(insurance)
    db.session.commit()
    client.login(admin.email)
    page = client.get(f"/settings/insurances/{insurance.id}/edit").get_data(as_text=True)
    assert "Outcomes OMT" in page and "WebPT" not in page
