"""The demo's notes (``flask demo``, core.demo.notes): every promised kind and state, finalized notes
intact and signed, plans of care with billable ICD-10-CM codes, dates inside the rules, and idempotent."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.accounts import ProviderSignature, User, UserType
from core.audit import AuditEvent
from core.cases import Authorization, Case, CaseStatus
from core.demo import seed as seed_module
from core.demo import seed_demo
from core.demo.notes import seed_demo_notes
from core.extensions import db
from core.notes import Addendum, Note, NoteDiagnosis, NoteKind, NoteSignature, NoteStatus, PlanCertification, case_clocks
from core.notes.actions import clinic_today
from core.notes.content import addendum_sha256, is_intact
from core.notes.diagnoses import check_code
from core.tenancy import Clinic

IE, DAILY, PN, DS = NoteKind.INITIAL_EVALUATION, NoteKind.DAILY_NOTE, NoteKind.PROGRESS_NOTE, NoteKind.DISCHARGE_SUMMARY
FINALIZED, DRAFT, PENDING = NoteStatus.FINALIZED, NoteStatus.DRAFT, NoteStatus.PENDING_COSIGNATURE


@pytest.fixture
def notes(app):
    seed_demo()
    return db.session.scalars(select(Note).order_by(Note.case_id, Note.date_of_service, Note.id)).all()


def test_the_demo_has_every_promised_kind_and_state(notes):
    kinds = Counter((n.kind, n.status) for n in notes)
    assert kinds[(IE, FINALIZED)] >= 4
    assert kinds[(DAILY, FINALIZED)] >= 30
    assert kinds[(PN, FINALIZED)] == 1
    assert kinds[(DS, FINALIZED)] == 1
    assert kinds[(DAILY, DRAFT)] + kinds[(IE, DRAFT)] >= 2 and kinds[(IE, DRAFT)] >= 1
    assert {n.clinic_id for n in notes} == set(db.session.scalars(select(Clinic.id)))  # both demo clinics

    pending = [n for n in notes if n.status is PENDING]
    assert len(pending) == 1
    (waiting,) = pending
    assert waiting.kind is DAILY and waiting.author.user_type is UserType.PTA
    assert waiting.cosigner.user_type is UserType.PT and waiting.forwarded_at is not None and not waiting.signatures
    assert waiting.cosigner.email == "pt@demo.test"

    addenda = db.session.scalars(select(Addendum)).all()
    assert len(addenda) == 1 and addenda[0].is_finalized and not addenda[0].rebill
    assert addenda[0].content_sha256 == addendum_sha256(addenda[0]) and addenda[0].signed_credentials == "PT"
    assert addenda[0].note.is_finalized and is_intact(addenda[0].note)


def test_every_finalized_note_is_intact_signed_and_counted(notes):
    finalized = [n for n in notes if n.is_finalized]
    for note in finalized:
        assert is_intact(note), f"note {note.id} ({note.kind.value}) is not intact"
        assert note.finalized_at is not None and note.finalized_by_id is not None
        provider = note.signatures[0]
        assert (provider.role, provider.user_id, provider.name) == ("provider", note.author_id, note.author.name)
        assert note.case.has_finalized_notes
        if note.author.user_type.is_therapist:
            assert [s.role for s in note.signatures] == ["provider"] and provider.kind == "typed"
            assert note.finalized_by_id == note.author_id
        else:  # an assistant's note, co-signed and finalized by the PT
            assert [(s.role, s.credentials) for s in note.signatures] == [("provider", "PTA"), ("co-signer", "PT")]
            assert note.goes_to_billing
    cosigned = [n for n in finalized if len(n.signatures) == 2]
    assert len(cosigned) == 2
    events = Counter(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("note.%"))))
    assert events["note.finalize"] == len(finalized) - len(cosigned) and events["note.cosign"] == len(cosigned)
    assert events["note.forward"] == len(cosigned) + 1 and events["note.create"] == len(notes)
    assert events["note.addendum_finalize"] == 1
    # Drafts carry no finalize traces.
    for note in notes:
        if not note.is_finalized:
            assert note.content_sha256 is None and note.finalized_at is None and not note.signatures


def test_plans_of_care_are_complete_with_billable_codes(notes):
    plans = [n for n in notes if n.is_finalized and n.kind in (IE, PN)]
    assert len(plans) >= 5
    for note in plans:
        assert note.diagnoses and sum(d.is_treating for d in note.diagnoses) == 1 and note.diagnoses[0].is_treating
        for diagnosis in note.diagnoses:
            assert check_code(diagnosis.code).code == diagnosis.code
        assert any(g["term"] == "long" for g in note.goals)
        assert note.frequency_per_week == 2 and note.duration_weeks and note.interventions
        assert note.plan_start == note.date_of_service and note.plan_end > note.plan_start
    codes = set(db.session.scalars(select(NoteDiagnosis.code)))
    assert {"M54.50", "M54.2", "M75.42", "S83.511D", "S52.531D"} <= codes
    discharge = next(n for n in notes if n.kind is DS)
    assert discharge.diagnoses and all(g["status"] == "met" for g in discharge.goals)


def test_dates_follow_the_clinic_the_policies_and_the_plan(notes):
    for note in notes:
        clinic = db.session.get(Clinic, note.clinic_id)
        assert note.date_of_service <= clinic_today(clinic)
        for policy in note.case.policies:
            assert policy.start_date <= note.date_of_service <= policy.end_date
    by_case: dict[int, list[Note]] = {}
    for note in notes:
        by_case.setdefault(note.case_id, []).append(note)
    spans = []
    for case_notes in by_case.values():
        visits = [n for n in case_notes if n.is_finalized]
        if not visits:
            continue
        evaluation = visits[0]
        assert evaluation.kind is IE  # the episode starts with its evaluation
        spans.append((visits[-1].date_of_service - evaluation.date_of_service).days)
        weeks = Counter(n.date_of_service.isocalendar()[:2] for n in visits)
        assert max(weeks.values()) <= 2  # 2x/week
        for note in visits:  # no visit after the plan of care in force ends
            plan = [p for p in visits if p.kind in (IE, PN) and p.date_of_service <= note.date_of_service][-1]
            assert note.date_of_service <= plan.plan_end
    assert max(spans) >= 35 and sorted(spans)[len(spans) // 2] >= 14  # several weeks


def test_the_discharge_summary_discharges_its_case_and_the_medicare_clocks_are_clear(notes):
    discharged = db.session.scalars(select(Case).where(Case.status == CaseStatus.DISCHARGED)).all()
    (discharge,) = [n for n in notes if n.kind is DS]
    assert [c.id for c in discharged] == [discharge.case_id]
    assert discharge.date_of_service == max(n.date_of_service for n in notes if n.case_id == discharge.case_id)
    progress = next(n for n in notes if n.kind is PN)
    case = progress.case
    assert any(p.insurance.insurance_type.is_medicare for p in case.policies)
    clinic = db.session.get(Clinic, case.clinic_id)
    evaluation = next(n for n in notes if n.case_id == case.id and n.kind is IE)
    # The progress report came on the 11th treatment day: no daily note past the 10th.
    before = {n.date_of_service for n in notes if n.case_id == case.id and n.is_finalized
              and n.date_of_service < progress.date_of_service}
    assert len(before) == 10
    certifications = {c.note_id: c for c in db.session.scalars(select(PlanCertification))}
    assert certifications[evaluation.id].signed_on <= evaluation.date_of_service + timedelta(days=30)
    assert certifications[progress.id].sent_on and certifications[progress.id].signed_on is None
    clocks = case_clocks(case, clinic.company, clinic_today(clinic))
    assert clocks.plan_note.id == progress.id and clocks.alerts == []


def test_finalized_visits_are_counted_on_their_authorizations(app, monkeypatch):
    monkeypatch.setattr(seed_module, "seed_demo_notes", lambda clinics: None)
    seed_demo()
    before = dict(db.session.execute(select(Authorization.id, Authorization.visits_used)).all())
    seed_demo_notes(db.session.scalars(select(Clinic).order_by(Clinic.id)).all())
    db.session.expire_all()
    billable = db.session.scalars(select(Note).where(Note.status == FINALIZED, Note.do_not_bill.is_(False))).all()
    for authorization in db.session.scalars(select(Authorization)):
        visits = [n for n in billable if n.case_id == authorization.case_id
                  and authorization.start_date <= n.date_of_service <= authorization.end_date]
        assert authorization.visits_used == before[authorization.id] + len(visits)
        assert authorization.visits_used <= authorization.visits_authorized
    assert sum(after - before[i] for i, after in db.session.execute(select(Authorization.id, Authorization.visits_used))) >= 10


def _counts() -> dict:
    tables = (Note, NoteSignature, NoteDiagnosis, Addendum, PlanCertification, ProviderSignature, AuditEvent)
    counts = {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    counts["visits_used"] = db.session.scalar(select(func.sum(Authorization.visits_used)))
    counts["discharged"] = db.session.scalar(select(func.count()).where(Case.status == CaseStatus.DISCHARGED))
    counts["versions"] = db.session.scalar(select(func.sum(Note.version)))
    return counts


def test_running_the_demo_twice_adds_no_notes(app):
    seed_demo()
    first = _counts()
    assert first["Note"] > 40
    seed_demo()
    assert _counts() == first
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "pta@demo.test")) == 1
