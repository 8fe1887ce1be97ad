"""Notes through their routes: start, autosave with versions, Start / Forward / Finish with co-signature
(whatever way the note is opened), finalize checks and signatures, addenda, Do Not Bill, the Medicare
clocks, Initial Exam Case Copy, the lists, permissions and clinic scoping."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.cases import Authorization, CaseStatus
from core.extensions import db
from core.notes import Addendum, Note, NoteKind, NoteStatus, PlanCertification
from core.notes.content import is_intact, note_sha256
from core.notes.models import RefusedSave
from core.notes.workflow import NoteKind as Kind
from tests.notes_world import CHARGES, COMPLETE_SOAP, charge, finalized, make_world

TODAY = datetime.now(ZoneInfo("America/New_York")).date()  # the test clinic's zone (the model's default)


@pytest.fixture
def world(clinic, make_user):
    return make_world(clinic, make_user, TODAY)


def _start(client, case, kind=NoteKind.INITIAL_EVALUATION, day=None):
    response = client.post(f"/notes/new/{case.id}", data={"kind": kind.value, "date_of_service": (day or TODAY).isoformat()})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _plan_form(version, **extra):
    form = {"version": str(version), **COMPLETE_SOAP, **CHARGES, "diagnoses_present": "1", "dx_code-0": "m5450", "treating": "0",
            "goals_present": "1", "goal_term-0": "long", "goal_text-0": "Walk 1 mile", "goal_status-0": "progressing",
            "frequency_per_week": "2", "duration_weeks": "6", "interventions": "Therapeutic exercise",
            "plan_start": TODAY.isoformat(), "plan_end": (TODAY + timedelta(days=41)).isoformat()}
    form.update(extra)
    return form


def _note(note_id) -> Note:
    db.session.expire_all()
    return db.session.get(Note, note_id)


def test_pt_writes_and_finalizes_an_initial_evaluation_with_a_plan_of_care(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    response = client.post(f"/notes/{note_id}/finalize", data=_plan_form(_note(note_id).version))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    note = _note(note_id)
    assert note.status is NoteStatus.FINALIZED
    assert [d.code for d in note.diagnoses] == ["M54.50"] and note.diagnoses[0].is_treating
    assert note.content_sha256 == note_sha256(note) and is_intact(note)
    assert [(s.role, s.name, s.credentials) for s in note.signatures] == [("provider", world.pt.name, "PT")]
    assert note.case.has_finalized_notes
    assert db.session.scalar(select(Authorization.visits_used).where(Authorization.case_id == world.case.id)) == 1
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "Electronically signed by Paula Therapist, PT" in page and note.content_sha256 in page
    # Tampering behind the application's back shows.
    db.session.execute(Note.__table__.update().where(Note.id == note_id).values(assessment="changed"))
    db.session.commit()
    assert "this note was changed after it was finalized" in client.get(f"/notes/{note_id}").get_data(as_text=True)


def test_finalize_shows_every_problem_together_and_changes_nothing(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), "subjective": "Pain"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for words in ("Objective is required", "Add at least one ICD-10-CM diagnosis", "long-term goal",
                  "frequency (visits per week)", "planned interventions"):
        assert words in page
    assert 'href="#f-objective"' in page
    assert _note(note_id).status is NoteStatus.DRAFT
    assert _note(note_id).subjective == "Pain"  # what was typed is saved even so


@pytest.mark.parametrize("code, words", [("M54.5", "is a category, not a billable code"), ("Q99.99", "not in ICD-10-CM"),
                                          ("<b>x</b>", "is not an ICD-10-CM code")])
def test_a_bad_diagnosis_is_refused_at_the_field_and_keeps_the_old_one(client, world, code, words):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    client.post(f"/notes/{note_id}/save", data=_plan_form(_note(note_id).version))
    response = client.post(f"/notes/{note_id}/save", htmx=True,
                           data={"version": str(_note(note_id).version), "diagnoses_present": "1", "dx_code-0": code,
                                 "subjective": "still saved"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert words in page and 'id="err-dx_code-0"' in page and "<b>x</b>" not in page
    note = _note(note_id)
    assert [d.code for d in note.diagnoses] == ["M54.50"] and note.subjective == "still saved"


def test_autosave_answers_the_new_version_and_a_stale_save_is_refused_with_both_texts_kept(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    first_version = _note(note_id).version
    response = client.post(f"/notes/{note_id}/save", htmx=True, data={"version": str(first_version), "subjective": "Tab one"})
    assert response.status_code == 200 and f'value="{first_version + 1}"' in response.get_data(as_text=True)
    stale = client.post(f"/notes/{note_id}/save", htmx=True, data={"version": str(first_version), "subjective": "Tab two"})
    assert stale.status_code == 409 and "your save was refused" in stale.get_data(as_text=True)
    assert _note(note_id).subjective == "Tab one"
    kept = db.session.scalars(select(RefusedSave).where(RefusedSave.note_id == note_id)).all()
    assert [k.content["subjective"] for k in kept] == ["Tab two"]
    assert "Tab two" in client.get(f"/notes/{note_id}").get_data(as_text=True)


def _evaluated(world):
    return finalized(world.case, Kind.INITIAL_EVALUATION, TODAY - timedelta(days=7), world.pt)


def test_pta_forwards_and_the_pt_co_signs_from_the_direct_url(client, world):
    _evaluated(world)
    client.login(world.pta.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/{note_id}/forward", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES,
                                                              "cosigner_id": str(world.pt.id)})
    assert response.status_code == 303
    assert _note(note_id).status is NoteStatus.PENDING_COSIGNATURE
    # The author cannot finalize it now, by any route.
    assert client.post(f"/notes/{note_id}/finalize", data={}).status_code == 422
    client.login(world.pt.email)
    assert "Rivera, Maria" in client.get("/notes/cosign").get_data(as_text=True)
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "Co-sign &amp; Finalize" in page
    assert client.post(f"/notes/{note_id}/finalize", data={}).status_code == 303
    note = _note(note_id)
    assert note.status is NoteStatus.FINALIZED
    assert [(s.role, s.credentials) for s in note.signatures] == [("provider", "PTA"), ("co-signer", "PT")]
    assert note.goes_to_billing


def test_another_therapist_cannot_co_sign_a_note_forwarded_to_someone_else(client, world):
    _evaluated(world)
    client.login(world.pta.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    client.post(f"/notes/{note_id}/forward",
                data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES, "cosigner_id": str(world.pt.id)})
    client.login(world.ot.email)
    response = client.post(f"/notes/{note_id}/finalize", data={})
    assert response.status_code == 422 and "forwarded to another therapist" in response.get_data(as_text=True)
    assert _note(note_id).status is NoteStatus.PENDING_COSIGNATURE


def test_the_co_signer_returns_a_note_with_a_comment(client, world):
    _evaluated(world)
    client.login(world.spt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    client.post(f"/notes/{note_id}/forward",
                data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES, "cosigner_id": str(world.pt.id)})
    client.login(world.pt.email)
    assert client.post(f"/notes/{note_id}/return", data={"comment": ""}).status_code == 422
    assert client.post(f"/notes/{note_id}/return", data={"comment": "Add the minutes"}).status_code == 303
    note = _note(note_id)
    assert note.status is NoteStatus.RETURNED and note.return_comment == "Add the minutes"
    client.login(world.spt.email)
    assert "Add the minutes" in client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "Returned" in client.get("/notes/").get_data(as_text=True)


def test_a_student_cannot_finalize_alone(client, world):
    _evaluated(world)
    world.spt.set_permissions(set(world.spt.permission_set) | {__import__("core.web", fromlist=["Permission"]).Permission.FINISH_NOTES})
    db.session.commit()
    client.login(world.spt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES})
    assert response.status_code == 422 and "student" in response.get_data(as_text=True)
    assert _note(note_id).status is NoteStatus.DRAFT


def test_the_insurance_setting_wins_over_the_clinic_for_assistant_finalization(client, world):
    world.clinic.assistant_finalization = True
    world.clinic.assistant_finalization_verbiage = "Finalized by a PTA under general supervision."
    db.session.commit()
    finalized(world.commercial_case, Kind.INITIAL_EVALUATION, TODAY - timedelta(days=3), world.pt)
    _evaluated(world)
    client.login(world.pta.email)
    blocked = _start(client, world.commercial_case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/{blocked}/finalize", data={"version": str(_note(blocked).version), **COMPLETE_SOAP, **CHARGES,
                                                                "supervised_by": str(world.pt.id)})
    assert response.status_code == 422
    assert "insurance does not allow therapist assistants" in response.get_data(as_text=True)
    world.medicare.allow_assistant_finalize = True
    db.session.commit()
    allowed = _start(client, world.case, NoteKind.DAILY_NOTE)
    missing = client.post(f"/notes/{allowed}/finalize", data={"version": str(_note(allowed).version), **COMPLETE_SOAP, **CHARGES})
    assert missing.status_code == 422 and "Supervised by" in missing.get_data(as_text=True)
    done = client.post(f"/notes/{allowed}/finalize", data={"version": str(_note(allowed).version), "supervised_by": str(world.pt.id)})
    assert done.status_code == 303
    note = _note(allowed)
    assert note.supervised_by_id == world.pt.id and not note.goes_to_billing
    page = client.get(f"/notes/{allowed}").get_data(as_text=True)
    assert "Finalized by a PTA under general supervision." in page and "Supervised by:</strong> Paula Therapist" in page


def test_an_assistant_never_finalizes_an_evaluative_note(client, world):
    world.medicare.allow_assistant_finalize = True
    db.session.commit()
    _evaluated(world)
    client.login(world.pta.email)
    note_id = _start(client, world.case, NoteKind.PROGRESS_NOTE)
    response = client.post(f"/notes/{note_id}/finalize", data=_plan_form(_note(note_id).version, supervised_by=str(world.pt.id)))
    assert response.status_code == 422 and "finalized by a PT, OT or SLP" in response.get_data(as_text=True)


def test_a_finalized_note_cannot_be_changed_by_a_crafted_request(client, world):
    note = _evaluated(world)
    client.login(world.pt.email)
    digest = note.content_sha256
    for url in (f"/notes/{note.id}/save", f"/notes/{note.id}/finalize", f"/notes/{note.id}/forward"):
        response = client.post(url, data={"version": str(note.version), "subjective": "rewritten", "cosigner_id": str(world.ot.id)})
        assert response.status_code in (303, 422)
    assert _note(note.id).subjective == COMPLETE_SOAP["subjective"] and _note(note.id).content_sha256 == digest


def test_addendum_finalize_and_rebill_marks_the_charges_and_shows_under_the_note(client, world):
    note = _evaluated(world)
    client.login(world.pt.email)
    assert client.post(f"/notes/{note.id}/addenda", data={"text": "", "finalize": "finalize"}).status_code == 422
    response = client.post(f"/notes/{note.id}/addenda", data={"text": "Pain now 3/10 <script>", "finalize": "finalize"})
    assert response.status_code == 303 and not _note(note.id).charges_need_update
    client.post(f"/notes/{note.id}/addenda", data={"text": "Added 97110 x1", "finalize": "rebill"})
    assert _note(note.id).charges_need_update
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Finalize &amp; Rebill (claim impact)" in page and "&lt;script&gt;" in page
    assert db.session.scalar(select(func.count()).select_from(Addendum)) == 2
    assert _note(note.id).content_sha256 == note.content_sha256  # the original is untouched


def test_do_not_bill_finalizes_without_a_visit_or_billing(client, world):
    _evaluated(world)
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES,
                                                   "do_not_bill_present": "1", "do_not_bill": "on"})
    note = _note(note_id)
    assert note.is_finalized and note.do_not_bill and not note.goes_to_billing
    assert db.session.scalar(select(Authorization.visits_used).where(Authorization.case_id == world.case.id)) == 0


def test_a_discharge_summary_discharges_the_case(client, world):
    _evaluated(world)
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DISCHARGE_SUMMARY)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES,
                                                                "diagnoses_present": "1", "dx_code-0": "M54.50", "treating": "0"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert _note(note_id).case.status is CaseStatus.DISCHARGED


def test_the_tenth_treatment_day_shows_progress_report_due(client, world):
    start = TODAY - timedelta(days=20)
    finalized(world.case, Kind.INITIAL_EVALUATION, start, world.pt)
    for n in range(1, 10):
        finalized(world.case, Kind.DAILY_NOTE, start + timedelta(days=n), world.pt)
    finalized(world.case, Kind.DAILY_NOTE, start + timedelta(days=9), world.pt)  # a second visit on day 10 counts once
    client.login(world.pt.email)
    page = client.get(f"/patients/{world.patient.id}/cases/{world.case.id}").get_data(as_text=True)
    assert '<span class="treatment-days">10</span> of 10' in page and "progress report due" in page


def test_a_daily_note_after_the_plan_expired_is_blocked_when_the_company_says_hard_stop(client, world):
    start = TODAY - timedelta(days=100)
    finalized(world.case, Kind.INITIAL_EVALUATION, start, world.pt)
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES})
    assert response.status_code == 422 and "The plan of care expired" in response.get_data(as_text=True)
    world.clinic.company.poc_alerts = {"certification": "warning"}
    db.session.commit()
    warned = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version)})
    assert warned.status_code == 422 and "I have read the warnings" in warned.get_data(as_text=True)
    done = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), "acknowledge_warnings": "on"})
    assert done.status_code == 303 and _note(note_id).is_finalized


def test_initial_exam_case_copy_offers_the_last_evaluation_on_a_new_case(client, world):
    source = _evaluated(world)
    world.clinic.company.initial_exam_case_copy = True
    db.session.commit()
    client.login(world.pt.email)
    page = client.get(f"/patients/{world.patient.id}/cases/{world.commercial_case.id}").get_data(as_text=True)
    assert "Copy Initial Exam" in page
    response = client.post(f"/notes/copy/{world.commercial_case.id}", data={"source_id": str(source.id)})
    assert response.status_code == 303
    copy = db.session.scalars(select(Note).where(Note.case_id == world.commercial_case.id)).one()
    assert copy.kind is NoteKind.INITIAL_EVALUATION and copy.status is NoteStatus.DRAFT
    assert copy.assessment == source.assessment and [d.code for d in copy.diagnoses] == ["M54.50"]
    assert copy.date_of_service == TODAY and not copy.signatures and copy.plan_start is None


def test_physician_certification_records_dates_and_a_signed_copy(client, world):
    note = _evaluated(world)
    client.login(world.pt.email)
    bad = client.post(f"/notes/{note.id}/certification", data={"sent_on": "13/45/2020"})
    assert bad.status_code == 422 and "MM/DD/YYYY" in bad.get_data(as_text=True)
    from io import BytesIO
    response = client.post(f"/notes/{note.id}/certification", content_type="multipart/form-data",
                           data={"sent_on": TODAY.isoformat(), "signed_on": TODAY.isoformat(),
                                 "signed_copy": (BytesIO(b"%PDF-1.4 signed"), "poc.pdf")})
    assert response.status_code == 303
    cert = db.session.scalar(select(PlanCertification))
    assert cert.signed_on == TODAY and cert.signed_copy.startswith(b"%PDF")
    assert client.get(f"/notes/{note.id}/certification/signed-copy").data.startswith(b"%PDF")
    page = client.get(f"/patients/{world.patient.id}/cases/{world.case.id}").get_data(as_text=True)
    assert "Signed by the physician on" in page


def test_another_clinics_note_is_404_and_permissions_are_checked(client, world, make_clinic, make_user):
    note = _evaluated(world)
    other = make_clinic("Elsewhere")
    outsider = make_user([other], email="out@example.test", is_admin=True)
    client.login(outsider.email)
    for url in (f"/notes/{note.id}", f"/notes/{note.id}/print", f"/notes/new/{world.case.id}"):
        assert client.get(url).status_code == 404
    assert client.post(f"/notes/{note.id}/addenda", data={"text": "x"}).status_code == 404
    client.login(world.clerical.email)
    assert client.get(f"/notes/new/{world.case.id}").status_code == 403
    assert client.get("/notes/cosign").status_code == 403
    assert client.get(f"/notes/{note.id}").status_code == 200  # View Patients reads notes


def test_print_view_has_the_plan_and_a_physician_signature_line(client, world):
    note = _evaluated(world)
    client.login(world.pt.email)
    page = client.get(f"/notes/{note.id}/print").get_data(as_text=True)
    assert "Physician signature" in page and "M54.50" in page and "note_print.css" in page


def test_chart_and_case_lists_filter_by_type_and_status(client, world):
    _evaluated(world)
    finalized(world.case, Kind.DAILY_NOTE, TODAY - timedelta(days=1), world.pt)
    client.login(world.pt.email)
    chart = client.get(f"/patients/{world.patient.id}?kind=Daily+Note").get_data(as_text=True)
    section = chart[chart.index('id="chart-notes"'):]
    assert "Daily Note</td>" in section and "Initial Evaluation</td>" not in section


def test_the_audit_trail_names_notes(client, world):
    note = _evaluated(world)
    client.login(world.pt.email)
    client.get(f"/notes/{note.id}")
    world.pt.is_admin = True
    db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f"Initial Evaluation {note.date_of_service:%m/%d/%Y} — Rivera, Maria" in page


def test_a_note_starts_from_the_chart_and_an_expired_session_returns_to_the_note(client, world):
    client.login(world.pt.email)
    chart = client.get(f"/patients/{world.patient.id}").get_data(as_text=True)
    assert f'href="/notes/new/{world.case.id}"' in chart
    note_id = _start(client, world.case)
    client.client._cookies.clear()  # the session is gone (expired, signed out elsewhere)
    response = client.client.post(f"/notes/{note_id}/save", data={"subjective": "late"},
                                  headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost/notes/{note_id}"})
    assert response.status_code in (400, 401)
    if response.status_code == 401:
        assert response.headers["HX-Redirect"] == f"/login?next=/notes/{note_id}"
    assert _note(note_id).subjective == ""


def test_the_signed_out_autosave_redirect_never_points_elsewhere(client, world):
    response = client.client.post("/notes/1/save", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.test//x"})
    assert "evil" not in response.headers.get("HX-Redirect", "")


def test_a_discharge_summary_shows_the_period_since_the_last_progress_report(client, world):
    _evaluated(world)
    finalized(world.case, Kind.PROGRESS_NOTE, TODAY - timedelta(days=3), world.pt)
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DISCHARGE_SUMMARY)
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert f"{TODAY - timedelta(days=3):%m/%d/%Y} (the last progress report) to the date of service" in page


def test_the_co_signer_may_edit_a_pending_note_but_the_author_may_not(client, world):
    _evaluated(world)
    client.login(world.pta.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    client.post(f"/notes/{note_id}/forward",
                data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES, "cosigner_id": str(world.pt.id)})
    refused = client.post(f"/notes/{note_id}/save", htmx=True, data={"version": str(_note(note_id).version), "plan": "author edit"})
    assert refused.status_code == 422 and "pending co-signature" in refused.get_data(as_text=True)
    client.login(world.pt.email)
    edited = client.post(f"/notes/{note_id}/save", htmx=True, data={"version": str(_note(note_id).version), "plan": "co-signer edit"})
    assert edited.status_code == 200
    assert _note(note_id).plan == "co-signer edit" and _note(note_id).status is NoteStatus.PENDING_COSIGNATURE


def test_control_characters_and_oversized_text_are_refused_at_the_field(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    response = client.post(f"/notes/{note_id}/save", htmx=True,
                           data={"version": str(_note(note_id).version), "subjective": "a\x00b", "objective": "x" * 20_001,
                                 "assessment": "ok ✓ 痛み <i>"})
    page = response.get_data(as_text=True)
    assert "Remove the control characters" in page and "at most 20,000 characters" in page
    note = _note(note_id)
    assert note.subjective == "" and note.objective == "" and note.assessment == "ok ✓ 痛み <i>"
    assert "ok ✓ 痛み &lt;i&gt;" in client.get(f"/notes/{note_id}").get_data(as_text=True)


def test_the_same_text_saved_twice_from_one_version_is_not_a_conflict(client, world):
    """An autosave and a button pressed at once post the same text from the same version: the second is no
    conflict; a different text from that version is."""
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    version = _note(note_id).version
    assert client.post(f"/notes/{note_id}/save", htmx=True, data={"version": str(version), "subjective": "Same"}).status_code == 200
    again = client.post(f"/notes/{note_id}/save", data={"version": str(version), "subjective": "Same"})
    assert again.status_code == 303
    other = client.post(f"/notes/{note_id}/save", data={"version": str(version), "subjective": "Different"})
    assert other.status_code == 409 and _note(note_id).subjective == "Same"


def test_one_pages_saves_never_conflict_but_another_pages_do(client, world):
    """The editor page numbers its saves: its newer save wins whatever version it carries, its older one
    arriving late changes nothing; another page (tab, person) saving from an old version is refused."""
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    version = _note(note_id).version
    page_a = {"editor": "aaaa", "version": str(version)}
    assert client.post(f"/notes/{note_id}/save", htmx=True, data={**page_a, "seq": "2", "subjective": "newer"}).status_code == 200
    late = client.post(f"/notes/{note_id}/save", htmx=True, data={**page_a, "seq": "1", "subjective": "older"})
    assert late.status_code == 200 and _note(note_id).subjective == "newer"
    assert client.post(f"/notes/{note_id}/save", htmx=True, data={**page_a, "seq": "3", "subjective": "newest"}).status_code == 200
    assert _note(note_id).subjective == "newest"
    other = client.post(f"/notes/{note_id}/save", htmx=True,
                        data={"editor": "bbbb", "version": str(version), "seq": "9", "subjective": "tab b"})
    assert other.status_code == 409 and _note(note_id).subjective == "newest"


def test_finalize_outside_a_request_names_its_actor_and_writes_the_note_once(world):
    """Scripts and `flask demo` finalize through the same function: the trail names who finalized, and the
    note is written in one UPDATE (its version moves by one)."""
    from core.audit import AuditEvent
    from core.notes import finalize_note, start_note

    _evaluated(world)
    note = start_note(world.case, NoteKind.DAILY_NOTE, TODAY, world.pt, world.clinic)
    for name, value in COMPLETE_SOAP.items():
        setattr(note, name, value)
    db.session.commit()
    charge(note, world.clinic)
    before = note.version
    finalize_note(note, world.clinic, world.pt)
    assert _note(note.id).version == before + 1
    actors = db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.object_type == "note",
                                                                  AuditEvent.object_id == str(note.id))).all()
    assert actors and set(actors) == {world.pt.id}


def test_without_finish_soap_notes_no_route_finalizes(client, world):
    from core.web import Permission

    _evaluated(world)
    world.ot.set_permissions(set(world.ot.permission_set) - {Permission.FINISH_NOTES})
    db.session.commit()
    client.login(world.ot.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert ">Finalize</button>" not in page and "Finish SOAP Notes permission" in page
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES})
    assert response.status_code == 422 and _note(note_id).status is NoteStatus.DRAFT
    assert client.get("/notes/cosign").status_code == 403


def test_starting_the_same_note_twice_opens_the_draft_there_is(client, world):
    _evaluated(world)
    client.login(world.pt.email)
    first = _start(client, world.case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/new/{world.case.id}", data={"kind": "Daily Note", "date_of_service": TODAY.isoformat()})
    assert response.headers["Location"].endswith(f"/notes/{first}")
    assert db.session.scalar(select(func.count()).select_from(Note).where(Note.kind == NoteKind.DAILY_NOTE)) == 1


def test_a_pt_cases_note_is_co_signed_by_a_pt(client, world):
    _evaluated(world)
    client.login(world.pta.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "Paula Therapist, PT" in page and "Otto Occupational" not in page
    response = client.post(f"/notes/{note_id}/forward", data={"version": str(_note(note_id).version), "cosigner_id": str(world.ot.id)})
    assert response.status_code == 422 and _note(note_id).status is NoteStatus.DRAFT


def test_a_future_date_of_service_is_refused_at_the_field_while_typing(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    response = client.post(f"/notes/{note_id}/save", htmx=True,
                           data={"version": str(_note(note_id).version), "date_of_service": (TODAY + timedelta(days=3)).isoformat()})
    assert "cannot be in the future" in response.get_data(as_text=True) and _note(note_id).date_of_service == TODAY


def test_a_visit_past_the_authorized_visits_is_a_warning_to_acknowledge(client, world):
    _evaluated(world)
    authorization = world.case.authorizations[0]
    authorization.visits_used = authorization.visits_authorized
    db.session.commit()
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    warned = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), **COMPLETE_SOAP, **CHARGES})
    assert warned.status_code == 422 and "has no visits left (20 of 20 used)" in warned.get_data(as_text=True)
    done = client.post(f"/notes/{note_id}/finalize", data={"version": str(_note(note_id).version), "acknowledge_warnings": "on"})
    assert done.status_code == 303


def test_add_diagnosis_saves_and_offers_more_rows_and_refused_text_shows_under_labels(client, world):
    client.login(world.pt.email)
    note_id = _start(client, world.case)
    response = client.post(f"/notes/{note_id}/save", data={"version": str(_note(note_id).version), "more": "diagnoses",
                                                          "diagnoses_present": "1", "dx_code-0": "M54.50"})
    assert response.status_code == 303 and "more=diagnoses" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="dx_code-5"' in page and 'value="None"' not in page
    client.post(f"/notes/{note_id}/save", htmx=True, data={"version": "1", "editor": "other", "subjective": "mine",
                                                          "dx_code-1": "M25.561", "seq": "4"})
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    kept = page[page.index("Your unsaved text"):]
    assert "<dt>Subjective</dt>" in kept and "<dt>Diagnosis 2</dt>" in kept and "<dt>seq</dt>" not in kept
