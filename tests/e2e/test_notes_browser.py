"""End-to-end tests: therapists document notes in a real chromium (Debian's).

A PT's Initial Evaluation with its plan of care and an ICD-10-CM diagnosis; a PTA's daily note forwarded
to the PT, who co-signs it from its direct URL; the insurance's Assistant Note Finalization winning over
the clinic's; a student who can only forward; an addendum with Finalize & Rebill; the Medicare progress
report clock on the case page; Quick Add's veto on an incomplete profile; a session that expires while a
note is open (nothing typed is lost); and the editor's autosave.

The routes and words are those of tests/core/test_notes.py, which runs the same flows through the Flask
test client.
"""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from core.accounts import User, end_all_sessions
from core.cases import Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.notes import Note, NoteKind, NoteStatus
from core.patients import create_patient
from core.web import Permission
from plugins.quick_add.models import mark_quick_added
from tests.e2e.conftest import login
from tests.notes_world import COMPLETE_SOAP, finalized, make_world
from tests.support import PASSWORD

pytestmark = pytest.mark.e2e

TODAY = datetime.now(ZoneInfo("America/New_York")).date()  # the test clinic's zone (the model's default)
SOAP_LABELS = {"subjective": "Subjective", "objective": "Objective", "assessment": "Assessment", "plan": "Plan"}


@pytest.fixture
def world(clinic, make_user):
    return make_world(clinic, make_user, TODAY)


# -- helpers -------------------------------------------------------------------------------------
def fresh_note(note_id: int) -> Note:
    """The note as the database has it now (the live server wrote it in another session)."""
    db.session.expire_all()
    return db.session.get(Note, note_id)


def sign_in(page: Page, base_url: str, email: str) -> None:
    login(page, base_url, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Camelback Clinic")


def sign_in_as_another(page: Page, base_url: str, email: str) -> None:
    page.get_by_role("button", name=re.compile(r"^Sign out (?!everywhere)")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/login"))
    sign_in(page, base_url, email)


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def open_case(page: Page, base_url: str, case: Case) -> None:
    page.goto(f"{base_url}/patients/{case.patient_id}/cases/{case.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case: {case.title}")


def start_note(page: Page, base_url: str, case: Case, kind: NoteKind, day: date = TODAY) -> int:
    """From the case page: Start Note, the type and date of service; answers the new note's id."""
    open_case(page, base_url, case)
    page.get_by_role("button", name="Start Note").click()
    expect(page).to_have_url(f"{base_url}/notes/new/{case.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a Note")
    page.get_by_role("group", name="Type of note").get_by_label(kind.value, exact=True).check()
    date_field = page.get_by_label("Date of Service")
    expect(date_field).to_have_value(TODAY.isoformat())  # the clinic's today by default
    date_field.fill(day.isoformat())
    page.get_by_role("button", name="Start Note").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/notes/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(kind.value)
    note_id = int(page.url.rsplit("/", 1)[1])
    note = fresh_note(note_id)
    assert (note.kind, note.status, note.case_id, note.date_of_service) == (kind, NoteStatus.DRAFT, case.id, day)
    return note_id


def soap_field(page: Page, label: str):
    """A SOAP textarea (by role: its section heading has the same words)."""
    return page.get_by_role("textbox", name=label, exact=True)


def save_status(page: Page):
    return page.locator("#save-status")


def wait_for_autosave(page: Page, note_id: int, **fields) -> None:
    """Until the database has ``fields`` and every autosave of the editor is answered (htmx marks the
    form while one is in flight or queued); the editor then holds the version that was saved, so a
    button clicked now posts the current version."""
    form = page.locator("#note-form")
    deadline = time.monotonic() + 5
    while True:
        expect(form).not_to_have_class(re.compile(r"\bhtmx-request\b"))
        note = fresh_note(note_id)
        have = {name: getattr(note, name) for name in fields}
        if have == fields:
            break
        assert time.monotonic() < deadline, f"not saved: {have}"
        page.wait_for_timeout(50)
    expect(form).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator("#note-version")).to_have_value(str(fresh_note(note_id).version))
    expect(save_status(page)).to_contain_text("Draft saved at")


def write_soap(page: Page, note_id: int, values: dict[str, str] = COMPLETE_SOAP) -> None:
    for name, text in values.items():
        soap_field(page, SOAP_LABELS[name]).fill(text)
    soap_field(page, SOAP_LABELS[name]).blur()  # a change: saved at once
    wait_for_autosave(page, note_id, **values)


def enter_service(page: Page, code: str = "97110", minutes: int = 30) -> None:
    """The Charge Summary's first service (a billable note is finalized with its services)."""
    row = page.get_by_role("group", name=re.compile(r"^Service 1\b"))
    row.get_by_label("CPT/HCPCS code").fill(code)
    row.get_by_label("Minutes", exact=True).fill(str(minutes))
    expect(page.locator("#total-units")).not_to_have_text("0")


def signatures(page: Page):
    return page.get_by_role("region", name="Signatures").locator(".note-signature p")


def finalize_button(page: Page):
    return page.get_by_role("button", name="Finalize", exact=True)


def forward_group(page: Page):
    return page.get_by_role("group", name="Forward for co-signature")


def evaluated(case: Case, pt: User, days_ago: int = 7) -> Note:
    return finalized(case, NoteKind.INITIAL_EVALUATION, TODAY - timedelta(days=days_ago), pt)


# -- 1. a PT's Initial Evaluation with a plan of care ---------------------------------------------
def test_pt_writes_and_finalizes_an_initial_evaluation_with_a_plan_of_care(live_server, page: Page, world):
    sign_in(page, live_server, world.pt.email)
    note_id = start_note(page, live_server, world.case, NoteKind.INITIAL_EVALUATION)
    expect(page.get_by_role("heading", name="Plan of Care")).to_be_visible()
    write_soap(page, note_id)

    # A category is refused at the field (and the rest is saved); the billable code is accepted.
    diagnosis = page.get_by_label("Diagnosis 1", exact=True)
    diagnosis.fill("M54.5")
    diagnosis.blur()
    error = page.locator("[id='err-dx_code-0']")
    expect(error).to_contain_text("M54.5 is a category, not a billable code")
    expect(save_status(page)).to_contain_text("except 1 field with a problem")
    diagnosis.fill("m54.50")
    diagnosis.blur()
    expect(error).to_have_text("")
    expect(save_status(page)).to_contain_text("Draft saved at")
    page.get_by_label("Treating diagnosis").first.check()
    page.get_by_label("Goal 1", exact=True).fill("Lift 20 lb without pain")
    expect(page.get_by_label("Goal 1 term", exact=True)).to_have_value("long")
    page.get_by_label("Frequency (visits per week)").fill("2")
    page.get_by_label("Duration (weeks)").fill("6")
    page.get_by_label("Planned interventions").fill("Therapeutic exercise, manual therapy")
    page.get_by_label("Plan start date").fill(TODAY.isoformat())
    plan_end = page.get_by_label("Plan end date")
    plan_end.fill((TODAY + timedelta(days=41)).isoformat())
    plan_end.blur()
    wait_for_autosave(page, note_id, interventions="Therapeutic exercise, manual therapy",
                      plan_end=TODAY + timedelta(days=41))
    assert [(d.code, d.is_treating) for d in fresh_note(note_id).diagnoses] == [("M54.50", True)]

    # Save Draft shows the whole editor again: the code as billed, with its description.
    page.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(diagnosis).to_have_value("M54.50")
    expect(diagnosis).to_have_accessible_description(re.compile("Low back pain, unspecified"))
    expect(page.get_by_label("Treating diagnosis").first).to_be_checked()

    enter_service(page, "97162", 45)  # the evaluation's code, pointing to diagnosis 1 (saved: its checkbox shows)
    finalize_button(page).click()
    expect(page).to_have_url(f"{live_server}/notes/{note_id}")
    expect(page.get_by_role("status").filter(has_text="Initial Evaluation finalized.")).to_be_visible()
    expect(page.locator(".note-status")).to_have_text("Finalized")
    expect(page.locator("#note-form")).to_have_count(0)  # the read view: nothing to edit
    expect(soap_field(page, "Subjective")).to_have_count(0)
    expect(signatures(page)).to_have_text([re.compile(r"^Electronically signed by Paula Therapist, PT on ")])
    expect(page.locator("ol.diagnoses li")).to_have_text(["M54.50 Low back pain, unspecified (treating diagnosis)"])
    expect(page.locator("ul.goals li")).to_have_text(["Long-term: Lift 20 lb without pain — progressing"])
    note = fresh_note(note_id)
    assert note.status is NoteStatus.FINALIZED and note.finalized_by_id == world.pt.id
    assert [(s.role, s.name, s.credentials) for s in note.signatures] == [("provider", world.pt.name, "PT")]
    expect(page.locator(".content-hash")).to_contain_text(f"{note.content_sha256} (matches the content)")


# -- 2. a PTA forwards, the PT co-signs from the direct URL ----------------------------------------
def test_pta_forwards_a_daily_note_and_the_pt_co_signs_it_from_its_direct_url(live_server, page: Page, world):
    evaluated(world.case, world.pt)
    sign_in(page, live_server, world.pta.email)
    note_id = start_note(page, live_server, world.case, NoteKind.DAILY_NOTE)
    write_soap(page, note_id)
    enter_service(page)
    forward = forward_group(page)
    forward.get_by_label("Co-signer").select_option(label="Paula Therapist, PT")
    wait_for_autosave(page, note_id)  # choosing is a change, autosaved: Forward must not race that save
    forward.get_by_role("button", name="Forward").click()

    expect(page).to_have_url(f"{live_server}/notes/{note_id}")
    expect(page.get_by_role("status").filter(has_text="Forwarded to Paula Therapist for co-signature.")).to_be_visible()
    expect(page.get_by_text("Pending co-signature by Paula Therapist.")).to_be_visible()
    expect(finalize_button(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Co-sign & Finalize")).to_have_count(0)
    note = fresh_note(note_id)
    assert (note.status, note.cosigner_id) == (NoteStatus.PENDING_COSIGNATURE, world.pt.id)
    main_nav(page).get_by_role("link", name="My Notes").click()
    expect(page).to_have_url(f"{live_server}/notes/")
    mine = page.locator("#queue tbody tr")
    expect(mine).to_have_count(1)
    expect(mine.get_by_role("cell")).to_have_text(["Rivera, Maria", TODAY.strftime("%m/%d/%Y"), "Daily Note",
                                                    "Low back pain (PT)", "Pending co-signature", "Paula Therapist"])

    sign_in_as_another(page, live_server, world.pt.email)
    main_nav(page).get_by_role("link", name="Incomplete Cosign Docs").click()
    expect(page).to_have_url(f"{live_server}/notes/cosign")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("link", name="Rivera, Maria")).to_have_attribute("href", f"/notes/{note_id}")
    expect(rows).to_contain_text("Andy Assistant, PTA")

    # Not from the queue: the note's own URL offers the same co-signature.
    page.goto(f"{live_server}/notes/{note_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily Note")
    expect(page.locator(".pending-info")).to_contain_text("Forwarded to Paula Therapist for co-signature: review it")
    expect(soap_field(page, "Subjective")).to_have_value(COMPLETE_SOAP["subjective"])
    expect(page.get_by_role("button", name="Return")).to_be_visible()
    expect(forward_group(page)).to_have_count(0)
    expect(finalize_button(page)).to_have_count(0)
    page.get_by_role("button", name="Co-sign & Finalize").click()

    expect(page).to_have_url(f"{live_server}/notes/{note_id}")
    expect(page.get_by_role("status").filter(has_text="Daily Note finalized.")).to_be_visible()
    expect(page.locator(".note-status")).to_have_text("Finalized")
    expect(signatures(page)).to_have_text([re.compile(r"^Electronically signed by Andy Assistant, PTA on "),
                                           re.compile(r"^Co-signed by Paula Therapist, PT on ")])
    note = fresh_note(note_id)
    assert note.status is NoteStatus.FINALIZED and note.finalized_by_id == world.pt.id
    assert [(s.role, s.credentials) for s in note.signatures] == [("provider", "PTA"), ("co-signer", "PT")]

    main_nav(page).get_by_role("link", name="Incomplete Cosign Docs").click()
    expect(page.locator("#queue")).to_have_text("No notes are waiting for your co-signature.")


# -- 3. the insurance's Assistant Note Finalization wins over the clinic's -------------------------
def test_pta_cannot_finalize_where_the_insurance_does_not_allow_assistants(live_server, page: Page, world):
    world.clinic.assistant_finalization = True
    world.medicare.allow_assistant_finalize = True
    db.session.commit()
    evaluated(world.commercial_case, world.pt)
    evaluated(world.case, world.pt)
    sign_in(page, live_server, world.pta.email)

    # Blue Plan (the commercial case) does not allow assistants to finalize: no Finalize, and why.
    blocked_id = start_note(page, live_server, world.commercial_case, NoteKind.DAILY_NOTE)
    expect(page.locator(".finalize-blocked")).to_have_text(
        "This note needs a therapist's co-signature: the patient's insurance does not allow therapist assistants "
        "to finalize notes.")
    expect(finalize_button(page)).to_have_count(0)
    expect(page.get_by_label("Supervised by")).to_have_count(0)
    expect(forward_group(page).get_by_role("button", name="Forward")).to_be_visible()

    # Control: Medicare (allowed on the insurance) offers Finalize with Supervised by.
    allowed_id = start_note(page, live_server, world.case, NoteKind.DAILY_NOTE)
    expect(finalize_button(page)).to_be_visible()
    expect(page.get_by_label("Supervised by")).to_be_visible()
    expect(page.locator(".finalize-blocked")).to_have_count(0)
    assert fresh_note(blocked_id).status is fresh_note(allowed_id).status is NoteStatus.DRAFT


# -- 4. a student only forwards -------------------------------------------------------------------
def test_a_students_note_cannot_be_finalized_only_forwarded(live_server, page: Page, world):
    evaluated(world.case, world.pt)
    # Even with Finish SOAP Notes, a student's note needs a co-signature.
    world.spt.set_permissions(set(world.spt.permission_set) | {Permission.FINISH_NOTES})
    db.session.commit()
    sign_in(page, live_server, world.spt.email)
    note_id = start_note(page, live_server, world.case, NoteKind.DAILY_NOTE)

    expect(page.locator(".finalize-blocked")).to_have_text("A student's note needs a therapist's co-signature: forward it.")
    expect(finalize_button(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Co-sign & Finalize")).to_have_count(0)
    actions = page.locator(".note-actions").get_by_role("button")
    expect(actions).to_have_text(["Save Draft", "Forward"])

    write_soap(page, note_id)
    forward = forward_group(page)
    forward.get_by_label("Co-signer").select_option(label="Paula Therapist, PT")
    wait_for_autosave(page, note_id)  # choosing is a change, autosaved: Forward must not race that save
    forward.get_by_role("button", name="Forward").click()
    expect(page.get_by_text("Pending co-signature by Paula Therapist.")).to_be_visible()
    assert fresh_note(note_id).status is NoteStatus.PENDING_COSIGNATURE


# -- 5. an addendum with Finalize & Rebill --------------------------------------------------------
def test_an_addendum_finalized_with_rebill_shows_under_the_note(live_server, page: Page, world):
    note = evaluated(world.case, world.pt)
    digest = note.content_sha256
    sign_in(page, live_server, world.pt.email)
    page.goto(f"{live_server}/notes/{note.id}")
    addenda = page.locator("#addenda")
    expect(addenda).to_contain_text("No addenda.")
    form = addenda.locator("form.addendum-form")

    form.get_by_label("Add Addendum").fill("Pain now 3/10.")
    form.get_by_role("button", name="Finalize", exact=True).click()
    expect(page).to_have_url(f"{live_server}/notes/{note.id}#addenda")
    expect(page.get_by_role("status").filter(has_text="Addendum finalized.")).to_be_visible()
    expect(page.get_by_text("this note's charges wait for a charge update")).to_have_count(0)

    form.get_by_label("Add Addendum").fill("Added 97110 x1.")
    form.get_by_role("button", name="Finalize & Rebill").click()
    items = addenda.locator("article.addendum")
    expect(items).to_have_count(2)
    expect(items.locator(".note-text")).to_have_text(["Pain now 3/10.", "Added 97110 x1."])
    expect(items.nth(0)).to_contain_text("Addendum by Paula Therapist, PT on")
    expect(items.nth(0)).to_contain_text("Finalize (no claim impact)")
    expect(items.nth(1)).to_contain_text("Finalize & Rebill (claim impact)")
    expect(page.get_by_text("this note's charges wait for a charge update")).to_be_visible()
    expect(form.get_by_label("Add Addendum")).to_have_value("")
    current = fresh_note(note.id)
    assert current.charges_need_update and [a.rebill for a in current.addenda] == [False, True]
    assert current.content_sha256 == digest  # the note itself is untouched


# -- 6. the progress report clock -----------------------------------------------------------------
def test_the_tenth_treatment_day_shows_progress_report_due_on_the_case_page(live_server, page: Page, world):
    start = TODAY - timedelta(days=20)
    finalized(world.case, NoteKind.INITIAL_EVALUATION, start, world.pt)
    for n in range(1, 9):
        finalized(world.case, NoteKind.DAILY_NOTE, start + timedelta(days=n), world.pt)
    sign_in(page, live_server, world.pt.email)
    open_case(page, live_server, world.case)
    clocks = page.get_by_role("region", name="Plan of care (Medicare)")
    days = clocks.locator(".treatment-days")
    expect(days).to_have_text("9")
    expect(clocks).to_contain_text("9 of 10")
    expect(clocks.get_by_text("progress report due")).to_have_count(0)

    finalized(world.case, NoteKind.DAILY_NOTE, start + timedelta(days=9), world.pt)
    finalized(world.case, NoteKind.DAILY_NOTE, start + timedelta(days=9), world.pt)  # a second visit that day counts once
    page.reload()
    expect(days).to_have_text("10")
    expect(clocks).to_contain_text("10 of 10 — progress report due")
    expect(clocks.locator(".progress-due")).to_have_text("progress report due")


# -- 7. Quick Add: an incomplete profile stops finalize -------------------------------------------
def test_a_quick_added_patients_note_is_refused_at_finalize(live_server, page: Page, world, enable_plugin):
    enable_plugin(world.clinic, "quick_add")
    # As Quick Add Patient makes it: name, date of birth and phone only, and the plugin's record of it.
    patient = create_patient(world.clinic, first_name="Rowan", last_name="Ellery", date_of_birth=date(1988, 4, 12),
                             phone="6025550187")
    mark_quick_added(world.clinic.id, patient.id, world.clerical.id)
    case = Case(clinic_id=world.clinic.id, patient_id=patient.id, title="Knee pain", discipline=Discipline.PT,
                therapist_id=world.pt.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=world.commercial.id, subscriber_id="BP123456",
                                start_date=TODAY - timedelta(days=30), end_date=TODAY + timedelta(days=365),
                                insured_relationship=InsuredRelationship.SELF)]
    db.session.add(case)
    db.session.commit()
    evaluated(case, world.pt)

    sign_in(page, live_server, world.pt.email)
    note_id = start_note(page, live_server, case, NoteKind.DAILY_NOTE)
    write_soap(page, note_id)
    finalize_button(page).click()

    problems = page.get_by_role("alert").filter(has_text="This note cannot be finalized yet:")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text(  # with the scrubber's own findings on the same profile
        "This patient was quick-added and the profile is incomplete: Sex is missing; A primary Home address is "
        "missing. Complete the patient's profile before finalizing.")
    expect(soap_field(page, "Subjective")).to_have_value(COMPLETE_SOAP["subjective"])
    expect(finalize_button(page)).to_be_visible()  # still the editor: complete the profile, then finalize
    note = fresh_note(note_id)
    assert note.status is NoteStatus.DRAFT and not note.signatures


# -- 8. a session that expires mid-note -----------------------------------------------------------
def test_a_session_that_expires_mid_note_loses_no_text(live_server, page: Page, world):
    evaluated(world.case, world.pt)
    sign_in(page, live_server, world.pt.email)
    note_id = start_note(page, live_server, world.case, NoteKind.DAILY_NOTE)
    subjective = soap_field(page, "Subjective")
    expect(save_status(page)).to_have_text("Changes save as you type.")

    # The session ends while the note is open (as after the idle timeout, or Sign out everywhere elsewhere).
    end_all_sessions(db.session.get(User, world.pt.id), "idle")
    db.session.commit()
    typed = "Pain 4/10 this morning; slept through the night."
    subjective.press_sequentially(typed, delay=5)
    # The autosave was answered 401: to sign in, and back to the note after.
    expect(page).to_have_url(f"{live_server}/login?next=/notes/{note_id}", timeout=10_000)
    assert fresh_note(note_id).subjective in (None, "")

    page.get_by_label("Email", exact=True).fill(world.pt.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/notes/{note_id}")
    expect(subjective).to_have_value(typed)
    wait_for_autosave(page, note_id, subjective=typed)

    # Saved for good: another tab (its own sessionStorage, so nothing to put back) has it from the server.
    other = page.context.new_page()
    other.goto(f"{live_server}/notes/{note_id}")
    expect(soap_field(other, "Subjective")).to_have_value(typed)
    expect(save_status(other)).to_have_text("Changes save as you type.")
    other.close()


# -- 9. autosave ----------------------------------------------------------------------------------
def test_autosave_keeps_what_was_typed_across_a_reload(live_server, page: Page, world):
    sign_in(page, live_server, world.pt.email)
    note_id = start_note(page, live_server, world.case, NoteKind.INITIAL_EVALUATION)
    subjective = soap_field(page, "Subjective")
    status = save_status(page)
    expect(status).to_have_text("Changes save as you type.")
    version = fresh_note(note_id).version

    typed = "Low back pain since Monday."
    subjective.press_sequentially(typed, delay=10)  # no blur: the typing pause alone saves
    expect(status).to_contain_text("Draft saved at")
    note = fresh_note(note_id)
    assert note.subjective == typed and note.version == version + 1  # one save for the whole burst of typing
    expect(page.locator("#note-version")).to_have_value(str(note.version))

    page.reload()
    expect(subjective).to_have_value(typed)
    expect(status).to_have_text("Changes save as you type.")


def test_finalize_clicked_while_the_autosave_runs_finalizes(live_server, page: Page, world):
    """Leaving a field autosaves it; a Finalize pressed at that moment waits for that save (it posts the
    version the save answered), so the therapist's own autosave never refuses their Finalize."""
    evaluated(world.case, world.pt)
    sign_in(page, live_server, world.pt.email)
    note_id = start_note(page, live_server, world.case, NoteKind.DAILY_NOTE)
    enter_service(page)
    for name, text in COMPLETE_SOAP.items():
        soap_field(page, SOAP_LABELS[name]).fill(text)
    finalize_button(page).click()  # no wait: the blur's autosave and the Finalize go together
    expect(signatures(page)).to_contain_text("Electronically signed by Paula Therapist, PT")
    note = fresh_note(note_id)
    assert note.is_finalized and note.plan == COMPLETE_SOAP["plan"]
