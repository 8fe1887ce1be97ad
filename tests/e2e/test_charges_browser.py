"""End-to-end: the Charge Summary as a clinic uses it, in a real chromium. A PT documents 24 and 23 minutes on
a Medicare patient and sees 3 units with the reasoning as she types; the same minutes on a Rule-of-8s payer give
4; a PTA's Medicare note carries CQ with GP; a patient past the threshold gets KX with the reason; a Medicare
patient whose ZIP has 5 digits is refused at finalize with a link that opens the field to fix.

The routes and words are those of tests/core/test_note_charges.py.
"""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.billing import ChargeLine
from core.extensions import db
from core.notes import NoteKind
from tests.e2e.test_notes_browser import (
    TODAY,
    finalize_button,
    fresh_note,
    sign_in,
    start_note,
    write_soap,
)
from tests.notes_world import finalized, make_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(clinic, make_user):
    return make_world(clinic, make_user, TODAY)


def service(page: Page, n: int):
    return page.get_by_role("group", name=re.compile(rf"^Service {n}\b"))


def enter(page: Page, n: int, code: str, minutes: int, furnished_by: str | None = None) -> None:
    row = service(page, n)
    row.get_by_label("CPT/HCPCS code").fill(code)
    row.get_by_label("Minutes", exact=True).fill(str(minutes))
    if furnished_by:
        row.get_by_label("Furnished by").select_option(label=furnished_by)


def result(page: Page):
    return page.locator("#charge-result")


def line_row(page: Page, code: str):
    return result(page).get_by_role("row").filter(has=page.get_by_role("rowheader", name=code, exact=True))


def daily_note(page: Page, base_url: str, world, case, email: str | None = None) -> int:
    finalized(case, NoteKind.INITIAL_EVALUATION, TODAY - timedelta(days=7), world.pt)
    sign_in(page, base_url, email or world.pt.email)
    note_id = start_note(page, base_url, case, NoteKind.DAILY_NOTE)
    write_soap(page, note_id)
    return note_id


def test_a_pt_sees_3_units_with_the_reasoning_on_medicare_and_finalizes(page: Page, live_server, world):
    note_id = daily_note(page, live_server, world, world.case)
    enter(page, 1, "97112", 24)
    enter(page, 2, "97110", 23)
    expect(result(page)).to_contain_text("47 timed minutes → 3 units; 97112 24 min → 2, 97110 23 min → 1, CMS 8-minute rule")
    expect(result(page)).to_contain_text("The primary insurance uses the 8-Minute Rule")
    expect(line_row(page, "97112").locator("td.units")).to_have_text("2")
    expect(line_row(page, "97110").locator("td.modifiers")).to_have_text("GP")
    expect(page.locator("#total-units")).to_have_text("3")
    expect(service(page, 2).get_by_label("Minutes", exact=True)).to_be_focused()  # the recompute leaves the cursor where it was
    finalize_button(page).click()
    expect(page.get_by_role("heading", name="Charge Summary")).to_be_visible()
    expect(page.locator(".note-read")).to_contain_text("97112 24 min → 2 units (the day's 47 timed minutes → 3 units")
    assert fresh_note(note_id).is_finalized
    lines = {line.code: line for line in db.session.scalars(db.select(ChargeLine).where(ChargeLine.note_id == note_id))}
    assert (lines["97112"].units, lines["97110"].units, lines["97112"].billed) == (2, 1, True)


def test_the_same_minutes_on_a_rule_of_8s_payer_give_4_units(page: Page, live_server, world):
    daily_note(page, live_server, world, world.commercial_case)
    enter(page, 1, "97112", 24)
    enter(page, 2, "97110", 23)
    expect(page.locator("#total-units")).to_have_text("4")
    expect(result(page)).to_contain_text("each code on its own (Rule of 8s)")


def test_a_ptas_medicare_note_carries_cq_with_gp(page: Page, live_server, world):
    daily_note(page, live_server, world, world.case, email=world.pta.email)
    enter(page, 1, "97110", 30, furnished_by="Assistant alone")
    expect(line_row(page, "97110").locator("td.modifiers")).to_have_text("GP, CQ")
    expect(line_row(page, "97110")).to_contain_text("CQ: furnished by the assistant alone.")


def test_a_patient_past_the_threshold_gets_kx_with_the_reason(page: Page, live_server, world):
    world.case.medicare_threshold_used = Decimal("2470.00")
    db.session.commit()
    daily_note(page, live_server, world, world.case)
    enter(page, 1, "97110", 30)
    expect(line_row(page, "97110").locator("td.modifiers")).to_have_text("GP, KX")
    expect(line_row(page, "97110")).to_contain_text("past the")
    expect(result(page)).to_contain_text("passes the $2,480 threshold")


def test_a_5_digit_zip_on_a_medicare_patient_is_refused_at_finalize_with_a_link_to_fix_it(page: Page, live_server, world):
    world.patient.primary_address.postal_code = "85018"
    db.session.commit()
    note_id = daily_note(page, live_server, world, world.case)
    enter(page, 1, "97110", 30)
    expect(page.locator("#total-units")).to_have_text("2")
    finalize_button(page).click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Medicare patients need the 9-digit ZIP code")
    assert not fresh_note(note_id).is_finalized
    summary.get_by_role("link", name="Fix it").first.click()
    expect(page).to_have_url(re.compile(rf"/patients/{world.patient.id}/edit#f-postal_code$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
