#!/usr/bin/env python
"""Benchmark Caseload's main pages against their stack's ceiling, side by side, in one run.

The ceiling (``scripts/bench_ceiling.py``) is a bare Flask + Jinja app that renders the same rows with the
same markup (Caseload's own templates, checked: the two pages' HTML is compared) from one raw SQL query
per page, through the same driver (sqlite3 or psycopg). Whatever Caseload spends above it is Caseload's.

Two modes:

* **pages** (default): in one process, each page of Caseload and of the ceiling is requested in turn,
  interleaved, ``--runs`` times; the table gives the median server time (inside the WSGI call), the
  ratio, the SQL statements per request and whether the markup matched.
* **load** (``--load``): gunicorn with ``--workers`` workers serves Caseload, then the ceiling, on the
  same database; wrk (Debian's package) requests the pages round-robin with ``--connections`` connections
  for ``--duration`` seconds; the table gives requests/s and p50/p95/p99 latency for both.

The database is built once and reused (the demo, plus ``--patients`` patients and ``--users`` users in the
demo's Camelback clinic, every plugin switched on there, and bulk notes: see ``add_notes``); ``--rebuild``
builds it again.

    .venv/bin/python scripts/bench_pages.py                                   # SQLite, instance/bench/
    .venv/bin/python scripts/bench_pages.py --database-url postgresql://postgres@127.0.0.1:5432/caseload_bench
    .venv/bin/python scripts/bench_pages.py --database-url postgresql://postgres@127.0.0.1:5432/caseload_bench --load

A PostgreSQL database named in the URL is created when missing. Nothing here is real patient data.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

BENCH_EMAIL = "admin@demo.test"
BENCH_PASSWORD = "demo-password"  # noqa: S105  (the demo data's published password)
BENCH_CLINIC = "Saguaro PT - Camelback"
USER_BATCH = 1000
NOTE_CASES = 1000  # bulk patients at Camelback given a case with an evaluation and daily notes, all finalized
DAILIES_PER_CASE = 4
OPEN_NOTES = 30  # the bench user's own open notes on those cases (My Notes): drafts, returned, pending co-signature
COSIGN_NOTES = 30  # notes forwarded to the bench user for co-signature (Incomplete Cosign Docs)
CASE_TITLES = ("Low back pain", "Neck pain", "Right knee osteoarthritis", "Left shoulder impingement", "Ankle sprain",
               "Total hip replacement rehab", "Plantar fasciitis", "Lateral epicondylitis")


@dataclass(frozen=True)
class Page:
    """One main page: its name in the table and its path (filled in from the bench database)."""

    name: str
    path: str


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a SQLite file in instance/bench/)")
    parser.add_argument("--patients", type=int, default=100_000, help="patients added to the demo (default 100000)")
    parser.add_argument("--users", type=int, default=2_000, help="users added to the demo clinic (default 2000)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it holds the bench data")
    parser.add_argument("--runs", type=int, default=40, help="measured requests per page and app (default 40)")
    parser.add_argument("--pages", help="comma-separated page names to measure (default: all)")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one request of each page")
    parser.add_argument("--load", action="store_true", help="throughput mode: gunicorn + wrk, Caseload and ceiling")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in --load mode (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections in --load mode (default 8)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per app in --load mode (default 20)")
    return parser.parse_args(argv)


# -- the bench database ------------------------------------------------------------------------------
def default_url(args) -> str:
    folder = REPO / "instance" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'bench-{args.patients}-{args.users}.sqlite'}"


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


def bench_counts(db) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from core.accounts import User
    from core.notes.models import Note
    from core.patients import Patient

    users = db.session.scalar(select(func.count(User.id)).where(User.email.like("bench%@example.test"))) or 0
    patients = db.session.scalar(select(func.count(Patient.id))) or 0
    notes = db.session.scalar(select(func.count(Note.id))) or 0
    return patients, users, notes


def richest_patient(db, clinic_id: int) -> tuple[int, int]:
    """The benched chart and case: the Camelback patient with the most cases, then the most account notes (then
    the lowest id), and that patient's first case."""
    from sqlalchemy import func, select

    from core.cases import Case
    from core.patients import AccountNote, Patient

    cases = select(Case.patient_id, func.count(Case.id).label("n")).where(Case.clinic_id == clinic_id).group_by(Case.patient_id).subquery()
    notes = select(AccountNote.patient_id, func.count(AccountNote.id).label("n")).group_by(AccountNote.patient_id).subquery()
    patient_id = db.session.execute(
        select(Patient.id).join(cases, cases.c.patient_id == Patient.id).outerjoin(notes, notes.c.patient_id == Patient.id)
        .order_by(cases.c.n.desc(), func.coalesce(notes.c.n, 0).desc(), Patient.id).limit(1)).scalar_one()
    return patient_id, db.session.scalar(select(Case.id).where(Case.patient_id == patient_id).order_by(Case.id))


def build(app, args) -> None:
    """Migrate, seed the demo, add the bench patients, users and notes, switch every plugin on at Camelback."""
    from bench_patient_search import load
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from core.accounts import User, UserStatus, UserType
    from core.demo.seed import seed_demo
    from core.extensions import db
    from core.patients import Patient, PatientPhone
    from core.plugin_host import plugin_host, set_plugin_enabled
    from core.tenancy import Clinic, ClinicAccess

    with app.app_context():
        upgrade(directory=str(REPO / "core" / "migrations"), revision="heads")
        if db.session.scalar(select(Clinic.id).limit(1)) is not None:
            patients, users, notes = bench_counts(db)
            if users == args.users and patients >= args.patients and notes >= NOTE_CASES * (1 + DAILIES_PER_CASE):
                print(f"reusing the bench database ({patients:,} patients, {users:,} bench users, {notes:,} notes)")
                return
            sys.exit("the database holds other data (or a bench build from before the notes): pass --rebuild "
                     "(or another --database-url)")
        started = time.perf_counter()
        seed_demo()
        clinic = db.session.scalar(select(Clinic).where(Clinic.name == BENCH_CLINIC))
        other = db.session.scalar(select(Clinic).where(Clinic.name != BENCH_CLINIC))
        for name in plugin_host().plugins:
            set_plugin_enabled(clinic, name, True)
        db.session.commit()
        first_id = (db.session.scalar(select(func.max(Patient.id))) or 0) + 1
        first_phone = (db.session.scalar(select(func.max(PatientPhone.id))) or 0) + 1
        load([clinic.id, other.id], args.patients, random.Random(20240601), first_id=first_id, first_phone_id=first_phone)
        admin = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
        types = list(UserType)
        for start in range(0, args.users, USER_BATCH):
            rows = [{"email": f"bench{n:05d}@example.test", "first_name": "Bench", "last_name": f"User{n:05d}",
                     "user_type": types[n % len(types)], "status": UserStatus.ACTIVE, "is_admin": False,
                     "password_hash": admin.password_hash, "session_nonce": "bench", "failed_logins": 0}
                    for n in range(start, min(start + USER_BATCH, args.users))]
            db.session.execute(insert(User), rows)
        ids = db.session.scalars(select(User.id).where(User.email.like("bench%@example.test"))).all()
        db.session.execute(insert(ClinicAccess), [{"user_id": i, "clinic_id": clinic.id, "is_default": True} for i in ids])
        db.session.commit()
        camelback_bulk = [pid for pid in range(first_id, first_id + args.patients) if pid % 2 == 0][:NOTE_CASES]
        notes = add_notes(db, clinic, admin, camelback_bulk, random.Random(20240602))
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(f"built the bench database in {time.perf_counter() - started:.0f} s ({notes:,} bench notes)")


def add_notes(db, clinic, admin, patient_ids: list[int], rng: random.Random) -> int:
    """Bulk notes, inserted as finalize would leave them (status, dates, signatures, SHA-256; no audit events):

    * the benched case (``richest_patient``): a Medicare episode of eleven weeks by its therapist: the Initial
      Evaluation (its plan certified by the physician), daily notes twice a week (every third by the demo's PTA,
      co-signed), a Progress Note / Re-Certification on the 11th treatment day (sent to the physician, not signed
      back: overdue), more daily notes (a progress report is due again), the PTA's latest daily note pending
      co-signature and today's draft: two pages of notes on the chart and the case page, the clocks with two
      warnings;
    * ``patient_ids`` (bulk patients at Camelback): one PT case each with a bench PT as therapist, an Initial
      Evaluation and ``DAILIES_PER_CASE`` daily notes, finalized;
    * the bench user's open notes on the first ``OPEN_NOTES`` of those cases (drafts, returned, forwarded to a
      bench PT) and ``COSIGN_NOTES`` daily notes of bench PTAs forwarded to the bench user: two pages each of My
      Notes and Incomplete Cosign Docs.

    Returns the number of notes added."""
    from datetime import datetime, timedelta
    from datetime import time as clock
    from types import SimpleNamespace

    from sqlalchemy import func, insert, select, text

    from core.accounts import User, UserType
    from core.cases import Case, CaseStatus, Discipline
    from core.notes.actions import clinic_today
    from core.notes.content import canonical_content, content_sha256
    from core.notes.models import Note, NoteDiagnosis, NoteSignature, PlanCertification
    from core.notes.workflow import NoteKind, NoteStatus

    today = clinic_today(clinic)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.user_type.in_((UserType.PT, UserType.PTA))))}
    pts = [i for i, u in sorted(users.items()) if u.user_type is UserType.PT and u.email.startswith("bench")]
    ptas = [i for i, u in sorted(users.items()) if u.user_type is UserType.PTA and u.email.startswith("bench")]
    demo_pta = next(i for i, u in users.items() if u.email == "pta@demo.test")
    users[admin.id] = admin
    next_note = (db.session.scalar(select(func.max(Note.id))) or 0) + 1
    notes, diagnoses, signatures, certifications = [], [], [], []

    def at(day, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock(hour, minute))

    def sign(note_id: int, role: str, user_id: int, when: datetime) -> None:
        u = users[user_id]
        signatures.append({"note_id": note_id, "role": role, "user_id": user_id, "name": f"{u.first_name} {u.last_name}",
                           "credentials": u.user_type.value, "signed_at": when})

    def note(case: dict, kind: NoteKind, day, author: int, status: NoteStatus = NoteStatus.FINALIZED, *,
             cosigner: int | None = None, plan_weeks: int = 6) -> int:
        nonlocal next_note
        note_id, next_note = next_note, next_note + 1
        pain = rng.randint(1, 7)
        row = {"id": note_id, "clinic_id": clinic.id, "patient_id": case["patient_id"], "case_id": case["id"], "kind": kind,
               "status": status, "date_of_service": day, "author_id": author, "cosigner_id": cosigner, "supervised_by_id": None,
               "version": 1, "subjective": f"{case['title']}: pain {pain}/10 today; home program done most days.",
               "objective": f"Therapeutic exercise 25 minutes, manual therapy 10 minutes. Pain {pain}/10 after the session.",
               "measurements": [{"kind": "Pain (0-10)", "site": case["title"], "value": str(pain)}],
               "assessment": "Tolerated the session well; progressing toward the goals.",
               "plan": "Continue the plan of care; progress the home program.", "goals": [], "frequency_per_week": None,
               "duration_weeks": None, "interventions": "", "plan_start": None, "plan_end": None, "sections": {},
               "do_not_bill": False, "return_comment": "", "assistant_verbiage": "", "copied_from_id": None,
               "charges_need_update": False, "created_at": at(day, 15), "updated_at": at(day, 16), "forwarded_at": None,
               "finalized_at": None, "finalized_by_id": None, "content_sha256": None}
        dx = []
        if kind.is_evaluative:
            row.update(goals=[{"term": "short", "text": "Independent with the home exercise program in 2 weeks", "status": "progressing"},
                              {"term": "long", "text": "Return to prior level of function in 6 weeks", "status": "progressing"}],
                       frequency_per_week=2, duration_weeks=plan_weeks, plan_start=day,
                       plan_end=day + timedelta(weeks=plan_weeks, days=-1),
                       interventions="Therapeutic exercise (97110), manual therapy (97140), home exercise program.")
            dx = [{"note_id": note_id, "position": 0, "code": "M62.81", "description": "Muscle weakness (generalized)", "is_treating": True}]
            diagnoses.extend(dx)
        if cosigner is not None:
            row["forwarded_at"] = at(day, 17, len(notes) % 60)
        if status is NoteStatus.RETURNED:
            row["return_comment"] = "Add the minutes of each intervention, then forward it again."
        if status is NoteStatus.FINALIZED:
            finisher = cosigner or author
            row.update(finalized_at=at(day, 18), finalized_by_id=finisher)
            sign(note_id, "provider", author, row["forwarded_at"] or row["finalized_at"])
            if cosigner is not None:
                sign(note_id, "co-signer", cosigner, row["finalized_at"])
            document = canonical_content(SimpleNamespace(**row, diagnoses=[SimpleNamespace(code=d["code"], is_treating=True) for d in dx]))
            row["content_sha256"] = content_sha256(document)
        notes.append(row)
        return note_id

    # The benched case: a Medicare episode, two pages of notes, the clocks with alerts.
    patient_id, case_id = richest_patient(db, clinic.id)
    bench_case = db.session.get(Case, case_id)
    case = {"id": bench_case.id, "patient_id": bench_case.patient_id, "title": bench_case.title}
    pt = bench_case.therapist_id
    start = today - timedelta(days=77)
    ie = note(case, NoteKind.INITIAL_EVALUATION, start, pt)
    certifications.append({"note_id": ie, "sent_on": start + timedelta(days=1), "signed_on": start + timedelta(days=12),
                           "received_on": start + timedelta(days=14), "updated_at": at(start, 12), "updated_by_id": pt})
    visits, day = [], start
    while (day := day + timedelta(days=3 + len(visits) % 2)) < today:
        visits.append(day)
    for n, day in enumerate(visits[:-1], start=1):
        if n == 10:
            pn = note(case, NoteKind.PROGRESS_NOTE, day, pt, plan_weeks=8)
            certifications.append({"note_id": pn, "sent_on": day + timedelta(days=1), "updated_at": at(day, 12), "updated_by_id": pt})
        elif n % 3 == 0:
            note(case, NoteKind.DAILY_NOTE, day, demo_pta, cosigner=pt)
        else:
            note(case, NoteKind.DAILY_NOTE, day, pt)
    note(case, NoteKind.DAILY_NOTE, visits[-1], demo_pta, NoteStatus.PENDING_COSIGNATURE, cosigner=pt)
    note(case, NoteKind.DAILY_NOTE, today, pt, NoteStatus.DRAFT)

    # Bulk cases with finalized notes; the bench user's open notes and the notes forwarded to them.
    next_case = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    cases = []
    for n, pid in enumerate(patient_ids):
        therapist = pts[n % len(pts)]
        day = today - timedelta(days=rng.randint(30, 400))
        case = {"id": next_case + n, "clinic_id": clinic.id, "patient_id": pid, "title": rng.choice(CASE_TITLES),
                "discipline": Discipline.PT, "therapist_id": therapist, "referral_date": day - timedelta(days=7),
                "onset_date": day - timedelta(days=30), "status": CaseStatus.ACTIVE, "has_finalized_notes": True,
                "created_at": at(day - timedelta(days=7), 15)}
        cases.append(case)
        note(case, NoteKind.INITIAL_EVALUATION, day, therapist)
        for _ in range(DAILIES_PER_CASE):
            day += timedelta(days=rng.randint(2, 5))
            note(case, NoteKind.DAILY_NOTE, day, therapist)
        case["last_day"] = day
    def recent(case: dict):  # an open note's date: the last two weeks, after the case's finalized notes
        return max(case["last_day"] + timedelta(days=1), today - timedelta(days=rng.randint(0, 14)))

    for n, case in enumerate(cases[:OPEN_NOTES]):
        status = (NoteStatus.DRAFT, NoteStatus.DRAFT, NoteStatus.RETURNED, NoteStatus.PENDING_COSIGNATURE)[n % 4]
        cosigner = pts[(n + 1) % len(pts)] if status is not NoteStatus.DRAFT else None
        note(case, NoteKind.DAILY_NOTE, recent(case), admin.id, status, cosigner=cosigner)
    for n, case in enumerate(cases[OPEN_NOTES:OPEN_NOTES + COSIGN_NOTES]):
        note(case, NoteKind.DAILY_NOTE, recent(case), ptas[n % len(ptas)], NoteStatus.PENDING_COSIGNATURE, cosigner=admin.id)

    db.session.execute(insert(Case), [{k: v for k, v in c.items() if k != "last_day"} for c in cases])
    for batch in range(0, len(notes), 2000):
        db.session.execute(insert(Note), notes[batch:batch + 2000])
    db.session.execute(insert(NoteDiagnosis), diagnoses)
    db.session.execute(insert(NoteSignature), signatures)
    db.session.execute(insert(PlanCertification), certifications)
    bench_case.has_finalized_notes = True
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids were inserted: move the sequences past them
        for table in ("patient_case", "note"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))  # noqa: S608  (fixed table names)
        db.session.commit()
    return len(notes)


def bench_pages(app) -> list[Page]:
    """The main pages, with the ids of the demo's richest patient and case at Camelback."""
    from sqlalchemy import select

    from core.extensions import db
    from core.patients import Patient
    from core.tenancy import Clinic

    with app.app_context():
        clinic_id = db.session.scalar(select(Clinic.id).where(Clinic.name == BENCH_CLINIC))
        patient_id, case_id = richest_patient(db, clinic_id)
        last_name = db.session.scalar(select(Patient.last_name).where(Patient.id == patient_id))
    return [
        Page("Home", "/"),
        Page("Patient Manager", "/patients/"),
        Page("search", "/patients/?" + urllib.parse.urlencode({"q": last_name[:3]})),
        Page("chart", f"/patients/{patient_id}"),
        Page("case page", f"/patients/{patient_id}/cases/{case_id}"),
        Page("User Manager", "/users/"),
        Page("insurances", "/settings/insurances/"),
        Page("audit trail", "/admin/audit/"),
        Page("My Notes", "/notes/"),
        Page("Incomplete Cosign Docs", "/notes/cosign"),
    ]


# -- pages mode --------------------------------------------------------------------------------------
class ServerTimer:
    """WSGI middleware: the time spent inside the app for the last request, response body included."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.last = wsgi_app, 0.0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        body = b"".join(self.wsgi_app(environ, start_response))
        self.last = time.perf_counter() - started
        return [body]


class StatementCounter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.count, self.statements = 0, []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.statements.append(" ".join(statement.split()))


def sign_in(client) -> None:
    """Sign in through the real form, CSRF token and all."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1) or token.group(2), "email": BENCH_EMAIL,
                                           "password": BENCH_PASSWORD})
    if response.status_code not in (302, 303):
        sys.exit(f"sign-in failed ({response.status_code})")


CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=|"X-CSRFToken": ")"?[^"\'>]+')
VOLATILE = re.compile(r'\d{2}/\d{2}/\d{4},? \d{1,2}:\d{2}(?: [AP]M)?(?: \w+)?')


def same_markup(a: str, b: str) -> tuple[bool, int]:
    """Whether two pages are the same HTML once CSRF tokens are blanked; and the number of differing lines."""
    import difflib

    a_lines = CSRF_VALUE.sub(r"\1", a).splitlines()
    b_lines = CSRF_VALUE.sub(r"\1", b).splitlines()
    changed = [d for d in difflib.unified_diff(a_lines, b_lines, lineterm="", n=0)
               if d[:1] in "+-" and not d.startswith(("+++", "---"))]
    return not changed, len(changed)


def measure_pages(app, ceiling, pages: list[Page], runs: int, show_sql: bool, show_diff: bool) -> list[dict]:
    from core.extensions import db

    app.wsgi_app = caseload_timer = ServerTimer(app.wsgi_app)
    ceiling.wsgi_app = ceiling_timer = ServerTimer(ceiling.wsgi_app)
    client, ceiling_client = app.test_client(), ceiling.test_client()
    with app.app_context():
        counter = StatementCounter(db.engine)
    sign_in(client)
    results = []
    for page in pages:
        ours = client.get(page.path)
        theirs = ceiling_client.get(page.path)
        if ours.status_code != 200 or theirs.status_code != 200:
            sys.exit(f"{page.name}: Caseload answered {ours.status_code}, the ceiling {theirs.status_code}")
        same, differing = same_markup(ours.get_data(as_text=True), theirs.get_data(as_text=True))
        if show_diff and not same:
            import difflib

            print(f"== markup differences on {page.name}")
            for line in difflib.unified_diff(CSRF_VALUE.sub(r"\1", ours.get_data(as_text=True)).splitlines(),
                                             CSRF_VALUE.sub(r"\1", theirs.get_data(as_text=True)).splitlines(),
                                             "caseload", "ceiling", lineterm="", n=0):
                print("  " + line[:200])
        results.append({"page": page, "ours": [], "theirs": [], "statements": [], "bytes": len(ours.data),
                        "ceiling_bytes": len(theirs.data), "same": same, "differing": differing,
                        "ceiling_statements": ceiling.config["STATEMENTS_PER_PAGE"]})
    for _ in range(3):  # warm-up
        for page in pages:
            client.get(page.path), ceiling_client.get(page.path)
    for _ in range(runs):
        for result in results:
            counter.count, counter.statements = 0, []
            client.get(result["page"].path)
            result["ours"].append(caseload_timer.last * 1000)
            result["statements"].append(counter.count)
            ceiling_client.get(result["page"].path)
            result["theirs"].append(ceiling_timer.last * 1000)
    if show_sql:
        for result in results:
            counter.count, counter.statements = 0, []
            client.get(result["page"].path)
            print(f"== {result['page'].name}: {counter.count} statements")
            for statement in counter.statements:
                print(f"   {statement[:160]}")
    return results


def print_pages(results: list[dict], dialect: str, args) -> None:
    print(f"\n== pages: {dialect}, demo + {args.patients:,} patients + {args.users:,} users, every plugin on; "
          f"median of {args.runs} interleaved requests")
    print(f"{'page':<22} {'Caseload ms':>11} {'ceiling ms':>10} {'ratio':>6} {'SQL':>4} {'ceiling SQL':>11} "
          f"{'KB':>6} {'same markup':>11}")
    for r in results:
        ours, theirs = statistics.median(r["ours"]), statistics.median(r["theirs"])
        statements = statistics.median(r["statements"])
        markup = "yes" if r["same"] else f"{r['differing']} lines"
        print(f"{r['page'].name:<22} {ours:>11.2f} {theirs:>10.2f} {ours / theirs:>6.2f} {statements:>4.0f} "
              f"{r['ceiling_statements']:>11} {r['bytes'] / 1024:>6.1f} {markup:>11}")


# -- load mode ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app_spec: str, workers: int, env: dict, cwd: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",  # noqa: S603  (fixed arguments)
                                "--log-level", "warning", app_spec], cwd=cwd, env=env, start_new_session=True)
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login" if "core" in app_spec else  # noqa: S310  (http://127.0.0.1 only)
                                        f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, port
        except OSError:
            if process.poll() is not None:
                sys.exit(f"gunicorn {app_spec} exited with {process.returncode}")
            time.sleep(0.1)
    sys.exit(f"gunicorn {app_spec} did not answer")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def http_sign_in(port: int) -> str:
    """Sign in through the real form over HTTP; return the Cookie header for the load."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    data = urllib.parse.urlencode({"csrf_token": token.group(1) or token.group(2), "email": BENCH_EMAIL,
                                   "password": BENCH_PASSWORD}).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=data).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(f"http://127.0.0.1:{port}/users/", headers={"Cookie": cookie})
    with urllib.request.build_opener(NoRedirect).open(check) as response:
        if response.status != 200:
            sys.exit("sign-in over HTTP failed")
    return cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run_wrk(port: int, pages: list[Page], cookie: str, args) -> dict:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    env = {**os.environ, "BENCH_PATHS": "\n".join(p.path for p in pages), "BENCH_COOKIE": cookie}
    output = subprocess.run(["wrk", "--threads", "1", "--connections", str(args.connections), "--duration",  # noqa: S603, S607  (wrk, fixed arguments)
                             f"{args.duration}s", "--timeout", "10s", "--script", str(HERE / "bench_mixed.lua"),
                             f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=True).stdout
    summary = json.loads(output[output.index("BENCH_JSON") + len("BENCH_JSON"):].strip())
    if summary["non2xx"] or summary["errors"]:
        sys.exit(f"the load got {summary['non2xx']} non-2xx answers and {summary['errors']} errors:\n{output}")
    return summary


def measure_load(url: str, pages: list[Page], args) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "core", "CASELOAD_LOGIN_RATE_LIMIT": "1000 per minute"}
    rows = []
    process, port = start_gunicorn("core:create_app()", args.workers, env, REPO)
    try:
        cookie = http_sign_in(port)
        run_wrk(port, pages, cookie, argparse.Namespace(**{**vars(args), "duration": 3}))  # warm-up
        rows.append(("Caseload", run_wrk(port, pages, cookie, args)))
    finally:
        stop(process)
    process, port = start_gunicorn("bench_ceiling:create_ceiling_app_from_environment()", args.workers,
                                   {**env, "BENCH_PATHS": json.dumps([p.path for p in pages])}, HERE)
    try:
        run_wrk(port, pages, "", argparse.Namespace(**{**vars(args), "duration": 3}))
        rows.append(("ceiling", run_wrk(port, pages, "", args)))
    finally:
        stop(process)
    print(f"\n== load: gunicorn --workers {args.workers}, wrk 1 thread {args.connections} connections "
          f"{args.duration} s, the {len(pages)} pages round-robin")
    print(f"{'app':<10} {'requests/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'requests':>9}")
    for name, s in rows:
        print(f"{name:<10} {s['requests'] / s['seconds']:>10.0f} {s['p50'] / 1000:>7.1f} {s['p95'] / 1000:>7.1f} "
              f"{s['p99'] / 1000:>7.1f} {s['requests']:>9}")


def main(argv=None) -> int:
    args = parse_args(argv)
    url = args.database_url or default_url(args)
    if url.startswith("postgresql"):
        ensure_postgres_database(url, args.rebuild)
    elif args.rebuild and url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    from core import create_app
    from core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOGIN_RATE_LIMIT": "1000 per minute"})
    build(app, args)
    pages = bench_pages(app)
    if args.pages:
        wanted = {name.strip() for name in args.pages.split(",")}
        pages = [p for p in pages if p.name in wanted]
    with app.app_context():
        dialect = db.engine.dialect.name
    if args.load:
        measure_load(url, pages, args)
        return 0
    from bench_ceiling import create_ceiling_app

    ceiling = create_ceiling_app(url, [p.path for p in pages])
    results = measure_pages(app, ceiling, pages, args.runs, args.show_sql, show_diff=args.show_sql)
    print_pages(results, dialect, args)
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
