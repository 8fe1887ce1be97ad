"""End-to-end tests: a real chromium (Debian's) drives the app served by a live server.

Every test here gets a throwaway "widgets" plugin (off in every clinic until switched on), so the
Features page, the navigation and the User Manager can be checked against a plugin whose output is
known exactly.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.accounts import UserStatus
from core.demo import DEMO_PASSWORD, seed_demo
from core.plugin_api import Cell, Column, NavItem, hookimpl
from tests.e2e.conftest import login
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e


class WidgetsPlugin:
    """Counts widgets (a plugin that exists only for these tests)."""

    @hookimpl
    def caseload_nav_items(self, clinic, user):
        return [NavItem("Test Widgets", "home.index", order=50)]

    @hookimpl
    def caseload_user_manager_columns(self, clinic, viewer, users):
        return Column(key="widgets", header="Widgets", cells={u.id: Cell(text=f"W{u.id}") for u in users})


@pytest.fixture
def extra_plugins():
    """Overrides tests/conftest.py's fixture: the app of every test here has the widgets plugin."""
    return [("widgets", WidgetsPlugin())]


# -- helpers -----------------------------------------------------------------------------------
def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def switch_clinic(page: Page, clinic_name: str) -> None:
    page.get_by_role("combobox", name="Clinic", exact=True).select_option(label=clinic_name)
    page.get_by_role("button", name="Switch", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic_name)


def widgets_card(page: Page):
    return page.locator("#plugin-widgets")


@pytest.fixture
def two_clinics_admin(make_clinic, make_user):
    """An admin with access to two clinics (Alpha is the default)."""
    alpha, beta = make_clinic("Alpha Clinic"), make_clinic("Beta Clinic")
    user = make_user([alpha, beta], email="boss@example.test", is_admin=True, first_name="Bea")
    return alpha, beta, user


# -- sign-in and the clinic switcher -----------------------------------------------------------
def test_demo_pt_signs_in_and_lands_in_default_clinic(live_server, page: Page):
    seed_demo()
    login(page, live_server, "pt@demo.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saguaro PT - Camelback")
    # One clinic only: no switcher, and no admin links for a PT without admin permissions.
    expect(page.get_by_role("combobox", name="Clinic", exact=True)).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name="Clinic Settings")).to_have_count(0)


def test_demo_admin_switches_clinic(live_server, page: Page):
    seed_demo()
    login(page, live_server, "admin@demo.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Saguaro PT - Camelback")
    switcher = page.get_by_role("combobox", name="Clinic", exact=True)
    expect(switcher).to_be_visible()
    switch_clinic(page, "Saguaro PT - Old Town Scottsdale")
    expect(page).to_have_url(f"{live_server}/")
    # The choice sticks for the session.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saguaro PT - Old Town Scottsdale")
    expect(switcher.locator("option:checked")).to_have_text("Saguaro PT - Old Town Scottsdale")


def test_inactive_user_is_refused(live_server, page: Page, make_user, clinic):
    make_user([clinic], email="gone@example.test", status=UserStatus.INACTIVE)
    login(page, live_server, "gone@example.test", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("This account is inactive")
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


# -- per-clinic plugin toggle --------------------------------------------------------------------
def test_plugin_toggle_is_per_clinic(live_server, page: Page, two_clinics_admin):
    alpha, beta, user = two_clinics_admin
    nav_link = main_nav(page).get_by_role("link", name="Test Widgets")
    header = page.get_by_role("columnheader", name="Widgets", exact=True)

    login(page, live_server, "boss@example.test", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Clinic")
    expect(nav_link).to_have_count(0)

    main_nav(page).get_by_role("link", name="Clinic Settings").click()
    expect(page).to_have_url(f"{live_server}/settings/features")
    card = widgets_card(page)
    expect(card).to_contain_text("Widgets")
    expect(card).to_contain_text("Counts widgets")
    expect(card.locator(".badge")).to_have_text("Off")
    toggle_url = f"{live_server}/settings/features/widgets"
    with page.expect_response(lambda r: r.url == toggle_url and r.request.method == "POST") as answer:
        card.get_by_role("button", name="Turn on Widgets").click()
    # htmx posts and swaps the card in place (no redirect, no page load): the card says On.
    assert answer.value.status == 200
    assert answer.value.request.header_value("hx-request") == "true"
    expect(card.locator(".badge")).to_have_text("On")
    expect(card.get_by_role("button", name="Turn off Widgets")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/settings/features")

    page.reload()
    expect(nav_link).to_be_visible()
    main_nav(page).get_by_role("link", name="User Manager").click()
    expect(page).to_have_url(f"{live_server}/users/")
    expect(header).to_be_visible()
    expect(page.locator(f"#user-{user.id} td[data-column=widgets]")).to_have_text(f"W{user.id}")

    # Beta has it off.
    switch_clinic(page, "Beta Clinic")
    expect(nav_link).to_have_count(0)
    page.goto(f"{live_server}/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("User Manager")
    expect(page.get_by_text("Users with access to Beta Clinic")).to_be_visible()
    expect(header).to_have_count(0)
    page.goto(f"{live_server}/settings/features")
    expect(widgets_card(page).locator(".badge")).to_have_text("Off")

    # Back in Alpha it is still on; switch it off there.
    switch_clinic(page, "Alpha Clinic")
    expect(nav_link).to_be_visible()
    main_nav(page).get_by_role("link", name="Clinic Settings").click()
    expect(page).to_have_url(f"{live_server}/settings/features")
    card = widgets_card(page)
    expect(card.locator(".badge")).to_have_text("On")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    card.get_by_role("button", name="Turn off Widgets").click()
    expect(card.locator(".badge")).to_have_text("Off")
    assert questions and questions[0].startswith("Turn off Widgets for this clinic?")
    expect(card.get_by_role("button", name="Turn on Widgets")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic Settings")
    expect(nav_link).to_have_count(0)
    page.goto(f"{live_server}/users/")
    expect(page.get_by_text("Users with access to Alpha Clinic")).to_be_visible()
    expect(header).to_have_count(0)
    expect(page.locator("td[data-column=widgets]")).to_have_count(0)


def test_features_toggle_works_without_javascript(live_server, new_context, two_clinics_admin):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, "boss@example.test", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Clinic")

    page.goto(f"{live_server}/settings/features")
    card = widgets_card(page)
    expect(card.locator(".badge")).to_have_text("Off")
    toggle_url = f"{live_server}/settings/features/widgets"
    with page.expect_response(lambda r: r.url == toggle_url and r.request.method == "POST") as answer:
        card.get_by_role("button", name="Turn on Widgets").click()
    response = answer.value
    assert response.status == 303
    assert response.headers["location"].endswith("/settings/features")
    expect(page).to_have_url(f"{live_server}/settings/features")
    expect(page.get_by_role("status")).to_have_text("Widgets is on for Alpha Clinic.")
    expect(widgets_card(page).locator(".badge")).to_have_text("On")
    expect(main_nav(page).get_by_role("link", name="Test Widgets")).to_be_visible()


# -- User Manager search -------------------------------------------------------------------------
def test_user_manager_search_narrows_the_table(live_server, page: Page, clinic, admin, make_user):
    for n in range(27):
        make_user([clinic], last_name=f"Filler{n:02d}")
    for last_name in ("Quintero", "Quintero-Lopez", "Quinterob"):
        make_user([clinic], last_name=last_name)
    make_user([clinic], last_name="Quinn")  # shares only the prefix "quin"

    login(page, live_server, "admin@example.test", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Camelback Clinic")
    page.goto(f"{live_server}/users/")
    rows = page.locator("#user-table tbody tr")
    expect(rows).to_have_count(25)  # one page of 32 users
    expect(page.get_by_text("Page 1 of 2 · 32 in all")).to_be_visible()

    page.get_by_label("Search by name or email").fill("quintero")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row.locator("td").first).to_contain_text("Quintero")
    expect(page.get_by_text("Page 1 of 1 · 3 in all")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/users/\?(.*&)?q=quintero(&|$)"))

    page.get_by_label("Search by name or email").fill("nobody-has-this-name")
    expect(rows).to_have_count(1)
    expect(rows).to_have_text("No users match.")

    # The pushed URL renders the same results as a full page.
    page.goto(f"{live_server}/users/?q=quin")
    expect(rows).to_have_count(4)  # the three Quintero* and Quinn
    expect(page.get_by_label("Search by name or email")).to_have_value("quin")


# -- CSRF ----------------------------------------------------------------------------------------
def test_post_without_csrf_token_is_refused(live_server, page: Page, clinic, admin):
    login(page, live_server, "admin@example.test", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Camelback Clinic")
    post = """async (token) => {
        const headers = {"Content-Type": "application/x-www-form-urlencoded"};
        if (token) headers["X-CSRFToken"] = token;
        const response = await fetch("/settings/features/widgets", {method: "POST", headers, body: "enabled=on"});
        return {status: response.status, redirected: response.redirected, text: await response.text()};
    }"""
    refused = page.evaluate(post, None)
    assert refused["status"] == 400
    assert "security token is missing or out of date" in refused["text"]
    page.goto(f"{live_server}/settings/features")
    expect(widgets_card(page).locator(".badge")).to_have_text("Off")
    expect(main_nav(page).get_by_role("link", name="Test Widgets")).to_have_count(0)

    # Control: the same request with the page's token (what htmx sends) is accepted.
    token = page.evaluate("() => JSON.parse(document.querySelector('main').getAttribute('hx-headers'))['X-CSRFToken']")
    accepted = page.evaluate(post, token)
    assert accepted["status"] == 200 and accepted["redirected"], accepted["status"]
    page.reload()
    expect(widgets_card(page).locator(".badge")).to_have_text("On")
