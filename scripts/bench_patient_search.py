#!/usr/bin/env python
"""Benchmark the Patient Manager's search on a large database, and show that every search is an index scan.

Builds the schema with the migrations, bulk-inserts ``--patients`` patients (with phones) across two
clinics, then for one search term of each kind (last name prefix, "last, first", "first last", date of
birth, phone, chart number) runs what the Patient Manager runs for a page (count, page, phones) and prints
the rows found, the median time of 5 runs, the number of SQL statements and the query plan of each.

    .venv/bin/python scripts/bench_patient_search.py                       # temp SQLite file, 100,000 patients
    .venv/bin/python scripts/bench_patient_search.py --database-url postgresql://postgres@127.0.0.1/bench_patients

The PostgreSQL database must exist and be empty. Nothing here is real patient data.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

BATCH = 5000
RUNS = 5
PAGE_SIZE = 25

FIRST_NAMES = (
    "Maria James Robert Mary John Patricia Michael Jennifer David Linda William Elizabeth Richard Barbara Joseph "
    "Susan Thomas Jessica Charles Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Margaret "
    "Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Carol Brian Amanda "
    "George Dorothy Timothy Melissa Ronald Deborah Edward Stephanie Jason Rebecca Jeffrey Sharon Ryan Laura Jacob "
    "Cynthia Gary Kathleen Nicholas Amy Eric Angela Jonathan Shirley Stephen Anna Larry Brenda Justin Pamela Scott "
    "Emma Brandon Nicole Benjamin Helen Samuel Samantha Gregory Katherine Alexander Christine Frank Debra Patrick "
    "Rachel Raymond Carolyn Jack Janet Dennis Catherine Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia "
    "Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter "
    "Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha "
    "Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice "
    "Jordan Jean Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace Logan Denise Albert Amber Willie "
    "Doris Alan Marilyn Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa Roy Diana Vincent Natalie Ralph "
    "Brittany Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori Louis José Zoë Nguyễn Chloé Søren"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong "
    "Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Peña Richards "
    "Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nuñez Wheeler "
    "Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs "
    "O'Brien Müller Lindqvist Okafor Raman Bjørnsson"
).split()
AREA_CODES = ("602", "480", "623", "520", "928", "505", "702", "303", "801", "619")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--patients", type=int, default=100_000, help="patients to insert (default 100000)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (default 20240601)")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading (planner without statistics)")
    return parser.parse_args(argv)


def random_phone(rng: random.Random) -> str:
    return rng.choice(AREA_CODES) + str(rng.randint(200, 999)) + f"{rng.randint(0, 9999):04d}"


def load(clinic_ids: list[int], count: int, rng: random.Random, first_id: int = 1, first_phone_id: int = 1) -> dict:
    """Insert ``count`` patients (ids ``first_id``.. on) and their phones in batches; return one known patient."""
    from sqlalchemy import insert

    from core.extensions import db
    from core.patients import AddressType, Patient, PatientAddress, PatientPhone, PhoneType, Sex
    from core.patients.models import search_key

    start = date(1925, 1, 1)
    known = None
    known_index = first_id + count // 2
    next_phone_id = first_phone_id
    end = first_id + count
    for batch_start in range(first_id, end, BATCH):
        patients, phones, addresses = [], [], []
        for pid in range(batch_start, min(batch_start + BATCH, end)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            clinic_id = clinic_ids[pid % len(clinic_ids)]
            number = random_phone(rng)
            patients.append({
                "id": pid, "clinic_id": clinic_id, "chart_number": f"{pid:06d}",
                "first_name": first, "middle_initial": rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < .4 else "",
                "last_name": last, "first_name_key": search_key(first), "last_name_key": search_key(last),
                "date_of_birth": start + timedelta(days=rng.randint(0, 95 * 365)),
                "sex": rng.choice((Sex.FEMALE, Sex.MALE)), "guarantor_is_patient": True,
            })
            phones.append({"id": next_phone_id, "patient_id": pid, "phone_type": PhoneType.MOBILE, "is_primary": True, "number": number})
            next_phone_id += 1
            if rng.random() < .3:
                phones.append({"id": next_phone_id, "patient_id": pid, "phone_type": PhoneType.WORK, "is_primary": False,
                               "number": random_phone(rng)})
                next_phone_id += 1
            addresses.append({"patient_id": pid, "address_type": AddressType.HOME, "is_primary": True,
                              "line1": f"{rng.randint(100, 9999)} E Camelback Rd", "line2": "", "city": "Phoenix",
                              "state": "AZ", "postal_code": "85018"})
            if pid == known_index:
                known = {**patients[-1], "phone": number}
        db.session.execute(insert(Patient), patients)
        db.session.execute(insert(PatientPhone), phones)
        db.session.execute(insert(PatientAddress), addresses)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids were inserted: move the sequences past them
        from sqlalchemy import text

        for table in ("patient", "patient_phone", "patient_address"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))  # noqa: S608  (fixed table names)
        db.session.commit()
    return known


def search_terms(known: dict) -> list[tuple[str, str]]:
    first, last, dob, phone = known["first_name"], known["last_name"], known["date_of_birth"], known["phone"]
    return [
        ("last name prefix", last[:3]),
        ("last, first", f"{last}, {first[:2]}"),
        ("first last", f"{first} {last[:3]}"),
        ("date of birth", dob.strftime("%m/%d/%Y")),
        ("phone", f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"),
        ("chart number", known["chart_number"]),
        # For comparison: a one-letter prefix matches thousands, and no term lists the whole clinic.
        ("one-letter prefix", last[:1]),
        ("no term (all)", ""),
    ]


class StatementLog:
    """Collects the SQL statements (and their parameters) the engine runs while it is switched on."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.on, self.statements = engine, False, []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))


def run_search(app, clinic_id: int, term: str):
    """What the Patient Manager runs for one page of results: count, page, phones of the page."""
    from sqlalchemy.orm import selectinload

    from core.extensions import db
    from core.patients import Patient, patient_search
    from core.web import paginate

    with app.test_request_context("/patients/", query_string={"q": term}):
        page = paginate(patient_search(clinic_id, term), options=(selectinload(Patient.phones),), size=PAGE_SIZE)
        for patient in page.items:
            _ = patient.primary_phone
        db.session.rollback()
        db.session.expunge_all()
    return page


def query_plan(statement: str, parameters) -> list[str]:
    """The plan of one statement, as the database prints it."""
    from core.extensions import db

    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return [row[-1] for row in rows]
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [row[0] for row in rows]


def plan_summary(plans: list[list[str]], dialect: str) -> tuple[list[str], list[str]]:
    """The indexes the plans use, and warnings: full scans, and index reads bounded by the clinic alone."""
    import re

    indexes, warnings = [], []
    for line in (line for plan in plans for line in plan):
        if dialect == "sqlite":
            found = re.findall(r"USING (?:COVERING )?INDEX (\w+)", line) + (["rowid"] if "INTEGER PRIMARY KEY" in line else [])
            if re.match(r"SCAN patient", line):
                warnings.append("full scan: " + line)
            if re.match(r"SEARCH patient\b.*\(clinic_id=\?\)$", line):
                warnings.append("whole clinic read: " + line)
        else:
            found = [a or b for a, b in re.findall(r"Index (?:Only )?Scan using (\w+)|Bitmap Index Scan on (\w+)", line)]
            if re.search(r"Seq Scan on patient", line):
                warnings.append("sequential scan: " + line.strip())
            if re.search(r"Index Cond: \(clinic_id = \d+\)$", line.strip()):
                warnings.append("whole clinic read: " + line.strip())
        indexes += [name for name in found if name not in indexes]
    return indexes, warnings


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="bench_patients_")
        url = f"sqlite:///{tmp.name}/bench.sqlite"

    from flask_migrate import upgrade
    from sqlalchemy import text

    from core import create_app
    from core.extensions import db
    from core.tenancy import Clinic, Company

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        dialect = db.engine.dialect.name
        print(f"database: {dialect} ({url.split('@')[-1]})")
        upgrade(directory=str(REPO / "core" / "migrations"), revision="heads")
        company = Company(name="Bench Therapy", tin="999000111")
        clinics = [Clinic(name=f"Bench Clinic {n}", company=company) for n in (1, 2)]
        db.session.add_all(clinics)
        db.session.commit()
        clinic_ids = [c.id for c in clinics]

        rng = random.Random(args.seed)
        started = time.perf_counter()
        known = load(clinic_ids, args.patients, rng)
        print(f"loaded {args.patients:,} patients in {time.perf_counter() - started:.1f} s "
              f"(batches of {BATCH}, {len(clinic_ids)} clinics)")
        if not args.no_analyze:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            print("ANALYZE done")

        log = StatementLog(db.engine)
        summary = []
        print()
        for kind, term in search_terms(known):
            run_search(app, known["clinic_id"], term)  # warm-up
            timings = []
            for _ in range(RUNS):
                log.statements = []
                log.on = True
                started = time.perf_counter()
                page = run_search(app, known["clinic_id"], term)
                timings.append((time.perf_counter() - started) * 1000)
                log.on = False
            statements = list(log.statements)
            print(f"== {kind}: {term!r}")
            print(f"   rows found: {page.total}   median {statistics.median(timings):.2f} ms over {RUNS} runs   "
                  f"SQL statements: {len(statements)}")
            plans = []
            for statement, parameters in statements:
                first_line = " ".join(statement.split())[:110]
                print(f"   -- {first_line}{'…' if len(' '.join(statement.split())) > 110 else ''}")
                plans.append(query_plan(statement, parameters))
                for line in plans[-1]:
                    print(f"      {line}")
            print()
            indexes, warnings = plan_summary(plans, dialect)
            summary.append((kind, term, page.total, statistics.median(timings), len(statements), indexes, warnings))
        print(f"== summary: {dialect}, {args.patients:,} patients")
        print(f"{'kind':<18} {'term':<20} {'rows':>5} {'median ms':>10} {'SQL':>4}  indexes used")
        for kind, term, total, median, count, indexes, warnings in summary:
            print(f"{kind:<18} {term[:20]:<20} {total:>5} {median:>10.2f} {count:>4}  {', '.join(indexes)}")
            for warning in warnings:
                print(f"{'':<18} ! {warning}")
        db.session.remove()
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
