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
demo's Camelback clinic, every plugin switched on there); ``--rebuild`` builds it again.

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


def bench_counts(db) -> tuple[int, int]:
    from sqlalchemy import func, select

    from core.accounts import User
    from core.patients import Patient

    users = db.session.scalar(select(func.count(User.id)).where(User.email.like("bench%@example.test"))) or 0
    patients = db.session.scalar(select(func.count(Patient.id))) or 0
    return patients, users


def build(app, args) -> None:
    """Migrate, seed the demo, add the bench patients and users, switch every plugin on at Camelback."""
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
            patients, users = bench_counts(db)
            if users == args.users and patients >= args.patients:
                print(f"reusing the bench database ({patients:,} patients, {users:,} bench users)")
                return
            sys.exit("the database holds other data: pass --rebuild (or another --database-url)")
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
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(f"built the bench database in {time.perf_counter() - started:.0f} s")


def bench_pages(app) -> list[Page]:
    """The main pages, with the ids of the demo's richest patient and case at Camelback."""
    from sqlalchemy import func, select

    from core.cases import Case
    from core.extensions import db
    from core.patients import AccountNote, Patient
    from core.tenancy import Clinic

    with app.app_context():
        clinic_id = db.session.scalar(select(Clinic.id).where(Clinic.name == BENCH_CLINIC))
        cases = select(Case.patient_id, func.count(Case.id).label("n")).where(Case.clinic_id == clinic_id).group_by(Case.patient_id).subquery()
        notes = select(AccountNote.patient_id, func.count(AccountNote.id).label("n")).group_by(AccountNote.patient_id).subquery()
        patient_id = db.session.execute(
            select(Patient.id).join(cases, cases.c.patient_id == Patient.id).outerjoin(notes, notes.c.patient_id == Patient.id)
            .order_by(cases.c.n.desc(), func.coalesce(notes.c.n, 0).desc(), Patient.id).limit(1)).scalar_one()
        case_id = db.session.scalar(select(Case.id).where(Case.patient_id == patient_id).order_by(Case.id))
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
    print(f"{'page':<16} {'Caseload ms':>11} {'ceiling ms':>10} {'ratio':>6} {'SQL':>4} {'ceiling SQL':>11} "
          f"{'KB':>6} {'same markup':>11}")
    for r in results:
        ours, theirs = statistics.median(r["ours"]), statistics.median(r["theirs"])
        statements = statistics.median(r["statements"])
        markup = "yes" if r["same"] else f"{r['differing']} lines"
        print(f"{r['page'].name:<16} {ours:>11.2f} {theirs:>10.2f} {ours / theirs:>6.2f} {statements:>4.0f} "
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
