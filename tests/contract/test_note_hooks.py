"""Contracts of the note hooks, called for real: a plugin's note section (``caseload_note_sections``)
shows on the note types it names only where the plugin is on, saves with the draft and is locked with
the note; ``caseload_finalize_veto`` blocks a real finalize; ``caseload_note_finalized`` runs after the
commit; Quick Add's veto refuses a quick-added patient's note."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.extensions import db
from core.notes import Note, NoteKind, NoteStatus
from core.notes.content import is_intact
from core.plugin_api import NoteSection, Problem, SettingField, hookimpl
from plugins.quick_add.models import QuickAddPatient
from tests.notes_world import CHARGES, COMPLETE_SOAP, finalized, make_world

TODAY = datetime.now(ZoneInfo("America/New_York")).date()


class SurveyPlugin:
    def __init__(self):
        self.finalized, self.committed_when_called = [], []

    @hookimpl
    def caseload_note_sections(self, clinic, note_kind):
        return NoteSection(key="survey.pain", title="Pain Survey", note_kinds=("Initial Evaluation",),
                           fields=(SettingField("score", "Pain survey score"),
                                   SettingField("done", "Survey completed", default=False, kind="bool")))

    @hookimpl
    def caseload_finalize_veto(self, note):
        values = (note.sections or {}).get("survey.pain", {})
        if note.kind is NoteKind.INITIAL_EVALUATION and not values.get("done"):
            return [Problem("survey.incomplete", "Complete the pain survey.", field="section-survey.pain-done")]
        return []

    @hookimpl
    def caseload_note_finalized(self, note, clinic, user):
        self.finalized.append(note.id)
        self.committed_when_called.append(db.session.get(Note, note.id).status is NoteStatus.FINALIZED)


@pytest.fixture
def survey(extra_plugins):
    plugin = SurveyPlugin()
    extra_plugins.append(("survey", plugin))
    return plugin


@pytest.fixture
def world(clinic, make_user, survey):
    return make_world(clinic, make_user, TODAY)


def _start(client, case, kind):
    response = client.post(f"/notes/new/{case.id}", data={"kind": kind.value, "date_of_service": TODAY.isoformat()})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _plan(version, **extra):
    return {"version": str(version), **COMPLETE_SOAP, **CHARGES, "diagnoses_present": "1", "dx_code-0": "M54.50", "treating": "0",
            "goals_present": "1", "goal_text-0": "Walk", "goal_term-0": "long", "goal_status-0": "progressing",
            "frequency_per_week": "2", "duration_weeks": "4", "interventions": "Exercise",
            "plan_start": TODAY.isoformat(), "plan_end": (TODAY + timedelta(days=28)).isoformat(), **extra}


def test_a_section_shows_only_on_its_note_types_and_only_where_the_plugin_is_on(survey, client, world, enable_plugin):
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.INITIAL_EVALUATION)
    assert "Pain Survey" not in client.get(f"/notes/{note_id}").get_data(as_text=True)  # off in this clinic
    enable_plugin(world.clinic, "survey")
    assert "Pain survey score" in client.get(f"/notes/{note_id}").get_data(as_text=True)
    finalized(world.commercial_case, NoteKind.INITIAL_EVALUATION, TODAY, world.pt)
    daily = _start(client, world.commercial_case, NoteKind.DAILY_NOTE)
    assert "Pain Survey" not in client.get(f"/notes/{daily}").get_data(as_text=True)


def test_section_values_save_with_the_draft_and_are_locked_with_the_note(survey, client, world, enable_plugin):
    enable_plugin(world.clinic, "survey")
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.INITIAL_EVALUATION)
    version = db.session.get(Note, note_id).version
    blocked = client.post(f"/notes/{note_id}/finalize", data=_plan(version, **{"section-survey.pain-score": "7"}))
    assert blocked.status_code == 422 and "Complete the pain survey." in blocked.get_data(as_text=True)
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert note.status is NoteStatus.DRAFT and note.sections["survey.pain"] == {"score": "7", "done": False}
    assert survey.finalized == []
    done = client.post(f"/notes/{note_id}/finalize", data=_plan(note.version, **{"section-survey.pain-score": "7",
                                                                                 "section-survey.pain-done": "on"}))
    assert done.status_code == 303
    db.session.expire_all()
    note = db.session.get(Note, note_id)
    assert note.is_finalized and is_intact(note)
    assert survey.finalized == [note_id] and survey.committed_when_called == [True]
    assert "Pain survey score" in client.get(f"/notes/{note_id}").get_data(as_text=True)
    note.sections = {"survey.pain": {"score": "1", "done": True}}
    db.session.commit()
    assert not is_intact(note)  # the section is part of the locked content


def test_quick_adds_veto_blocks_a_real_finalize(client, world, enable_plugin):
    enable_plugin(world.clinic, "quick_add")
    db.session.add(QuickAddPatient(clinic_id=world.clinic.id, patient_id=world.patient.id, added_by_id=world.pt.id))
    world.patient.addresses = []
    db.session.commit()
    finalized(world.case, NoteKind.INITIAL_EVALUATION, TODAY - timedelta(days=2), world.pt)
    client.login(world.pt.email)
    note_id = _start(client, world.case, NoteKind.DAILY_NOTE)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version), **COMPLETE_SOAP, **CHARGES})
    assert response.status_code == 422
    assert "This patient was quick-added and the profile is incomplete" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Note, note_id).status is NoteStatus.DRAFT
