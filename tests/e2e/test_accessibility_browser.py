"""Accessibility in a real chromium: every main page and one error state of each form pass axe-core's
WCAG 2.1 A and AA rules with no violation, and none scrolls sideways at 390 px; and the defects found
by trying the product as a keyboard user, an attacker and a new user stay fixed (issue 8)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from core.accounts import LicenseCategory, UserType, set_seats
from core.billing import CustomCode, FeeScheduleEntry, Payment, PaymentKind, PaymentMethod
from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.notes import Note, NoteKind
from core.patients import AccountNote, AddressType, PatientAddress, PatientPhone, PhoneType, Sex, create_patient
from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation
from core.plugin_host import set_plugin_enabled
from core.web import Permission
from tests.e2e.conftest import login
from tests.notes_world import CHARGES, charge, finalized
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
AXE = Axe()


@dataclass
class Clinic:
    ids: dict


@pytest.fixture
def world(clinic, admin, make_user, make_clinic):
    """A clinic with a bit of everything: plugins on, a patient with a case, an insurance, a physician."""
    clinic.address_line1, clinic.postal_code, clinic.phone, clinic.time_zone = "4250 E Camelback Rd", "850181234", "6025550100", "America/Phoenix"
    clinic.fee_schedule_region = "Arizona"
    for category in LicenseCategory:
        set_seats(clinic.id, category, None)
    for name in ("mips", "virtual_visits", "quick_add", "outcomes"):
        set_plugin_enabled(clinic, name, True)
    # A second clinic, so that the header carries the clinic switcher (the widest thing in it).
    second = make_clinic("Saguaro PT - Old Town Scottsdale", company=clinic.company)
    from core.tenancy import ClinicAccess

    admin.clinic_access.append(ClinicAccess(clinic=second, is_default=False))
    pta = make_user([clinic], email="pta@example.test", user_type=UserType.PTA, first_name="Pat", last_name="Assistant",
                    permissions=[Permission.VIEW_PATIENTS])
    insurance = Insurance(company_id=clinic.company_id, name="Acme Health", insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS)
    physician = ReferringPhysician(company_id=clinic.company_id, first_name="Grace", last_name="Hopper", npi="1234567893",
                                   phone="6025550100", fax="6025550199")
    db.session.add_all([insurance, physician])
    patient = create_patient(clinic, first_name="Maria", last_name="Rivera", date_of_birth=date(1961, 4, 12))
    patient.sex = Sex.FEMALE
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St", city="Phoenix",
                                        state="AZ", postal_code="850181234")]
    patient.phones = [PatientPhone(phone_type=PhoneType.MOBILE, is_primary=True, number="6025550142")]
    db.session.flush()
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Knee rehab", discipline=Discipline.PT, therapist_id=admin.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="S1",
                                start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
                                insured_relationship=InsuredRelationship.SELF)]
    case.authorizations = [Authorization(number="1234", start_date=date(2026, 1, 1), end_date=date(2026, 6, 30),
                                         visits_authorized=10)]
    db.session.add_all([case, AccountNote(patient_id=patient.id, clinic_id=clinic.id, body="Copay due", is_sticky=True,
                                          author_id=admin.id)])
    db.session.commit()
    evaluation = finalized(case, NoteKind.INITIAL_EVALUATION, date(2026, 11, 2), admin)
    draft = Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.DAILY_NOTE,
                 date_of_service=date(2026, 11, 20), author_id=admin.id, subjective="Better")
    db.session.add(draft)
    db.session.commit()
    charge(evaluation, clinic, {**CHARGES, "c_code-1": "97112", "c_minutes-1": "20", "c_dx-1": "1"})  # the read view's table
    charge(draft, clinic)  # the editor's rows, computed lines and claim checks
    payment = Payment(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, note_id=evaluation.id,
                      kind=PaymentKind.COPAY, method=PaymentMethod.CHECK, amount=Decimal("25.00"), paid_on=date(2026, 11, 2),
                      reference="CHK 1001", created_by_id=admin.id)
    fee = FeeScheduleEntry(company_id=clinic.company_id, code="97110", amount=Decimal("42.00"), effective_from=date(2026, 1, 1))
    custom_code = CustomCode(company_id=clinic.company_id, code="BRACE", description="Hinged knee brace", amount=Decimal("45.00"),
                             comparative_code="97760")
    db.session.add_all([payment, fee, custom_code])
    db.session.commit()
    return Clinic({"patient": patient.id, "case": case.id, "user": pta.id, "insurance": insurance.id,
                   "physician": physician.id, "admin": admin.id, "evaluation": evaluation.id, "draft": draft.id,
                   "payment": payment.id, "fee": fee.id, "custom_code": custom_code.id})


def _pages(ids: dict) -> list[str]:
    p, c = ids["patient"], ids["case"]
    return [
        "/", "/patients/", f"/patients/{p}", f"/patients/{p}/edit", "/patients/new", f"/patients/{p}/cases/new",
        f"/patients/{p}/cases/{c}", f"/patients/{p}/cases/{c}/edit", f"/patients/{p}/cases/{c}/change-insurance",
        "/users/", "/users/new", f"/users/{ids['user']}", f"/users/{ids['user']}/edit", f"/users/{ids['user']}/change-type",
        f"/users/{ids['admin']}/signature", "/licenses/request", "/licenses/requests",
        "/settings/clinic", "/settings/company", "/settings/features", "/settings/insurances/",
        f"/settings/insurances/{ids['insurance']}/edit", "/settings/insurances/new", "/settings/referring-physicians/",
        f"/settings/referring-physicians/{ids['physician']}", "/settings/referring-physicians/new", "/admin/audit/",
        "/quick-add/patients/new", "/quick-add/incomplete",
        f"/notes/new/{c}", f"/notes/{ids['evaluation']}", f"/notes/{ids['draft']}", f"/notes/{ids['evaluation']}/print",
        "/notes/", "/notes/cosign",
        f"/billing/patients/{p}/ledger", f"/billing/patients/{p}/payments/new",
        f"/billing/patients/{p}/payments/{ids['payment']}/correct", f"/billing/patients/{p}/payments/{ids['payment']}/reverse",
        f"/billing/patients/{p}/payments/{ids['payment']}/refund",
        "/billing/fee-schedule", "/billing/fee-schedule/new", f"/billing/fee-schedule/{ids['fee']}/edit",
        "/billing/custom-codes", "/billing/custom-codes/new", f"/billing/custom-codes/{ids['custom_code']}/edit",
    ]


# One error state of each form: (page, how to make it fail, the button that submits it).
def _error_states(ids: dict) -> list[tuple[str, dict, str]]:
    p, c = ids["patient"], ids["case"]
    return [
        (f"/patients/{p}", {}, "Add account note"),  # htmx: the section comes back with the error
        (f"/patients/{p}/cases/{c}", {}, "Add Authorization"),  # htmx
        (f"/patients/{p}/cases/{c}/change-insurance", {}, "Change Insurance"),
        ("/patients/new", {"First name": ""}, "Add Patient"),
        (f"/patients/{p}/edit", {"Last name": ""}, "Save Patient"),
        (f"/patients/{p}/cases/new", {}, "Add Case"),
        ("/users/new", {"Email": "not-an-email"}, "Add User"),
        (f"/users/{ids['user']}/edit", {"First name": ""}, "Save User"),
        (f"/users/{ids['user']}/change-type", {}, "Change User Type"),
        ("/licenses/request", {}, "Request License Adjustment"),
        ("/settings/clinic", {"City": ""}, "Save Clinic Settings"),
        ("/settings/insurances/new", {}, "Add Insurance"),
        ("/settings/referring-physicians/new", {}, "Add Referring Physician"),
        ("/quick-add/patients/new", {}, "Save Patient"),
        (f"/notes/{ids['draft']}", {"Objective": ""}, "Finalize"),
        (f"/billing/patients/{p}/payments/new", {"Amount": "12.345"}, "Record Payment"),
        ("/billing/fee-schedule/new", {"Amount": "12.345"}, "Add Entry"),
        ("/billing/custom-codes/new", {"Code": "97110"}, "Add Custom Code"),
    ]


def _violations(page: Page) -> str:
    results = AXE.run(page, options=WCAG_21_AA)
    return "" if results.violations_count == 0 else results.generate_report()


def _scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def test_every_main_page_passes_axe_and_reflows_at_390px(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in _pages(world.ids):
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, path
            if width == 1280:
                report = _violations(page)
                if report:
                    problems.append(f"{path}: {report}")
            elif _scrolls_sideways(page):
                problems.append(f"{path} scrolls sideways at 390 px")
    assert not problems, "\n".join(problems)


def test_the_sign_in_page_and_its_error_pass_axe(live_server, page: Page, world):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server}/login")
        assert _violations(page) == "" and not _scrolls_sideways(page)
        login(page, live_server, "nobody@example.test", "wrong")
        expect(page.locator("#login-error")).to_be_focused()
        assert _violations(page) == "" and not _scrolls_sideways(page)


def test_one_error_state_of_each_form_passes_axe_and_takes_the_focus(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    problems = []
    for path, values, button in _error_states(world.ids):
        page.goto(f"{live_server}{path}")
        for label, value in values.items():
            page.get_by_label(label, exact=True).first.fill(value)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name=button, exact=True).last.click()
        if answer.value.status != 422:
            problems.append(f"{path}: the bad submission answered {answer.value.status}, not 422")
            continue
        # A keyboard user lands on the list of what to fix, or (a section without one) on the field to fix.
        expect(page.locator("#error-summary:focus, [aria-invalid='true']:focus")).to_have_count(1)
        report = _violations(page)
        if report:
            problems.append(f"{path} (error state): {report}")
        page.set_viewport_size({"width": 390, "height": 900})
        if _scrolls_sideways(page):
            problems.append(f"{path} (error state) scrolls sideways at 390 px")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not problems, "\n".join(problems)


def test_add_another_address_puts_the_focus_in_the_new_entry(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/patients/new")
    page.get_by_role("button", name="Add another address").click()
    expect(page.locator("#addresses-1-address_type")).to_be_focused()
    page.get_by_role("button", name="Add another phone").click()
    expect(page.locator("#phones-1-phone_type")).to_be_focused()


# -- the defects' browser checks ---------------------------------------------------------------------
def test_a_user_manager_without_admin_is_refused_editing_an_admin(live_server, page: Page, world, admin, make_user, clinic):
    make_user([clinic], email="um@example.test", user_type=UserType.CLERICAL, first_name="Uma", last_name="Manager",
              permissions=[Permission.VIEW_USERS, Permission.EDIT_USERS])
    login(page, live_server, "um@example.test", PASSWORD)
    response = page.goto(f"{live_server}/users/{admin.id}/edit")
    assert response.status == 403
    expect(page.get_by_text("they hold permissions you do not hold")).to_be_visible()
    page.goto(f"{live_server}/users/")
    row = page.locator(f"#user-{admin.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Inactivate {admin.name}").click()
    expect(page.locator("#flash")).to_contain_text("they hold permissions you do not hold")
    db.session.refresh(admin)
    assert admin.status.value == "active"


def test_a_session_cookie_copied_before_sign_out_is_refused(live_server, browser, world, admin):
    first = browser.new_context()
    page = first.new_page()
    login(page, live_server, admin.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    stolen = first.cookies()
    page.get_by_role("button", name=f"Sign out {admin.first_name}").click()
    expect(page.get_by_role("heading", name="Sign in to Caseload")).to_be_visible()
    second = browser.new_context()
    second.add_cookies(stolen)
    thief = second.new_page()
    thief.goto(f"{live_server}/patients/")
    expect(thief).to_have_url(f"{live_server}/login?next=/patients/")
    first.close()
    second.close()


def test_a_duplicate_patient_is_warned(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/patients/new")
    page.get_by_label("First name", exact=True).fill("Maria")
    page.get_by_label("Last name", exact=True).fill("Rivera")
    page.get_by_label("Date of birth", exact=True).fill("1961-04-12")
    page.get_by_label("Female", exact=True).check()
    page.locator("#addresses-0-line1").fill("9 Elm St")
    page.locator("#addresses-0-city").fill("Phoenix")
    page.locator("#addresses-0-state").select_option("AZ")
    page.locator("#addresses-0-postal_code").fill("85018")
    page.locator("#phones-0-number").fill("(602) 555-0177")
    page.get_by_role("button", name="Add Patient", exact=True).last.click()
    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("This patient may already be in Caseload")
    expect(warning).to_be_focused()
    expect(warning.get_by_role("link", name="Rivera, Maria")).to_have_attribute("href", f"/patients/{world.ids['patient']}")
    assert _violations(page) == ""
    warning.get_by_label("This is a different person: add a new patient anyway").check()
    page.get_by_role("button", name="Add Patient", exact=True).last.click()
    expect(page.get_by_text("The patient was added")).to_be_visible()


def test_the_user_manager_at_390px_keeps_focus_on_the_row_after_inactivate(live_server, page: Page, world, admin):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/users/")
    assert not _scrolls_sideways(page)
    expect(page.get_by_role("button", name=f"Sign out {admin.first_name}")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Switch")).to_be_in_viewport()
    # Cells stay readable: the table scrolls in its box instead of breaking names letter by letter.
    name_link = page.locator(f"#user-{world.ids['user']} a").first
    assert name_link.bounding_box()["height"] < 60
    row = page.locator(f"#user-{world.ids['user']}")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Inactivate Pat Assistant").click()
    activate = page.locator(f"#user-{world.ids['user']}").get_by_role("button", name="Activate Pat Assistant")
    expect(activate).to_be_focused()
    assert questions and questions[0].startswith("Inactivate Pat Assistant?")
    expect(page.locator("#flash")).to_contain_text("Pat Assistant is inactive.")
    assert not _scrolls_sideways(page)
    # The Admin checkbox keeps the focus too.
    admin_box = page.locator(f"#admin-{world.ids['user']}")
    admin_box.check()
    expect(page.locator(f"#admin-{world.ids['user']}")).to_be_focused()


def _contrast(rgb_a: tuple[int, int, int], rgb_b: tuple[int, int, int]) -> float:
    def luminance(rgb):
        channels = []
        for value in rgb:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_focus_rings_are_visible_with_3_to_1_contrast(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/patients/new")
    for selector in ("a.brand", "#sex-0", "#guarantor_is_patient", "button.secondary.outline"):
        element = page.locator(selector).first
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        style = element.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")
        assert style[0] == "solid" and float(style[1].rstrip("px")) >= 2, (selector, style)
        rgb = tuple(int(v) for v in style[2][style[2].index("(") + 1:style[2].index(")")].split(",")[:3])
        assert _contrast(rgb, (255, 255, 255)) >= 3, (selector, style)


def test_adding_an_account_note_keeps_the_focus_in_the_notes(live_server, page: Page, world, admin):
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server}/patients/{world.ids['patient']}")
    page.get_by_label("Account note", exact=True).fill("Called about the copay")
    page.get_by_role("button", name="Add account note").click()
    expect(page.locator("#flash")).to_contain_text("")
    expect(page.get_by_label("Account note", exact=True)).to_be_focused()
