"""End-to-end tests: a clinic admin walks the User Manager in a real chromium (Debian's).

Adding a PT and drawing their signature, running out of therapist licenses and getting more, the
refusal to change a user's type (and Change User Type instead), the 403 for a user without View
Users, and the MIPS column the MIPS plugin adds.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.accounts import LicenseCategory, User, UserStatus, UserType, set_seats, signature_for
from core.extensions import db
from core.web import Permission
from tests.e2e.conftest import login
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e


# -- helpers -----------------------------------------------------------------------------------
def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def sign_in_admin(page: Page, base_url: str) -> None:
    login(page, base_url, "admin@example.test", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Camelback Clinic")


def open_user_manager(page: Page, base_url: str) -> None:
    main_nav(page).get_by_role("link", name="User Manager").click()
    expect(page).to_have_url(f"{base_url}/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("User Manager")


def user_row(page: Page, user: User):
    return page.locator(f"#user-{user.id}")


def therapist_licenses(page: Page):
    """The cells of the Therapists row of the User Licenses table."""
    return page.locator("#licenses tr[data-category=Therapists] td")


def give_therapist_seats(clinic, seats: int) -> None:
    set_seats(clinic.id, LicenseCategory.THERAPIST, seats)
    db.session.commit()


def fresh(model, id_):
    """``model`` ``id_`` as the database has it now (the live server wrote it in another session)."""
    db.session.expire_all()
    return db.session.get(model, id_)


# -- Add User, then draw the new PT's signature ---------------------------------------------------
def test_admin_adds_a_pt_and_draws_their_signature(live_server, page: Page, clinic, admin):
    give_therapist_seats(clinic, 3)
    sign_in_admin(page, live_server)
    open_user_manager(page, live_server)
    page.get_by_role("button", name="Add User").click()
    expect(page).to_have_url(f"{live_server}/users/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add User")

    # Choosing the type refreshes the permissions and provider-id fieldsets (htmx, out of band), so
    # let each answer land before filling in the NPI it would otherwise replace.
    npi = page.get_by_label("NPI", exact=True)
    finish_notes = page.get_by_label("Finish SOAP Notes")
    expect(npi).to_be_visible()
    with page.expect_response(lambda r: "/users/new?" in r.url and "user_type=Clerical" in r.url):
        page.get_by_label("User type").select_option("Clerical")
    expect(npi).to_be_hidden()
    expect(finish_notes).not_to_be_checked()
    with page.expect_response(lambda r: "/users/new?" in r.url and "user_type=PT" in r.url):
        page.get_by_label("User type").select_option("PT")
    expect(npi).to_be_visible()
    expect(finish_notes).to_be_checked()
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Last name").fill("Newman")
    page.get_by_label("Email", exact=True).fill("pat.newman@example.test")
    page.get_by_label("Initial password").fill("a-long-initial-password")
    expect(page.get_by_label("Active", exact=True)).to_be_checked()
    npi.fill("1234567893")
    page.get_by_role("button", name="Add User").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/users/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat Newman")
    expect(page.get_by_role("status")).to_have_text("Pat Newman was added.")
    expect(page.get_by_text("PT · Active", exact=True)).to_be_visible()
    user_id = int(page.url.rsplit("/", 1)[1])
    created = fresh(User, user_id)
    assert (created.email, created.user_type, created.status, created.npi) == (
        "pat.newman@example.test", UserType.PT, UserStatus.ACTIVE, "1234567893")

    page.get_by_role("button", name="Provider Signature").click()
    expect(page).to_have_url(f"{live_server}/users/{user_id}/signature")
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider Signature")
    expect(page.get_by_text("Pat has no signature yet.")).to_be_visible()

    page.get_by_text("Draw a signature", exact=True).click()
    canvas = page.get_by_role("img", name="Signature drawing area")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, box
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    for y in (0.35, 0.6):  # two strokes: a wavy line each
        page.mouse.move(left + width * 0.1, top + height * y)
        page.mouse.down()
        for i in range(1, 9):
            page.mouse.move(left + width * (0.1 + 0.1 * i), top + height * (y + (0.15 if i % 2 else -0.1)), steps=3)
        page.mouse.up()
    with page.expect_response(lambda r: r.url.endswith(f"/users/{user_id}/signature/draw")) as answer:
        page.get_by_role("button", name="Save drawn signature").click()
    assert answer.value.status == 303

    expect(page).to_have_url(f"{live_server}/users/{user_id}/signature")
    expect(page.get_by_role("status")).to_have_text("Drawn signature saved.")
    preview = page.get_by_role("img", name="Signature of Pat Newman")
    expect(preview).to_have_attribute("src", re.compile(rf"^/users/{user_id}/signature/image\?v=\d+$"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    expect(page.locator(".signature-current figcaption")).to_contain_text("Drawn")
    signature = signature_for(user_id)
    assert signature is not None and signature.kind == "drawn" and signature.mime == "image/png"
    assert signature.updated_by_id == admin.id


# -- out of therapist licenses: request, approve, activate ---------------------------------------
def test_no_license_then_request_approve_and_activate(live_server, page: Page, clinic, admin, make_user):
    give_therapist_seats(clinic, 1)  # taken by the admin, an active PT
    waiting = make_user([clinic], first_name="Ina", last_name="Waiting", status=UserStatus.INACTIVE)
    sign_in_admin(page, live_server)
    open_user_manager(page, live_server)
    row = user_row(page, waiting)
    expect(therapist_licenses(page)).to_have_text(["Therapists", "PT, OT, SLP", "1", "0 of 1"])
    expect(row.get_by_role("cell", name="Inactive", exact=True)).to_be_visible()

    activate_url = f"{live_server}/users/{waiting.id}/activate"
    with page.expect_response(lambda r: r.url == activate_url) as answer:
        row.get_by_role("button", name="Activate Ina Waiting").click()
    assert answer.value.status == 422
    expect(page.locator("#flash").get_by_role("alert")).to_have_text(
        "No therapist license is available in Camelback Clinic (1 of 1 used). "
        "Request a License Adjustment, or inactivate a user of that license type."
    )
    expect(row.get_by_role("cell", name="Inactive", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Activate Ina Waiting")).to_be_visible()
    assert fresh(User, waiting.id).status is UserStatus.INACTIVE

    page.get_by_role("link", name="Request License Adjustment").click()
    expect(page).to_have_url(f"{live_server}/licenses/request")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request License Adjustment")
    page.get_by_label("License type").select_option(label="Therapists")
    page.get_by_label("Number of licenses wanted in total").fill("2")
    page.get_by_label("Reason").fill("Ina starts on Monday.")
    page.get_by_role("button", name="Request License Adjustment").click()
    expect(page).to_have_url(f"{live_server}/users/")
    expect(page.get_by_role("status")).to_have_text("Your License Adjustment request was sent to the company admins.")
    expect(therapist_licenses(page)).to_have_text(["Therapists", "PT, OT, SLP", "1", "0 of 1"])  # not yet

    page.get_by_role("link", name="License requests").click()
    expect(page).to_have_url(f"{live_server}/licenses/requests")
    request_row = page.locator("tbody tr", has_text="Ina starts on Monday.")
    expect(request_row.locator("td")).to_have_text(
        [re.compile(r"\d+"), "Camelback Clinic", "Therapists", "2", "Ina starts on Monday.", re.compile("Ada"),
         "Pending", re.compile("Approve")]
    )
    request_row.get_by_role("button", name=re.compile(r"^Approve request \d+$")).click()
    expect(page).to_have_url(f"{live_server}/licenses/requests")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Request #\d+ approved\.$"))
    expect(request_row.locator("td").nth(6)).to_contain_text("Approved")
    expect(request_row.get_by_role("button")).to_have_count(0)

    open_user_manager(page, live_server)
    expect(therapist_licenses(page)).to_have_text(["Therapists", "PT, OT, SLP", "1", "1 of 2"])
    with page.expect_response(lambda r: r.url == activate_url) as answer:
        row.get_by_role("button", name="Activate Ina Waiting").click()
    assert answer.value.status == 200
    expect(row.get_by_role("cell", name="Active", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Inactivate Ina Waiting")).to_be_visible()
    expect(page.locator("#flash").get_by_role("status")).to_have_text("Ina Waiting is active.")
    assert fresh(User, waiting.id).status is UserStatus.ACTIVE
    page.reload()
    expect(therapist_licenses(page)).to_have_text(["Therapists", "PT, OT, SLP", "2", "0 of 2"])


# -- a user's type never changes; Change User Type makes a new profile -----------------------------
CRAFTED_EDIT = """async ({url, fields}) => {
    const main = document.querySelector("main");
    const token = JSON.parse(main.getAttribute("hx-headers"))["X-CSRFToken"];
    const response = await fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token},
        body: new URLSearchParams(fields).toString(),
    });
    return {status: response.status, redirected: response.redirected, url: response.url, text: await response.text()};
}"""


def test_user_type_cannot_be_edited_but_change_user_type_works(live_server, page: Page, clinic, admin, make_user):
    give_therapist_seats(clinic, 3)
    pat = make_user([clinic], email="pat@example.test", first_name="Pat", last_name="Steady")
    student = make_user([clinic], email="sam@example.test", user_type=UserType.SPT, first_name="Sam",
                        last_name="Student")
    sign_in_admin(page, live_server)
    open_user_manager(page, live_server)
    user_row(page, pat).get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"{live_server}/users/{pat.id}/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit User: Pat Steady")
    # The type is shown, not editable.
    expect(page.get_by_label("User type")).to_have_count(0)
    expect(page.locator("[name=user_type]")).to_have_count(0)
    expect(page.locator("form p", has_text="User type:")).to_contain_text("User type: PT")

    edit_url = f"{live_server}/users/{pat.id}/edit"
    fields = {"first_name": "Pat", "last_name": "Steady", "email": "pat@example.test", "status": "active",
              "clinics": str(clinic.id), "default_clinic": str(clinic.id), "user_type": "OT"}
    refused = page.evaluate(CRAFTED_EDIT, {"url": edit_url, "fields": fields})
    assert refused["status"] == 422, refused["status"]
    assert "type cannot be changed" in refused["text"]  # the title: "A user's type cannot be changed"
    assert "is a PT profile" in refused["text"]
    assert fresh(User, pat.id).user_type is UserType.PT
    assert db.session.scalar(select(User).where(User.user_type == UserType.OT)) is None

    # Control: the same body with the profile's own type is an ordinary (accepted) edit.
    accepted = page.evaluate(CRAFTED_EDIT, {"url": edit_url, "fields": {**fields, "user_type": "PT", "first_name": "Patricia"}})
    assert accepted["status"] == 200 and accepted["redirected"], accepted["status"]
    assert accepted["url"] == f"{live_server}/users/{pat.id}"
    edited = fresh(User, pat.id)
    assert (edited.first_name, edited.user_type) == ("Patricia", UserType.PT)
    page.goto(f"{live_server}/users/{pat.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patricia Steady")
    expect(page.get_by_text("PT · Active", exact=True)).to_be_visible()

    # Change User Type: SPT -> PT, with a therapist license free (the admin and Pat use 2 of 3).
    page.goto(f"{live_server}/users/{student.id}")
    expect(page.get_by_text("SPT · Active", exact=True)).to_be_visible()
    page.get_by_role("button", name="Change User Type").click()
    expect(page).to_have_url(f"{live_server}/users/{student.id}/change-type")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change User Type: Sam Student")
    page.get_by_label("New user type").select_option("PT")
    page.get_by_label("Create the new profile, hand it this email, and inactivate the old profile").check()
    page.get_by_role("button", name="Change User Type").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/users/\d+$"))
    new_id = int(page.url.rsplit("/", 1)[1])
    assert new_id != student.id
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Student")
    expect(page.get_by_text("PT · Active", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Sam Student now has a PT profile; the SPT profile is inactive.")
    expect(page.get_by_role("definition").first).to_have_text("sam@example.test")

    page.goto(f"{live_server}/users/{student.id}")
    expect(page.get_by_text("SPT · Inactive", exact=True)).to_be_visible()
    expect(page.get_by_role("definition").first).to_have_text(re.compile(r"^x+sam@example\.test$"))
    old, new = fresh(User, student.id), fresh(User, new_id)
    assert old.email.startswith("x") and old.email == "xsam@example.test"
    assert (old.user_type, old.status, old.replaced_by_id) == (UserType.SPT, UserStatus.INACTIVE, new_id)
    assert (new.email, new.user_type, new.status) == ("sam@example.test", UserType.PT, UserStatus.ACTIVE)


# -- no View Users: no User Manager ---------------------------------------------------------------
def test_clerical_without_view_users_gets_no_user_manager(live_server, page: Page, clinic, make_user):
    make_user([clinic], email="clerk@example.test", user_type=UserType.CLERICAL, permissions=[Permission.VIEW_PATIENTS])
    login(page, live_server, "clerk@example.test", PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Camelback Clinic")
    expect(main_nav(page).get_by_role("link", name="User Manager")).to_have_count(0)

    response = page.goto(f"{live_server}/users/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("You do not have the permission this page needs.")).to_be_visible()
    expect(page.locator("#user-table")).to_have_count(0)


# -- MIPS: the User Manager column follows the clinic's setting ------------------------------------
def save_mips_mode(page: Page, base_url: str, label: str) -> None:
    card = page.locator("#plugin-mips")
    card.get_by_role("group", name="Reporting mode").get_by_label(label, exact=True).check()
    settings_url = f"{base_url}/settings/features/mips/settings"
    with page.expect_response(lambda r: r.url == settings_url) as answer:
        card.get_by_role("button", name="Save MIPS settings").click()
    assert answer.value.status == 200
    expect(card.get_by_role("group", name="Reporting mode").get_by_label(label, exact=True)).to_be_checked()


def open_clinic_settings(page: Page, base_url: str) -> None:
    main_nav(page).get_by_role("link", name="Clinic Settings").click()
    expect(page).to_have_url(f"{base_url}/settings/features")


def test_mips_column_follows_reporting_mode(live_server, page: Page, clinic, admin, make_user):
    otto = make_user([clinic], user_type=UserType.OT, first_name="Otto", last_name="Therapist")
    cleo = make_user([clinic], user_type=UserType.CLERICAL, first_name="Cleo", last_name="Clerk")
    header = page.get_by_role("columnheader", name="MIPS", exact=True)

    def mips_cell(user):
        return user_row(page, user).locator("td[data-column=mips]")

    sign_in_admin(page, live_server)
    open_clinic_settings(page, live_server)
    card = page.locator("#plugin-mips")
    expect(card.locator(".badge")).to_have_text("Off")
    card.get_by_role("button", name="Turn on MIPS").click()
    expect(card.locator(".badge")).to_have_text("On")
    expect(card.get_by_role("group", name="Reporting mode").get_by_label("Individual", exact=True)).to_be_checked()
    save_mips_mode(page, live_server, "Group")

    open_user_manager(page, live_server)
    expect(header).to_be_visible()
    expect(mips_cell(admin)).to_have_text("Group")
    expect(mips_cell(otto)).to_have_text("Group")
    expect(mips_cell(cleo)).to_have_text("")  # not a therapist
    expect(page.locator("td[data-column=mips] input[type=checkbox]")).to_have_count(0)

    open_clinic_settings(page, live_server)
    save_mips_mode(page, live_server, "Individual")

    open_user_manager(page, live_server)
    otto_box = page.get_by_role("checkbox", name="MIPS participation for Otto Therapist")
    admin_box = page.get_by_role("checkbox", name=f"MIPS participation for {admin.name}")
    expect(otto_box).not_to_be_checked()
    expect(admin_box).not_to_be_checked()
    expect(mips_cell(cleo).locator("input")).to_have_count(0)
    participation_url = f"{live_server}/mips/participants/{otto.id}"
    with page.expect_response(lambda r: r.url == participation_url) as answer:
        otto_box.check()
    assert answer.value.status == 200
    assert answer.value.request.header_value("hx-request") == "true"
    expect(otto_box).to_be_checked()

    page.reload()
    expect(otto_box).to_be_checked()
    expect(admin_box).not_to_be_checked()

    open_clinic_settings(page, live_server)
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Turn off MIPS").click()
    expect(card.locator(".badge")).to_have_text("Off")
    open_user_manager(page, live_server)
    expect(page.get_by_text(f"Users with access to {clinic.name}")).to_be_visible()
    expect(header).to_have_count(0)
    expect(page.locator("[data-column=mips]")).to_have_count(0)
