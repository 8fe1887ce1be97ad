"""The Patient Manager's search is index-served and its query count does not grow with the patients.

For every kind of search term (last name prefix, "last, first", "first last", date of birth, phone, chart
number) the page, with every installed plugin on, runs the same number of SQL statements with 10 and with
300 patients, and the plans of
the statements that read ``patient`` / ``patient_phone`` use an index:

* SQLite: ``EXPLAIN QUERY PLAN`` shows a SEARCH using an index (or the rowid) for those tables, never a SCAN.
* PostgreSQL: after ``SET enable_seqscan = off`` on the same connection, ``EXPLAIN`` shows an index scan on
  those tables and no sequential scan (with the planner free to choose, it may still scan a tiny table).

The plans are taken of the statements the page actually ran, with their parameters.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, insert, select, text

from core.extensions import db
from core.patients import Patient, PatientPhone, PhoneType, create_patient
from core.patients.models import search_key
from core.plugin_host import plugin_host
from core.web import Permission

TARGET = {"first": "María", "last": "Rivera", "dob": date(1961, 4, 12), "phone": "6025550142"}

# kind, search term (None: the target's chart number), the indexes that may serve the kind (a pattern)
NAME_INDEXES = r"ix_patient_clinic_(first_)?name"
SEARCH_KINDS = [
    ("last name prefix", "riv", NAME_INDEXES),
    ("last, first", "Rivera, mar", NAME_INDEXES),
    ("first last", "maria riv", NAME_INDEXES),
    ("date of birth", "04/12/1961", r"ix_patient_clinic_dob"),
    ("phone", "(602) 555-0142", r"ix_patient_phone_number"),
    ("chart number", None, r"uq_patient_clinic_id|sqlite_autoindex_patient_1"),  # the (clinic_id, chart_number) key
]
PATIENT_TABLES = re.compile(r"\b(FROM|JOIN)\s+patient(_phone)?\b")


@pytest.fixture
def target(clinic):
    patient = create_patient(clinic, first_name=TARGET["first"], last_name=TARGET["last"], date_of_birth=TARGET["dob"],
                             phone=TARGET["phone"], phone_type=PhoneType.MOBILE)
    db.session.commit()
    return patient


def add_fillers(clinics, count: int, start: int) -> None:
    """``count`` more patients with a phone each, spread over ``clinics``; none matches the search terms."""
    rows = []
    for n in range(start, start + count):
        first, last = f"Filler{n}", f"Person{n:04d}"
        rows.append({"clinic_id": clinics[n % len(clinics)].id, "chart_number": f"F{n:06d}", "first_name": first,
                     "middle_initial": "", "last_name": last, "first_name_key": search_key(first),
                     "last_name_key": search_key(last), "date_of_birth": date(1950, 1, 1) + timedelta(days=n),
                     "guarantor_is_patient": True})
    db.session.execute(insert(Patient), rows)
    without_phone = db.session.scalars(select(Patient.id).where(Patient.id.not_in(select(PatientPhone.patient_id)))).all()
    db.session.execute(insert(PatientPhone), [
        {"patient_id": pid, "phone_type": PhoneType.HOME, "is_primary": True, "number": f"480{pid:07d}"} for pid in without_phone])
    db.session.commit()


@contextmanager
def statements_run():
    """Collect ``(statement, parameters)`` of everything the engine runs inside the block."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def query_plan(statement: str, parameters) -> list[str]:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # same connection; undone by the rollback below
            lines = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
        else:
            lines = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        conn.rollback()
    return lines


def plan_problems(plan: list[str], dialect: str) -> list[str]:
    """What in one plan is not index-served for the patient tables (empty: all index-served)."""
    problems = []
    if dialect == "sqlite":
        access = [line for line in plan if re.match(r"(SCAN|SEARCH) patient(_phone)?\b", line)]
        problems += [f"full scan: {line}" for line in access if line.startswith("SCAN")]
        problems += [f"no index: {line}" for line in access if line.startswith("SEARCH")
                     and not re.search(r"USING (COVERING INDEX|INDEX|INTEGER PRIMARY KEY)", line)]
        if not access:
            problems.append("no access to patient or patient_phone in the plan")
    else:
        joined = "\n".join(plan)
        problems += [f"sequential scan: {line.strip()}" for line in plan if re.search(r"Seq Scan on patient(_phone)?\b", line)]
        if not re.search(r"(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) \w+ on patient(_phone)?\b|"
                         r"Bitmap Index Scan on (ix_patient|uq_patient|pk_patient)", joined):
            problems.append("no index scan on patient or patient_phone")
    return problems


def clinic_wide_reads(plan: list[str], dialect: str) -> list[str]:
    """Index accesses constrained by the clinic alone: they read every patient of the clinic."""
    if dialect == "sqlite":
        return [line for line in plan if re.match(r"SEARCH patient\b.*\(clinic_id=\?\)$", line)]
    return [line.strip() for line in plan if re.search(r"Index Cond: \(clinic_id = \d+\)$", line.strip())]


def analyze() -> None:
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def measure(client, term: str):
    """Open the Patient Manager with ``term``; return the page and the statements it ran."""
    client.get("/patients/", query_string={"q": term})  # warm up the session and caches
    with statements_run() as seen:
        response = client.get("/patients/", query_string={"q": term})
    assert response.status_code == 200
    return response.get_data(as_text=True), seen


@pytest.mark.parametrize("kind, term, indexes", SEARCH_KINDS, ids=[k[0] for k in SEARCH_KINDS])
def test_patient_search_is_index_served_and_constant_in_queries(client, make_user, make_clinic, clinic, target, enable_plugin,
                                                                kind, term, indexes):
    term = term or target.chart_number
    for name in plugin_host().plugins:  # every installed plugin on: their columns must not add queries per row
        enable_plugin(clinic, name)
    user = make_user([clinic], permissions=[Permission.VIEW_PATIENTS])
    elsewhere = make_clinic("Elsewhere", company=clinic.company)
    client.login(user.email)
    add_fillers([clinic, elsewhere], 9, 0)
    body, small = measure(client, term)
    assert "Rivera, María" in body and "Page 1 of 1 · 1 in all" in body, kind

    add_fillers([clinic, elsewhere], 290, 9)
    assert db.session.scalar(select(db.func.count(Patient.id))) == 300
    body, large = measure(client, term)
    assert "Rivera, María" in body and "Page 1 of 1 · 1 in all" in body, kind
    # (a) the same statements for 10 and for 300 patients
    assert len(small) == len(large), [s for s, _ in large]

    # (b) the statements that read patients use an index. A freshly bulk-loaded table has no statistics
    # (both planners then guess that `clinic_id = ?` alone picks a row or two): ANALYZE first, as autovacuum
    # (PostgreSQL) or `PRAGMA optimize` (SQLite) would have done on a live database.
    analyze()
    dialect = db.engine.dialect.name
    reads = [(s, p) for s, p in large if PATIENT_TABLES.search(s)]
    assert len(reads) >= 2, "expected the count and the page"
    assert any("patient_phone" in s for s, _ in reads), "expected the page's phones (joined to the page)"
    plans = {s: query_plan(s, p) for s, p in reads}
    for statement, plan in plans.items():
        assert not plan_problems(plan, dialect), (kind, statement, plan)
    assert any(re.search(indexes, line) for plan in plans.values() for line in plan), (kind, indexes, plans)


@pytest.mark.parametrize("kind, term, indexes", SEARCH_KINDS, ids=[k[0] for k in SEARCH_KINDS])
def test_no_search_reads_every_patient_of_the_clinic(client, make_user, make_clinic, clinic, target, kind, term, indexes):
    """With 3,000 patients and table statistics, no search reads the clinic's patients one by one: each
    branch is a range or point lookup on its own index."""
    term = term or target.chart_number
    user = make_user([clinic], permissions=[Permission.VIEW_PATIENTS])
    client.login(user.email)
    add_fillers([clinic, make_clinic("Elsewhere", company=clinic.company)], 2999, 0)
    analyze()
    _, seen = measure(client, term)
    dialect = db.engine.dialect.name
    wide = [line for s, p in seen if PATIENT_TABLES.search(s) for line in clinic_wide_reads(query_plan(s, p), dialect)]
    assert not wide, (kind, wide)
