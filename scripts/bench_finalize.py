#!/usr/bin/env python
"""Benchmark finalizing a note (core.notes.actions.finalize_note, every plugin on) against a bare write of the same rows.

Finalize does more than write: it asks the rules (``decide``), runs core's checks (the plan of care, the
policy dates, the Medicare clocks) and every enabled plugin's ``caseload_finalize_veto``, copies the
provider's signature, takes the content's SHA-256, then writes. The bare write is only what finalize
leaves in the database, as SQLAlchemy Core statements on the same engine and driver, in one transaction:
the note's UPDATE (status, finalize time and user, SHA-256, version), the signature's INSERT, the audit
event's INSERT and the authorization's UPDATE (one more visit used). Whatever finalize spends above the
bare write is its checks and the ORM.

Each measured operation runs in a fresh request context (a new session, as a request has): the note is
loaded first, untimed, with the statement the finalize route uses, the user's permissions and the clinic's
plugin state as a request preloads them; the bare write likewise reads the note's version first, untimed.
The two are interleaved (alternating which goes first) ``--runs`` times after a warm-up. Every operation
finalizes a daily note of its own case: a Medicare case with a finalized Initial Evaluation 7 days before
(plan of care signed by the physician) and an authorization, in a clinic with mips, virtual_visits,
outcomes and quick_add switched on.

    .venv/bin/python scripts/bench_finalize.py                # SQLite, a temporary file
    .venv/bin/python scripts/bench_finalize.py --database-url postgresql://postgres@127.0.0.1:5432/caseload_bench_finalize

A PostgreSQL database named in the URL is created when missing (``--rebuild`` drops it first); each run
adds a company of its own. Nothing here is real patient data.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

PLUGINS = ("mips", "virtual_visits", "outcomes", "quick_add")
CHARGES = {"charges_present": "1", "c_code-0": "97110", "c_minutes-0": "25", "c_dx-0": "1",
           "c_code-1": "97140", "c_minutes-1": "15", "c_dx-1": "1"}  # 40 minutes: 97110 x2, 97140 x1
WARM_UP = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--runs", type=int, default=200, help="measured operations of each kind (default 200)")
    parser.add_argument("--rebuild", action="store_true", help="PostgreSQL: drop the database first")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one finalize and one bare write")
    return parser.parse_args(argv)


def ensure_postgres_database(url: str, rebuild: bool) -> None:
    """Create the PostgreSQL database of ``url`` when missing (drop it first with ``rebuild``)."""
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# -- the bench data ----------------------------------------------------------------------------------
def build(app, count: int) -> dict:
    """Migrate; add a company, a clinic with every plugin on, a PT with a typed signature, and ``count``
    Medicare cases, each with a finalized evaluation and a draft daily note dated today."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core.accounts import ProviderSignature, User, UserType, default_permissions, hash_password
    from core.billing import FeeScheduleEntry, store_lines
    from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
    from core.extensions import db, utcnow
    from core.notes import Note, NoteDiagnosis, NoteKind, NoteSignature, NoteStatus, PlanCertification
    from core.notes.actions import clinic_today
    from core.notes.charges import note_charges
    from core.notes.content import note_sha256
    from core.patients import AddressType, PatientAddress, Sex, create_patient
    from core.payers import Insurance, InsuranceType, UnitCalculation
    from core.plugin_host import plugin_host, set_plugin_enabled
    from core.tenancy import Clinic, ClinicAccess, Company

    with app.app_context():
        upgrade(directory=str(REPO / "core" / "migrations"), revision="heads")
        missing = [name for name in PLUGINS if name not in plugin_host().plugins]
        if missing:
            sys.exit(f"plugins not installed: {', '.join(missing)}")
        run = uuid.uuid4().hex[:8]
        company = Company(name=f"Bench Finalize {run}", tin=f"{uuid.uuid4().int % 10**9:09d}")
        clinic = Clinic(company=company, name=f"Bench Finalize {run}", city="Phoenix", state="AZ", postal_code="85018",
                        time_zone="America/Phoenix")
        db.session.add_all([company, clinic])
        db.session.flush()
        for name in PLUGINS:
            set_plugin_enabled(clinic, name, True)
        pt = User(email=f"bench-finalize-{run}@example.test", first_name="Bench", last_name="Therapist",
                  user_type=UserType.PT, password_hash=hash_password(uuid.uuid4().hex), npi="1234567893")

        pt.set_permissions(default_permissions(UserType.PT))
        pt.clinic_access = [ClinicAccess(clinic=clinic, is_default=True)]
        medicare = Insurance(company_id=company.id, name="Medicare Part B", insurance_type=InsuranceType.MEDICARE,
                             unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE, enabled_modifiers=[], plugin_settings={})
        db.session.add_all([pt, medicare])
        db.session.add_all(FeeScheduleEntry(company_id=company.id, code=code, amount=Decimal("40.00"),
                                            effective_from=date(2020, 1, 1)) for code in ("97110", "97140"))
        db.session.flush()
        db.session.add(ProviderSignature(user_id=pt.id, kind="typed", typed_text="Bench Therapist, PT"))
        today = clinic_today(clinic)
        evaluated = today - timedelta(days=7)
        drafts = []
        for n in range(count):
            patient = create_patient(clinic, first_name="Bench", last_name=f"Patient{n:05d}", date_of_birth=date(1950, 3, 4),
                                     phone="6025550142")
            patient.sex = Sex.FEMALE
            patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St",
                                                city="Phoenix", state="AZ", postal_code="850181234")]
            case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Low back pain", discipline=Discipline.PT,
                        therapist_id=pt.id, has_finalized_notes=True)
            case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=medicare.id, subscriber_id="1EG4TE5MK72",
                                        start_date=today - timedelta(days=400), end_date=today + timedelta(days=365),
                                        insured_relationship=InsuredRelationship.SELF)]
            case.authorizations = [Authorization(number=f"A{n:05d}", start_date=today - timedelta(days=30),
                                                 end_date=today + timedelta(days=60), visits_authorized=20, visits_used=1)]
            db.session.add(case)
            db.session.flush()
            soap = {"subjective": "Low back pain 4/10 after work; did the home exercises daily.",
                    "objective": "Lumbar flexion 55 deg. Therapeutic exercise: bridges 3x10, bird dog 2x10, 25 min (97110). "
                                 "Manual therapy: lumbar PA mobilization L3-L5, 10 min (97140).",
                    "assessment": "Improving lumbar mobility and lumbopelvic control; tolerated the session well.",
                    "plan": "Continue 2x/week per the plan of care."}
            evaluation = Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.INITIAL_EVALUATION,
                              date_of_service=evaluated, author_id=pt.id, status=NoteStatus.FINALIZED, finalized_by_id=pt.id,
                              finalized_at=utcnow(), goals=[{"term": "long", "text": "Lift 20 lb without pain", "status": "progressing"}],
                              frequency_per_week=2, duration_weeks=6, interventions="Therapeutic exercise, manual therapy",
                              plan_start=evaluated, plan_end=evaluated + timedelta(days=41), **soap)
            evaluation.diagnoses = [NoteDiagnosis(position=0, code="M54.50", description="Low back pain, unspecified", is_treating=True)]
            evaluation.signatures = [NoteSignature(role="provider", user_id=pt.id, name=pt.name, credentials="PT", kind="typed",
                                                   typed_text="Bench Therapist, PT")]
            daily = Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.DAILY_NOTE, date_of_service=today,
                         author_id=pt.id, status=NoteStatus.DRAFT,
                         measurements=[{"kind": "Pain (0-10)", "site": "Low back", "value": "4"}], **soap)
            db.session.add_all([evaluation, daily])
            db.session.flush()
            evaluation.content_sha256 = note_sha256(evaluation)
            db.session.add(PlanCertification(note_id=evaluation.id, sent_on=evaluated, signed_on=evaluated + timedelta(days=2)))
            drafts.append(daily.id)
            store_lines(daily, note_charges(daily, clinic, evaluation, CHARGES).charges)
        db.session.commit()
        shas = {note.id: note_sha256(note) for note in db.session.scalars(select(Note).where(Note.id.in_(drafts)))}
        return {"clinic_id": clinic.id, "user_id": pt.id, "drafts": drafts, "shas": shas}


# -- the two operations ------------------------------------------------------------------------------
class StatementCounter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.on, self.count, self.statements = False, 0, []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.count += 1
            self.statements.append(" ".join(statement.split()))

    def start(self):
        self.on, self.count, self.statements = True, 0, []

    def stop(self) -> int:
        self.on = False
        return self.count


def note_statement():
    """The finalize route's statement for the note (core.notes.views._note_statement)."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from core.cases import Case, CasePolicy
    from core.notes import Note

    return select(Note).options(
        joinedload(Note.case).joinedload(Case.policies).joinedload(CasePolicy.insurance),
        joinedload(Note.patient), joinedload(Note.author), joinedload(Note.diagnoses),
    )


def finalize_once(app, data: dict, note_id: int, counter: StatementCounter) -> float:
    """``finalize_note`` on ``note_id`` in a fresh request context; the seconds it took."""
    from flask import g

    from core.accounts import User
    from core.extensions import db
    from core.notes import Note, NoteStatus, finalize_note
    from core.plugin_host import plugin_host
    from core.tenancy import Clinic

    with app.test_request_context("/notes/finalize", method="POST", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        note = db.session.scalars(note_statement().where(Note.id == note_id)).unique().one()
        clinic = db.session.get(Clinic, data["clinic_id"])
        user = db.session.get(User, data["user_id"])
        user.permission_set, user.user_type  # noqa: B018  (preloaded with the signed-in user in a request)
        plugin_host().enabled_names(clinic.id)  # read with the request's clinics in a request
        g._login_user = user  # current_user, for the audit event's actor
        counter.start()
        started = time.perf_counter()
        warnings = finalize_note(note, clinic, user)
        elapsed = time.perf_counter() - started
        counter.stop()
        if warnings or note.status is not NoteStatus.FINALIZED:
            sys.exit(f"note {note_id} finalized with warnings {warnings} or not at all")
    return elapsed


def bare_once(app, data: dict, note_id: int, counter: StatementCounter) -> float:
    """The same rows written with Core statements in one transaction; the seconds the writes and the
    commit took."""
    from sqlalchemy import select

    from core.audit import AuditEvent
    from core.billing import ChargeLine
    from core.cases import Authorization
    from core.extensions import db, utcnow
    from core.notes import Note, NoteSignature, NoteStatus

    note, signature, audit, authorization, lines = (Note.__table__, NoteSignature.__table__, AuditEvent.__table__,
                                                    Authorization.__table__, ChargeLine.__table__)
    with app.app_context():
        with db.engine.connect() as conn:
            transaction = conn.begin()
            row = conn.execute(select(note.c.version, note.c.case_id, note.c.date_of_service, note.c.clinic_id)
                               .where(note.c.id == note_id)).one()
            counter.start()
            started = time.perf_counter()
            now = utcnow()
            updated = conn.execute(note.update().where(note.c.id == note_id, note.c.version == row.version).values(
                status=NoteStatus.FINALIZED, finalized_at=now, finalized_by_id=data["user_id"],
                content_sha256=data["shas"][note_id], version=row.version + 1))
            conn.execute(signature.insert().values(note_id=note_id, role="provider", user_id=data["user_id"], name="Bench Therapist",
                                                   credentials="PT", signed_at=now, kind="typed", typed_text="Bench Therapist, PT"))
            conn.execute(audit.insert().values(occurred_at=now, actor_id=data["user_id"], clinic_id=row.clinic_id, action="note.finalize",
                                               object_type="note", object_id=str(note_id), summary="Daily Note finalized",
                                               remote_addr="127.0.0.1"))
            conn.execute(authorization.update().where(
                authorization.c.case_id == row.case_id, authorization.c.start_date <= row.date_of_service,
                authorization.c.end_date >= row.date_of_service).values(visits_used=authorization.c.visits_used + 1))
            conn.execute(lines.update().where(lines.c.note_id == note_id).values(billed=True))
            transaction.commit()
            elapsed = time.perf_counter() - started
            counter.stop()
            if updated.rowcount != 1:
                sys.exit(f"note {note_id}: the bare UPDATE matched {updated.rowcount} rows")
    return elapsed


def check(app, data: dict, finalized: list[int], bare: list[int]) -> None:
    """Both kinds of notes ended finalized, intact, signed once, with one visit counted each."""
    from sqlalchemy import func, select

    from core.cases import Authorization
    from core.extensions import db
    from core.notes import Note, NoteSignature, NoteStatus
    from core.notes.content import is_intact

    with app.app_context():
        notes = db.session.scalars(select(Note).where(Note.id.in_(finalized + bare))).all()
        bad = [n.id for n in notes if n.status is not NoteStatus.FINALIZED or not is_intact(n) or len(n.signatures) != 1]
        used = dict(db.session.execute(select(Authorization.case_id, Authorization.visits_used)
                                       .where(Authorization.case_id.in_([n.case_id for n in notes]))).all())
        signatures = db.session.scalar(select(func.count(NoteSignature.id)).where(NoteSignature.note_id.in_(finalized + bare)))
    if bad or len(notes) != len(finalized + bare) or set(used.values()) != {2} or signatures != len(notes):
        sys.exit(f"check failed: notes not finalized and intact: {bad[:10]}; visits used {sorted(set(used.values()))}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench-finalize.sqlite'}"
        if url.startswith("postgresql"):
            ensure_postgres_database(url, args.rebuild)

        from core import create_app
        from core.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        total = (args.runs + WARM_UP) * 2
        started = time.perf_counter()
        data = build(app, total)
        print(f"built {total} cases with a draft daily note each in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            dialect = f"{db.engine.dialect.name} ({db.engine.dialect.driver})"
            counter = StatementCounter(db.engine)
        drafts = iter(data["drafts"])
        timings = {"finalize": [], "bare": []}
        statements = {"finalize": [], "bare": []}
        used = {"finalize": [], "bare": []}
        operations = {"finalize": finalize_once, "bare": bare_once}
        for n in range(WARM_UP + args.runs):
            order = ("finalize", "bare") if n % 2 == 0 else ("bare", "finalize")
            for name in order:
                note_id = next(drafts)
                seconds = operations[name](app, data, note_id, counter)
                used[name].append(note_id)
                if n >= WARM_UP:
                    timings[name].append(seconds * 1000)
                    statements[name].append(counter.count)
                if args.show_sql and n == WARM_UP:
                    print(f"== {name}: {counter.count} statements")
                    for statement in counter.statements:
                        print(f"   {statement[:200]}")
        check(app, data, used["finalize"], used["bare"])

    print(f"\n== finalize: {dialect}, a Medicare daily note, plugins on: {', '.join(PLUGINS)}; {args.runs} operations of each "
          f"kind, interleaved, after {WARM_UP} warm-up")
    print(f"{'operation':<28} {'median ms':>9} {'p95 ms':>7} {'statements':>10}")
    rows = (("finalize_note", "finalize"), ("bare insert (4 statements)", "bare"))
    for label, key in rows:
        print(f"{label:<28} {statistics.median(timings[key]):>9.2f} {p95(timings[key]):>7.2f} "
              f"{statistics.median(statements[key]):>10.0f}")
    ratio_median = statistics.median(timings["finalize"]) / statistics.median(timings["bare"])
    ratio_p95 = p95(timings["finalize"]) / p95(timings["bare"])
    print(f"{'ratio finalize / bare':<28} {ratio_median:>8.1f}x {ratio_p95:>6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
