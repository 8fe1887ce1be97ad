"""The ceiling of Caseload's stack: its main pages served by a bare Flask + Jinja app from one SQL query each.

``scripts/bench_pages.py`` measures every main page of Caseload against this app. The ceiling renders the
same rows with the same markup, Caseload's own template files, found the way Caseload finds them, with the
same Flask, Jinja and WTForms, so the two pages' HTML is compared and found equal (CSRF token values
aside). What it leaves out is everything that sits between the database driver and the templates:

* one statement per page: everything a page shows (the current clinic, the clinic switcher, the clinic's
  plugins, the rows, the pagination counts, the related rows such as a patient's addresses, phones,
  cases, policies and authorizations, a page of notes with their authors and co-signers, the rows a case's
  plan-of-care clocks are computed from, the plugin columns' cells, the license summary...) comes from ONE
  SQL statement that returns the page as one JSON document (JSON aggregation in the database; see
  :class:`Dialect`). ``app.config["STATEMENTS_PER_PAGE"]`` is 1 and every page request checks it;
* the same DB-API driver as Caseload (stdlib ``sqlite3`` for ``sqlite:`` URLs, psycopg 3 for
  ``postgresql:`` URLs), one connection per thread kept open like a pool, but no SQLAlchemy (no ORM, no
  session, no Core statement compilation), no Flask-Login (the bench user, ``admin@demo.test``, is a plain
  object read once at start-up: a company admin holding every permission, working in the clinic
  ``Saguaro PT - Camelback``), no plugin hooks (the plugins' columns are computed here from the page's
  rows, with the plugins' own pure cell functions), no Flask-WTF CSRF signing (a constant token), no
  audit writes (it is a read ceiling), no after-request headers.

Why it is a fair ceiling: it does the work the pages cannot do without (one round trip for the data the
user sees, building objects with the attributes the templates read, rendering the same templates, in
Flask), and nothing else; the data comes from the same database at request time, so a change in the
database shows in both. Static things that do not depend on the database at request time (the URL map,
the navigation's links and the Patient Manager's plugin buttons, for this user, by plugin; the user
itself) are computed once at start-up from a Caseload app built with ``core.create_app`` (that app serves
no request here). The pure-Python pieces of core reused per request are the template filters, enums,
the form classes (rendered blank), ``profile_problems`` (Quick Add's Profile column), the plugin API's
Column/Cell shapes and the plugins' cell helpers, ``Page`` and ``LicenseCount``, and for the case page's
notes section the pure half of the plan-of-care clocks (``core.notes.alerts.clocks_of``, which
:func:`case_clocks_of` calls with the fetched rows as ``core.notes.alerts.case_clocks`` does with its queries)
with ``startable_kinds`` given the finalized kinds.

Differences from Caseload, by design (none shows in the markup of the bench's pages):

* Caseload writes an audit row ("patient.view", "case.view") on every chart and case page; the ceiling
  does not write. The Audit Trail page reads whatever is in the table when it is asked, as Caseload does,
  so both show the same rows when they are asked one after the other (the bench does so).
* The ceiling serves the pages' first view and their pages (``?page=``), plus the Patient Manager's
  search (``?q=``): any other query argument (the filters of the User Manager, Insurances and Audit Trail,
  the note lists' ``?kind=`` and ``?status=``) answers 404 rather than a page that would differ. htmx requests get the same partials as in Caseload.
* There are no flashed messages (no session) and no sign-in: every request is the bench user's; a page that
  does not exist answers Werkzeug's plain 404 rather than Caseload's error page.

    cd scripts && gunicorn 'bench_ceiling:create_ceiling_app_from_environment()'   # DATABASE_URL, BENCH_PATHS
"""
# The SQL is assembled from this file's constant fragments (table, column and alias names); every value from
# a request is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

import functools
import json
import os
import re
import sys
import threading
import urllib.parse
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, abort, current_app, g, render_template, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import NotFound
from wtforms.csrf.core import CSRF

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from core import create_app  # noqa: E402  (the repository root is on the path only now)
from core.accounts import LicenseCategory, UserStatus, UserType  # noqa: E402
from core.accounts.licenses import LicenseCount  # noqa: E402
from core.audit import RecordLabel  # noqa: E402
from core.cases import PLACES_OF_SERVICE, CaseStatus, Discipline, InsuredRelationship, PolicyRank, RelatedCause  # noqa: E402
from core.cases.forms import AddAuthorizationForm  # noqa: E402
from core.notes.actions import clinic_today, startable_kinds  # noqa: E402
from core.notes.alerts import PLAN_KINDS, CaseClocks, clocks_of  # noqa: E402
from core.notes.workflow import NoteKind, NoteStatus  # noqa: E402
from core.patients import AddressType, PhoneType, Sex, profile_problems  # noqa: E402
from core.patients.forms import AccountNoteForm  # noqa: E402
from core.patients.models import search_key  # noqa: E402
from core.payers import InsuranceType, UnitCalculation  # noqa: E402
from core.plugin_api import Cell, Column  # noqa: E402
from core.tenancy import clinic_zone  # noqa: E402
from core.web import Page, Permission, digits, form_errors, format_local_date, format_local_time, format_phone, format_zip, is_htmx  # noqa: E402
from core.web.converters import MAX_ID, BoundedIntegerConverter  # noqa: E402
from core.web.local_time import set_zone_source  # noqa: E402
from core.web.text import CaseloadRequest  # noqa: E402
from plugins.mips.participation import GROUP, INDIVIDUAL, group_cell, participation_cell  # noqa: E402
from plugins.virtual_visits.views import NOT_A_PROVIDER, sees_patients, status_cell  # noqa: E402

BENCH_EMAIL = "admin@demo.test"
BENCH_CLINIC = "Saguaro PT - Camelback"
CSRF_TOKEN = "ceiling-csrf-token"  # noqa: S105  (no secret: the forms' token, never checked)
CASELOAD_LIMIT = 50  # core.home.views: the Home page's caseload
NOTES_PAGE_SIZE = 20  # core.patients.views: account notes per page
NOTE_LIST_SIZE = 20  # core.notes.lists.notes_page: a chart's or a case's notes per page
QUEUE_SIZE = 25  # core.notes.lists: My Notes and Incomplete Cosign Docs per page
NO_FILTERS = {"kind": None, "status": None}  # core.notes.lists.filters_from without ?kind= or ?status=
CERTIFICATION_DATES = ("sent_on", "verbal_order_on", "order_signed_on", "signed_on", "received_on")
OPEN_STATUSES = ", ".join(f"'{s.value}'" for s in (NoteStatus.DRAFT, NoteStatus.RETURNED, NoteStatus.PENDING_COSIGNATURE))


# -- SQL: the two dialects ---------------------------------------------------------------------------
# A paginated list: the page's rows (see ``paged``), and the page's numbers for core.web.Page. A page with two
# lists (the chart: account notes and notes) names the second one's CTEs with a prefix (``page_limit("note_")``).
def page_limit(prefix: str = "") -> str:
    return f"LIMIT :{prefix}size OFFSET (SELECT (number - 1) * :{prefix}size FROM {prefix}page)"


def page_fields(prefix: str = "") -> dict[str, str]:
    return {f"{prefix}total": f"(SELECT n FROM {prefix}total)", f"{prefix}number": f"(SELECT number FROM {prefix}page)"}


PAGE_LIMIT = page_limit()
PAGE_FIELDS = page_fields()


class Json(str):
    """An SQL expression whose value is JSON (a JSON column, a nested object or list), not text."""


class Dialect:
    """SQLite's way of writing the page queries; :class:`Postgres` overrides what differs.

    Each page is one ``SELECT`` of one JSON object (``obj``) holding the page's values and lists; a list
    (``rows``) is a scalar subquery aggregating one JSON object per row, in order.
    """

    name = "sqlite"

    def connect(self, url: str):
        import sqlite3

        path = url.split(":///", 1)[1]
        return sqlite3.connect(path, check_same_thread=False, isolation_level=None)

    def statement(self, sql: str) -> str:
        """``sql`` with ``:name`` parameters in the driver's style."""
        return sql

    def decode(self, value):
        return json.loads(value)

    def obj(self, **fields: str) -> Json:
        pairs = ", ".join(f"'{key}', {f'json({value})' if isinstance(value, Json) else value}" for key, value in fields.items())
        return Json(f"json_object({pairs})")

    def rows(self, fields: dict[str, str], source: str, order: str, limit: str = "") -> Json:
        """The JSON list of ``fields`` (one object per row) of ``SELECT … {source} ORDER BY {order} {limit}``.

        SQLite 3.40 has no ORDER BY inside an aggregate: the aggregate reads the ordered subquery in its order.
        """
        return Json(f"(SELECT json_group_array(json(j)) FROM (SELECT {self.obj(**fields)} AS j {source} ORDER BY {order} {limit}))")

    def page_rows(self, fields: dict[str, str], alias: str, source: str, order: str, limit: str = PAGE_LIMIT) -> Json:
        """The JSON list of ``fields`` for one page of the rows of ``alias`` in ``source``: the page's rows are picked
        first (``SELECT alias.* … LIMIT … OFFSET …``), then the fields (and their subqueries) computed for them only."""
        return Json(f"(SELECT json_group_array({self.obj(**fields)}) FROM (SELECT {alias}.* {source} ORDER BY {order} {limit}) {alias})")

    def least(self, a: str, b: str) -> str:
        return f"min({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})"

    def record_id(self, column: str) -> str:
        """``column`` (an audit event's text object id) as the integer id the trail's labels look up, else NULL:
        digits only, no leading zero, at most ``MAX_ID`` (core.audit.labels)."""
        return (f"(CASE WHEN {column} GLOB '[1-9]*' AND {column} NOT GLOB '*[^0-9]*' AND length({column}) <= 10 "
                f"AND CAST({column} AS INTEGER) <= {MAX_ID} THEN CAST({column} AS INTEGER) END)")

    def any_phone_owner(self, owners: str) -> str:
        return f"p.id IN ({owners})"

    def date(self, value: date):
        return value.isoformat()


class Postgres(Dialect):
    name = "postgresql"

    def connect(self, url: str):
        import psycopg

        return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

    def statement(self, sql: str) -> str:
        return re.sub(r"(?<![:\w]):([a-z_]\w*)", r"%(\1)s", sql.replace("%", "%%"))

    def decode(self, value):
        return value  # psycopg decodes json

    def obj(self, **fields: str) -> Json:
        pairs = ", ".join(f"'{key}', {value}" for key, value in fields.items())
        return Json(f"json_build_object({pairs})")

    def rows(self, fields: dict[str, str], source: str, order: str, limit: str = "") -> Json:
        if not limit:
            return Json(f"(SELECT coalesce(json_agg({self.obj(**fields)} ORDER BY {order}), '[]'::json) {source})")
        return Json(f"(SELECT coalesce(json_agg(s.j ORDER BY s.n), '[]'::json) FROM (SELECT {self.obj(**fields)} AS j, "
                    f"row_number() OVER (ORDER BY {order}) AS n {source} ORDER BY {order} {limit}) s)")

    def page_rows(self, fields: dict[str, str], alias: str, source: str, order: str, limit: str = PAGE_LIMIT) -> Json:
        # Picking the rows first also keeps the plan's estimated cost low: the OFFSET is a subquery, for which the
        # planner assumes 10% of the rows, and the per-row subqueries costed over them would switch JIT on.
        return Json(f"(SELECT coalesce(json_agg({self.obj(**fields)} ORDER BY {order}), '[]'::json) "
                    f"FROM (SELECT {alias}.* {source} ORDER BY {order} {limit}) {alias})")

    def least(self, a: str, b: str) -> str:
        return f"least({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"greatest({a}, {b})"

    def record_id(self, column: str) -> str:
        return f"(CASE WHEN {column} ~ '^[1-9][0-9]{{0,9}}$' THEN CASE WHEN {column}::bigint <= {MAX_ID} THEN {column}::int END END)"

    def any_phone_owner(self, owners: str) -> str:
        # As core.patients.patient_search: an index condition inside the OR, not a filter over the clinic.
        return f"p.id = ANY(ARRAY({owners}))"

    def date(self, value: date):
        return value


def columns(alias: str, names: str) -> dict[str, str]:
    """``{name: alias.name}`` for the space-separated column ``names``."""
    return {name: f"{alias}.{name}" for name in names.split()}


def paged(d: Dialect, source: str, *more: tuple[str, str]) -> str:
    """The ``WITH`` clause of a paginated page: ``total`` counts the rows of ``source``; ``page`` is the page
    asked for (``:page``, at least 1) clamped to the pages that exist, as core.web.paginate does. ``more``:
    ``(prefix, source)`` of another list on the page, its CTEs ``{prefix}total`` and ``{prefix}page`` (its
    page size ``:{prefix}size``, the same ``:page``)."""
    def ctes(prefix: str, source: str) -> str:
        last = d.greatest("1", f"(n + :{prefix}size - 1) / :{prefix}size")
        return (f"{prefix}total AS MATERIALIZED (SELECT count(*) AS n {source}), "
                f"{prefix}page AS MATERIALIZED (SELECT {d.least(':page', last)} AS number FROM {prefix}total)")

    return "WITH " + ", ".join(ctes(prefix, s) for prefix, s in (("", source), *more)) + " "


class Database:
    """One connection per thread, opened on first use; every statement is counted for the request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = Postgres() if url.startswith(("postgresql", "postgres")) else Dialect()
        self.local = threading.local()
        self.statements: dict[str, str] = {}

    def page(self, sql: str, params: dict) -> dict:
        """Run a page's one statement; return its JSON document."""
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.dialect.connect(self.url)
        statement = self.statements.get(sql)
        if statement is None:
            statement = self.statements[sql] = self.dialect.statement(sql)
        g.statements = g.get("statements", 0) + 1
        return self.dialect.decode(conn.execute(statement, params).fetchone()[0])


# -- the objects the templates read (the models' attributes and properties, core/*/models.py) -----------
class Row(SimpleNamespace):
    pass


def _date(value):
    return date.fromisoformat(value) if value else None


def _instant(value):
    return datetime.fromisoformat(value) if value else None


class Clinic(Row):
    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {format_zip(self.postal_code)}"]
        return ", ".join(p for p in parts if p.strip(", "))


class Person(Row):
    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class User(Person):
    @property
    def is_therapist(self) -> bool:
        return self.user_type.is_therapist

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE


class BenchUser(User):
    """The signed-in user of every request (Flask-Login's ``current_user`` in Caseload)."""

    is_authenticated = True

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


class Patient(Row):
    @property
    def name(self) -> str:
        middle = f" {self.middle_initial}." if self.middle_initial else ""
        return f"{self.first_name}{middle} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}" + (f" {self.middle_initial}." if self.middle_initial else "")

    @property
    def primary_address(self):
        return next((a for a in self.addresses if a.is_primary), None)

    @property
    def primary_phone(self):
        return next((p for p in self.phones if p.is_primary), None)

    @property
    def masked_ssn(self) -> str:
        return f"***-**-{self.ssn[-4:]}" if self.ssn else ""


class Address(Row):
    @property
    def zip_display(self) -> str:
        return format_zip(self.postal_code)


class Phone(Row):
    @property
    def display(self) -> str:
        return format_phone(self.number)


class Physician(Row):
    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" + (f", {self.credentials}" if self.credentials else "")


class Authorization(Row):
    @property
    def visits_remaining(self) -> int:
        return max(0, self.visits_authorized - self.visits_used)


def address_of(a: dict) -> Address:
    return Address(**{**a, "address_type": AddressType(a["address_type"]), "is_primary": bool(a["is_primary"])})


def phone_of(p: dict) -> Phone:
    return Phone(**{**p, "phone_type": PhoneType(p["phone_type"]), "is_primary": bool(p["is_primary"])})


def authorization_of(a: dict) -> Authorization:
    return Authorization(**{**a, "start_date": _date(a["start_date"]), "end_date": _date(a["end_date"])})


def note_of(n: dict) -> Row:
    return Row(id=n["id"], body=n["body"], is_sticky=bool(n["is_sticky"]), created_at=_instant(n["created_at"]),
               author=Person(**n["author"]) if n["author"] else None)


def named_user(u: dict | None) -> User | None:
    """A note's author or co-signer, loaded by name and type (core.notes.lists.NAMES)."""
    return User(**{**u, "user_type": UserType(u["user_type"])}) if u else None


def clinical_note_of(n: dict) -> Row:
    """A note of a list (core.notes.lists): kind, status, date, author and co-signer; its case (title and
    discipline) and patient (names) when the list shows them."""
    case, patient = n.get("case"), n.get("patient")
    return Row(id=n["id"], kind=NoteKind(n["kind"]), status=NoteStatus(n["status"]), date_of_service=_date(n["date_of_service"]),
               forwarded_at=_instant(n.get("forwarded_at")), author=named_user(n["author"]), cosigner=named_user(n["cosigner"]),
               case=Row(title=case["title"], discipline=Discipline(case["discipline"])) if case else None,
               patient=Row(**patient) if patient else None)


def case_clocks_of(medicare: bool, finalized: list[dict], plan: dict | None, company, today: date) -> CaseClocks:
    """core.notes.alerts.case_clocks (for the case page: no note being finalized) over the rows the case page's
    statement read: the case's finalized notes (kind, date, in date order) and its latest plan-of-care note with its
    plan_certification row, handed to core.notes.alerts.clocks_of (no database)."""
    rows = [Row(kind=NoteKind(r["kind"]), date_of_service=_date(r["date_of_service"])) for r in finalized]
    note = cert = None
    if plan is not None:
        c = plan["certification"]
        cert = Row(**{name: _date(c[name]) for name in CERTIFICATION_DATES}) if c else None
        note = Row(id=plan["id"], kind=NoteKind(plan["kind"]), date_of_service=_date(plan["date_of_service"]),
                   plan_start=_date(plan["plan_start"]), plan_end=_date(plan["plan_end"]))
    return clocks_of(medicare, rows, note, cert, company, today)


def format_ssn(ssn: str | None) -> str:
    """core.patients.views.format_ssn."""
    return f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}" if ssn and len(ssn) == 9 else (ssn or "")


class ConstantCSRF(CSRF):
    """The forms' CSRF field with a constant token (bench_pages.py blanks token values before comparing)."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        return CSRF_TOKEN

    def validate_csrf_token(self, form, field) -> None:
        pass


BLANK_FORM = {"formdata": None, "meta": {"csrf": True, "csrf_class": ConstantCSRF}}


# -- SQL shared by every page ---------------------------------------------------------------------------
CLINIC_FIELDS = columns("c", "id name company_id npi address_line1 address_line2 city state postal_code phone time_zone")
MY_CLINICS = "FROM clinic c WHERE c.id IN (SELECT a.clinic_id FROM clinic_access a WHERE a.user_id = :user_id)"
VIEWER_CLINICS = "(SELECT a.clinic_id FROM clinic_access a WHERE a.user_id = :user_id)"


def layout_fields(d: Dialect) -> dict[str, str]:
    """The base layout's data: the current clinic (with its company's name), the clinic switcher's clinics,
    and the plugins switched on in the clinic (navigation links, plugin buttons and columns)."""
    return {
        "clinic": Json(f"(SELECT {d.obj(**CLINIC_FIELDS, company='co.name')} FROM clinic c JOIN company co ON co.id = c.company_id "
                       "WHERE c.id = :clinic_id)"),
        "clinics": d.rows(columns("c", "id name"), MY_CLINICS, "c.name"),
        "plugins": d.rows({"name": "cp.plugin"}, "FROM clinic_plugin cp WHERE cp.clinic_id = :clinic_id AND cp.enabled", "cp.plugin"),
    }


def note_fields(d: Dialect, alias: str, *, patient: bool = False) -> dict[str, str]:
    """A note of a list (core.notes.lists): its own columns, author and co-signer by name and type, its case's
    title and discipline, and (the queues) its patient's names."""
    def user(column: str) -> Json:
        return Json(f"(SELECT {d.obj(**columns('u', 'first_name last_name user_type'))} FROM user_account u WHERE u.id = {column})")

    fields = {**columns(alias, "id kind status date_of_service forwarded_at"), "author": user(f"{alias}.author_id"),
              "cosigner": user(f"{alias}.cosigner_id"),
              "case": Json(f"(SELECT {d.obj(**columns('k', 'title discipline'))} FROM patient_case k WHERE k.id = {alias}.case_id)")}
    if patient:
        fields["patient"] = Json(f"(SELECT {d.obj(**columns('p', 'first_name last_name date_of_birth'))} FROM patient p "
                                 f"WHERE p.id = {alias}.patient_id)")
    return fields


NOTES_NEWEST_FIRST = "x.date_of_service DESC, x.id DESC"  # core.notes.lists: the chart's, the case's and My Notes' order


def page_number() -> int:
    """``?page=`` as core.web.paginate reads it (the clamp to the pages that exist is in the SQL)."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


# -- the app ---------------------------------------------------------------------------------------------
class Ceiling:
    """The pages, one method each: the page's SQL (built once), its one statement, its objects, its template."""

    def __init__(self, db: Database, static: SimpleNamespace) -> None:
        self.db, self.user, self.static = db, static.user, static
        d = self.d = db.dialect
        self.params = {"clinic_id": static.clinic_id, "user_id": static.user.id}
        self.sql = {name: build(d) for name, build in (
            ("home", self.home_sql), ("chart", self.chart_sql), ("case", self.case_sql), ("users", self.users_sql),
            ("insurances", self.insurances_sql), ("audit", self.audit_sql),
            ("mine", lambda d: self.queue_sql(d, f"x.author_id = :user_id AND x.status IN ({OPEN_STATUSES})", NOTES_NEWEST_FIRST)),
            ("cosign", lambda d: self.queue_sql(d, f"x.cosigner_id = :user_id AND x.status = '{NoteStatus.PENDING_COSIGNATURE.value}'",
                                                "x.forwarded_at, x.id")))}
        self.patient_sql: dict[str, str] = {}

    # -- shared --------------------------------------------------------------------------------------
    def layout(self, data: dict) -> tuple[Clinic, set[str], dict]:
        """The current clinic, the plugins on in it, and the base layout's template context."""
        c = data["clinic"]
        if c is None:
            abort(403)
        clinic = Clinic(**{**c, "company": Row(name=c["company"])})
        g.zone = clinic_zone(clinic)
        clinics = [Row(**row) for row in data["clinics"]]
        plugins = {row["name"] for row in data["plugins"]}
        nav = [item for plugin, item in self.static.nav if plugin is None or plugin in plugins]
        context = {"current_clinic": lambda: clinic, "my_clinics": lambda: clinics, "nav_items": lambda: nav}
        return clinic, plugins, context

    def fetch(self, name: str, **params) -> dict:
        return self.db.page(self.sql[name], {**self.params, **params})

    @staticmethod
    def render(page_template: str, partial_template: str | None = None, **context) -> str:
        """As core.web.render: the partial for htmx requests, the page otherwise."""
        return render_template(partial_template if partial_template and is_htmx() else page_template, **context)

    @staticmethod
    def only_args(*names: str) -> None:
        """404 for query arguments the ceiling does not serve (see the module docstring)."""
        if any(key not in names for key in request.args):
            abort(404)

    # -- Home --------------------------------------------------------------------------------------
    def home_sql(self, d: Dialect) -> str:
        """core.home.views: the clinic, and the user's active cases here with their primary insurance."""
        primary = (f"(SELECT {d.obj(name='i.name')} FROM case_policy cp JOIN insurance i ON i.id = cp.insurance_id "
                   "WHERE cp.case_id = k.id AND cp.rank = 'Primary')")
        caseload = d.rows(
            {**columns("k", "id patient_id title discipline"), **columns("p", "first_name middle_initial last_name"), "primary": Json(primary)},
            "FROM patient_case k JOIN patient p ON p.id = k.patient_id "
            "WHERE k.clinic_id = :clinic_id AND k.therapist_id = :user_id AND k.status = 'active'",
            "p.last_name_key, p.first_name_key, k.id", f"LIMIT {CASELOAD_LIMIT}")
        if not self.user.can(Permission.VIEW_PATIENTS):
            caseload = Json("NULL")
        return "SELECT " + d.obj(**layout_fields(d), caseload=caseload)

    def home(self):
        self.only_args()
        data = self.fetch("home")
        clinic, _, context = self.layout(data)
        caseload = [Row(id=k["id"], patient_id=k["patient_id"], title=k["title"], discipline=Discipline(k["discipline"]),
                        patient=Patient(first_name=k["first_name"], middle_initial=k["middle_initial"], last_name=k["last_name"]),
                        policies=[Row(rank=PolicyRank.PRIMARY, insurance=Row(name=k["primary"]["name"]))] if k["primary"] else [])
                    for k in data["caseload"] or []]
        return self.render("home/index.html", clinic=clinic, caseload=caseload, caseload_limit=CASELOAD_LIMIT, **context)

    # -- Patient Manager and its search --------------------------------------------------------------
    def patient_search(self, term: str) -> tuple[str, dict]:
        """core.patients.patient_search as a WHERE clause over ``patient p``, and its parameters."""
        where = "p.clinic_id = :clinic_id"
        if not term:
            return where, {}
        conditions, params = [], {"term": term}

        def prefix(column: str, name: str, value: str) -> str:
            params[name], params[name + "_end"] = value, value + "\U0010ffff"
            return f"({column} >= :{name} AND {column} < :{name}_end)"

        parsed = parse_date(term)
        if parsed:
            conditions.append("p.date_of_birth = :born")
            params["born"] = self.d.date(parsed)
        number = digits(term)
        if number and len(number) >= 7 and not parsed and all(c.isdigit() or c in " ()-.+" for c in term):
            number = number[1:] if len(number) == 11 and number.startswith("1") else number
            owners = f"SELECT ph.patient_id FROM patient_phone ph WHERE {prefix('ph.number', 'phone', number)}"
            conditions.append(self.d.any_phone_owner(owners))
        conditions.append("p.chart_number = :term")
        if "," in term:
            last, _, first = (part.strip() for part in term.partition(","))
            if first:
                params["last"] = search_key(last)
                conditions.append(f"(p.last_name_key = :last AND {prefix('p.first_name_key', 'first', search_key(first))})")
            else:
                conditions.append(prefix("p.last_name_key", "last", search_key(last)))
        elif " " in term:
            first, _, last = term.partition(" ")
            conditions.append(f"({prefix('p.first_name_key', 'first', search_key(first))} AND "
                              f"{prefix('p.last_name_key', 'last', search_key(last.strip()))})")
            conditions.append(prefix("p.last_name_key", "whole", search_key(term)))
        elif not number:
            key = search_key(term)
            conditions.append(f"({prefix('p.last_name_key', 'last', key)} OR {prefix('p.first_name_key', 'first', key)})")
        return f"{where} AND ({' OR '.join(conditions)})", params

    def patients_sql(self, d: Dialect, where: str) -> str:
        """core.patients.views.index: a page of the clinic's patients with their primary phone; for quick-added
        patients (Quick Add's Profile column) what profile_problems checks: sex, SSN, primary address, and the
        insurance types of their active cases."""
        source = f"FROM patient p WHERE {where}"
        phone = "(SELECT ph.number FROM patient_phone ph WHERE ph.patient_id = p.id AND ph.is_primary ORDER BY ph.id LIMIT 1)"
        address = (f"(SELECT {d.obj(**columns('pa', 'address_type postal_code'))} FROM patient_address pa "
                   "WHERE pa.patient_id = p.id AND pa.is_primary ORDER BY pa.id LIMIT 1)")
        types = d.rows({"type": "i.insurance_type"}, "FROM patient_case k JOIN case_policy cp ON cp.case_id = k.id "
                       "JOIN insurance i ON i.id = cp.insurance_id WHERE k.patient_id = p.id AND k.status = 'active'", "i.insurance_type")
        quick = (f"(CASE WHEN EXISTS (SELECT 1 FROM quick_add_patient q WHERE q.clinic_id = :clinic_id AND q.patient_id = p.id) "
                 f"THEN {d.obj(sex='p.sex', ssn='p.ssn', address=Json(address), types=types)} END)")
        patients = d.page_rows({**columns("p", "id first_name middle_initial last_name date_of_birth chart_number"), "phone": phone,
                                "quick": Json(quick)}, "p", source, "p.last_name_key, p.first_name_key, p.id")
        return paged(d, source) + "SELECT " + d.obj(**layout_fields(d), **PAGE_FIELDS, patients=patients)

    def patient_manager(self):
        self.only_args("q", "page")
        term = (request.args.get("q") or "").strip()[:100]
        where, params = self.patient_search(term)
        sql = self.patient_sql.get(where) or self.patient_sql.setdefault(where, self.patients_sql(self.d, where))
        size = current_app.config["PAGE_SIZE"]
        data = self.db.page(sql, {**self.params, **params, "page": page_number(), "size": size})
        clinic, plugins, context = self.layout(data)
        items = []
        cells = {}
        for p in data["patients"]:
            phones = [Phone(number=p["phone"], is_primary=True)] if p["phone"] is not None else []
            items.append(Patient(**{**p, "date_of_birth": _date(p["date_of_birth"]), "phones": phones}))
            quick = p["quick"]
            if quick is not None:
                address = quick["address"]
                profile = Patient(id=p["id"], sex=Sex(quick["sex"]) if quick["sex"] else None, ssn=quick["ssn"], phones=phones,
                                  addresses=[address_of({**address, "is_primary": True})] if address else [])
                if profile_problems(profile, types={InsuranceType(t["type"]) for t in quick["types"]}):
                    cells[p["id"]] = Cell(text="Incomplete")
        columns_ = [Column(key="quick_add", header="Profile", cells=cells, order=50)] if "quick_add" in plugins else []
        actions = [action for plugin, action in self.static.actions if plugin in plugins]
        page = Page(items=items, number=data["number"], size=size, total=data["total"])
        return self.render("patients/index.html", "patients/_table.html", clinic=clinic, page=page, term=term,
                           columns=columns_, actions=actions, args=request.args, **context)

    # -- the patient chart -------------------------------------------------------------------------
    def chart_sql(self, d: Dialect) -> str:
        """core.patients.views.chart: the patient with addresses and phones, the cases (cases/_chart_section.html)
        with therapist, policies and authorizations, a page of account notes and the sticky notes, with authors."""
        patient_fields = columns("p", "id clinic_id chart_number first_name middle_initial last_name date_of_birth sex ssn email "
                                 "emergency_contact_name emergency_contact_relationship emergency_contact_phone guarantor_is_patient "
                                 "guarantor_first_name guarantor_middle_initial guarantor_last_name guarantor_relationship "
                                 "guarantor_address_line1 guarantor_address_line2 guarantor_city guarantor_state "
                                 "guarantor_postal_code guarantor_phone")
        addresses = d.rows(columns("pa", "address_type is_primary line1 line2 city state postal_code"),
                           "FROM patient_address pa WHERE pa.patient_id = p.id", "pa.id")
        phones = d.rows(columns("ph", "phone_type is_primary number"), "FROM patient_phone ph WHERE ph.patient_id = p.id", "ph.id")
        patient = (f"(SELECT {d.obj(**patient_fields, addresses=addresses, phones=phones)} FROM patient p "
                   "WHERE p.id = :patient_id AND p.clinic_id = :clinic_id)")
        policies = d.rows({"rank": "cp.rank", "insurance": "i.name"},
                          "FROM case_policy cp JOIN insurance i ON i.id = cp.insurance_id WHERE cp.case_id = k.id", "cp.rank")
        authorizations = d.rows(columns("au", "number start_date end_date visits_authorized visits_used"),
                                'FROM "authorization" au WHERE au.case_id = k.id', "au.start_date, au.id")
        cases = d.rows({**columns("k", "id title discipline status"), "therapist_first_name": "u.first_name",
                        "therapist_last_name": "u.last_name", "policies": policies, "authorizations": authorizations},
                       "FROM patient_case k JOIN user_account u ON u.id = k.therapist_id "
                       "WHERE k.patient_id = :patient_id AND k.clinic_id = :clinic_id", "k.status, k.created_at DESC, k.id DESC")
        notes_source = "FROM account_note n WHERE n.patient_id = :patient_id AND n.clinic_id = :clinic_id"
        author = f"(SELECT {d.obj(**columns('u', 'first_name last_name'))} FROM user_account u WHERE u.id = n.author_id)"
        note = {**columns("n", "id body is_sticky created_at"), "author": Json(author)}
        notes = d.page_rows(note, "n", notes_source, "n.created_at DESC, n.id DESC")
        sticky = d.rows(note, notes_source + " AND n.is_sticky", "n.created_at DESC, n.id DESC")
        # core.notes.views._chart_section: a page of the patient's notes (every case's), newest first.
        clinical_source = "FROM note x WHERE x.patient_id = :patient_id AND x.clinic_id = :clinic_id"
        clinical = d.page_rows(note_fields(d, "x"), "x", clinical_source, NOTES_NEWEST_FIRST, page_limit("note_"))
        return paged(d, notes_source, ("note_", clinical_source)) + "SELECT " + d.obj(
            **layout_fields(d), patient=Json(patient), cases=cases, **PAGE_FIELDS, notes=notes, sticky=sticky,
            **page_fields("note_"), clinical_notes=clinical)

    def chart(self, patient_id: int):
        self.only_args("page")
        data = self.fetch("chart", patient_id=patient_id, page=page_number(), size=NOTES_PAGE_SIZE, note_size=NOTE_LIST_SIZE)
        clinic, _, context = self.layout(data)
        p = data["patient"]
        if p is None:
            abort(404)
        patient = Patient(**{**p, "date_of_birth": _date(p["date_of_birth"]), "sex": Sex(p["sex"]) if p["sex"] else None,
                             "guarantor_is_patient": bool(p["guarantor_is_patient"]),
                             "addresses": [address_of(a) for a in p["addresses"]], "phones": [phone_of(ph) for ph in p["phones"]]})
        cases = [Row(id=k["id"], title=k["title"], discipline=Discipline(k["discipline"]), status=CaseStatus(k["status"]),
                     therapist=Person(first_name=k["therapist_first_name"], last_name=k["therapist_last_name"]),
                     policies=[Row(rank=PolicyRank(cp["rank"]), insurance=Row(name=cp["insurance"])) for cp in k["policies"]],
                     authorizations=[authorization_of(a) for a in k["authorizations"]])
                 for k in data["cases"]]
        can_edit = self.user.can(Permission.EDIT_PATIENTS)
        notes = Page(items=[note_of(n) for n in data["notes"]], number=data["number"], size=NOTES_PAGE_SIZE, total=data["total"])
        clinical = Page(items=[clinical_note_of(n) for n in data["clinical_notes"]], number=data["note_number"], size=NOTE_LIST_SIZE,
                        total=data["note_total"])
        section = {"page": clinical, "filters": NO_FILTERS}
        return self.render("patients/chart.html", patient=patient, notes=notes, sticky_notes=[note_of(n) for n in data["sticky"]],
                           note_form=AccountNoteForm(**BLANK_FORM), can_edit=can_edit, args=request.args,
                           ssn_shown=(format_ssn(patient.ssn) if can_edit else patient.masked_ssn) if patient.ssn else "",
                           clinic=clinic, chart_cases=lambda _patient: cases, chart_notes_section=lambda _patient: section, **context)

    # -- the case page -----------------------------------------------------------------------------
    def case_sql(self, d: Dialect) -> str:
        """core.cases.views.show: the patient, the case with its therapist, referring physician, policies (with
        their insurances) and authorizations."""
        patient = (f"(SELECT {d.obj(**columns('p', 'id first_name middle_initial last_name'))} FROM patient p "
                   "WHERE p.id = :patient_id AND p.clinic_id = :clinic_id)")
        physician = f"(CASE WHEN r.id IS NULL THEN NULL ELSE {d.obj(**columns('r', 'first_name last_name credentials'))} END)"
        therapist = d.obj(**columns("u", "first_name last_name user_type status"))
        policies = d.rows({**columns("cp", "rank subscriber_id group_number claim_number start_date end_date insured_relationship "
                                     "subscriber_first_name subscriber_middle_initial subscriber_last_name employer_name"),
                           "insurance_name": "i.name", "insurance_type": "i.insurance_type"},
                          "FROM case_policy cp JOIN insurance i ON i.id = cp.insurance_id WHERE cp.case_id = k.id", "cp.rank")
        authorizations = d.rows(columns("au", "number start_date end_date visits_authorized visits_used"),
                                'FROM "authorization" au WHERE au.case_id = k.id', "au.start_date, au.id")
        case_fields = columns("k", "id title discipline status continues_case_id referral_date onset_date related_cause accident_date "
                              "accident_state place_of_service apply_kx_modifier")
        case = (f"(SELECT {d.obj(**case_fields, therapist=therapist, physician=Json(physician), policies=policies, authorizations=authorizations)} "
                "FROM patient_case k JOIN user_account u ON u.id = k.therapist_id LEFT JOIN referring_physician r ON r.id = k.referring_physician_id "
                "WHERE k.id = :case_id AND k.patient_id = :patient_id AND k.clinic_id = :clinic_id)")
        # core.notes.views._case_section: the company's Plan of Care Alerts and Initial Exam Case Copy; the clocks'
        # rows (core.notes.alerts.case_clocks): the case's finalized notes, its latest plan-of-care note with its
        # certification; the copy offer (_copy_offer: on a case without notes, the patient's latest finalized
        # evaluative note of another case); a page of the case's notes.
        company = (f"(SELECT {d.obj(poc_alerts=Json('co.poc_alerts'), initial_exam_case_copy='co.initial_exam_case_copy')} "
                   "FROM clinic c JOIN company co ON co.id = c.company_id WHERE c.id = :clinic_id)")
        finalized = d.rows(columns("f", "kind date_of_service"), "FROM note f WHERE f.case_id = :case_id AND f.status = 'finalized'",
                           "f.date_of_service, f.id")
        plan_kinds = ", ".join(f"'{k.value}'" for k in PLAN_KINDS)
        certification = f"(SELECT {d.obj(**columns('pc', ' '.join(CERTIFICATION_DATES)))} FROM plan_certification pc WHERE pc.note_id = pn.id)"
        plan = (f"(SELECT {d.obj(**columns('pn', 'id kind date_of_service plan_start plan_end'), certification=Json(certification))} "
                f"FROM note pn WHERE pn.case_id = :case_id AND pn.status = 'finalized' AND pn.kind IN ({plan_kinds}) "
                "ORDER BY pn.date_of_service DESC, pn.id DESC LIMIT 1)")
        offer = ("(CASE WHEN (SELECT co.initial_exam_case_copy FROM clinic c JOIN company co ON co.id = c.company_id WHERE c.id = :clinic_id) "
                 "AND NOT EXISTS (SELECT 1 FROM note o WHERE o.case_id = :case_id) "
                 f"THEN (SELECT {d.obj(**columns('o', 'id kind date_of_service'))} FROM note o WHERE o.patient_id = :patient_id "
                 f"AND o.case_id <> :case_id AND o.clinic_id = :clinic_id AND o.status = 'finalized' AND o.kind <> '{NoteKind.DAILY_NOTE.value}' "
                 "ORDER BY o.date_of_service DESC, o.finalized_at DESC LIMIT 1) END)")
        notes_source = "FROM note x WHERE x.case_id = :case_id AND x.clinic_id = :clinic_id"
        notes = d.page_rows(note_fields(d, "x"), "x", notes_source, NOTES_NEWEST_FIRST)
        return paged(d, notes_source) + "SELECT " + d.obj(**layout_fields(d), patient=Json(patient), case=Json(case), company=Json(company),
                                                          finalized=finalized, plan=Json(plan), copy_offer=Json(offer), **PAGE_FIELDS,
                                                          notes=notes)

    def case_page(self, patient_id: int, case_id: int):
        self.only_args("page")
        data = self.fetch("case", patient_id=patient_id, case_id=case_id, page=page_number(), size=NOTE_LIST_SIZE)
        clinic, _, context = self.layout(data)
        if data["patient"] is None or data["case"] is None:
            abort(404)
        k = data["case"]
        t = k["therapist"]
        therapist = User(**{**t, "user_type": UserType(t["user_type"]), "status": UserStatus(t["status"])})
        policies = [Row(**{**cp, "rank": PolicyRank(cp["rank"]), "start_date": _date(cp["start_date"]), "end_date": _date(cp["end_date"]),
                           "insured_relationship": InsuredRelationship(cp["insured_relationship"]),
                           "insurance": Row(name=cp["insurance_name"], insurance_type=InsuranceType(cp["insurance_type"]))})
                    for cp in k["policies"]]
        case = Row(**{**k, "patient_id": data["patient"]["id"], "discipline": Discipline(k["discipline"]), "status": CaseStatus(k["status"]),
                      "therapist": therapist,
                      "referring_physician": Physician(**k["physician"]) if k["physician"] else None,
                      "referral_date": _date(k["referral_date"]), "onset_date": _date(k["onset_date"]),
                      "accident_date": _date(k["accident_date"]), "related_cause": RelatedCause(k["related_cause"]),
                      "apply_kx_modifier": bool(k["apply_kx_modifier"]), "policies": policies,
                      "authorizations": [authorization_of(a) for a in k["authorizations"]]})
        patient = Patient(**data["patient"])
        company = Row(poc_alerts=data["company"]["poc_alerts"], initial_exam_case_copy=bool(data["company"]["initial_exam_case_copy"]))
        clocks = case_clocks_of(any(p.insurance.insurance_type.is_medicare for p in policies), data["finalized"], data["plan"], company,
                                clinic_today(clinic))
        can_start = self.user.can(Permission.START_NOTES)
        offer = data["copy_offer"] if can_start else None
        copy_offer = Row(id=offer["id"], kind=NoteKind(offer["kind"]), date_of_service=_date(offer["date_of_service"])) if offer else None
        section = {"page": Page(items=[clinical_note_of(n) for n in data["notes"]], number=data["number"], size=NOTE_LIST_SIZE,
                                total=data["total"]),
                   "filters": NO_FILTERS, "clocks": clocks, "startable": startable_kinds(case, clocks.finalized_kinds) if can_start else [],
                   "copy_offer": copy_offer}
        return self.render("cases/show.html", patient=patient, case=case, auth_form=AddAuthorizationForm(**BLANK_FORM), message=None,
                           place_labels=dict(PLACES_OF_SERVICE), case_notes_section=lambda _case: section, **self.static.case_urls(patient.id),
                           **context)

    # -- My Notes and Incomplete Cosign Docs -----------------------------------------------------
    def queue_sql(self, d: Dialect, where: str, order: str) -> str:
        """core.notes.lists.my_notes_page / cosign_page: a page of the clinic's notes ``where`` says, with author,
        co-signer, patient and case."""
        source = f"FROM note x WHERE x.clinic_id = :clinic_id AND {where}"
        notes = d.page_rows(note_fields(d, "x", patient=True), "x", source, order)
        return paged(d, source) + "SELECT " + d.obj(**layout_fields(d), **PAGE_FIELDS, notes=notes)

    def queue(self, name: str, permission: Permission, template: str, endpoint: str, queue: str):
        self.only_args("page")
        if not self.user.can(permission):
            abort(403)
        data = self.fetch(name, page=page_number(), size=QUEUE_SIZE)
        _, _, context = self.layout(data)
        page = Page(items=[clinical_note_of(n) for n in data["notes"]], number=data["number"], size=QUEUE_SIZE, total=data["total"])
        return self.render(template, "notes/_queue_table.html", page=page, endpoint=endpoint, queue=queue, **context)

    def my_notes(self):
        return self.queue("mine", Permission.START_NOTES, "notes/mine.html", "notes.mine", "mine")

    def cosign_queue(self):
        return self.queue("cosign", Permission.FINISH_NOTES, "notes/cosign.html", "notes.cosign_queue", "cosign")

    # -- User Manager ------------------------------------------------------------------------------
    def users_sql(self, d: Dialect) -> str:
        """core.accounts.user_manager.index: a page of the clinic's users with MIPS participation and Virtual
        Visits (the plugins' columns), MIPS's reporting mode, and the license counts (seats, active users by type)."""
        source = "FROM user_account u JOIN clinic_access a ON a.user_id = u.id WHERE a.clinic_id = :clinic_id"
        users = d.page_rows({**columns("u", "id first_name last_name email user_type status is_admin"),
                            "mips": "(SELECT m.participating FROM mips_participant m WHERE m.clinic_id = :clinic_id AND m.user_id = u.id)",
                            "virtual_visits": "(SELECT v.enabled FROM virtual_visits_user v WHERE v.clinic_id = :clinic_id AND v.user_id = u.id)"},
                           "u", source, "u.last_name, u.first_name, u.id")
        reporting = ("(SELECT s.value FROM clinic_plugin_setting s WHERE s.clinic_id = :clinic_id AND s.plugin = 'mips' "
                     "AND s.key = 'reporting')")
        seats = d.rows(columns("l", "category seats"), "FROM clinic_license l WHERE l.clinic_id = :clinic_id", "l.category")
        used = d.rows(columns("t", "user_type n"),
                      "FROM (SELECT u.user_type, count(u.id) AS n FROM user_account u JOIN clinic_access a ON a.user_id = u.id "
                      "WHERE a.clinic_id = :clinic_id AND a.is_default AND u.status = 'active' GROUP BY u.user_type) t", "t.user_type")
        return paged(d, source) + "SELECT " + d.obj(**layout_fields(d), **PAGE_FIELDS, users=users, mips_reporting=Json(reporting),
                                                    seats=seats, used=used)

    def user_manager(self):
        self.only_args("page")
        size = current_app.config["PAGE_SIZE"]
        data = self.fetch("users", page=page_number(), size=size)
        clinic, plugins, context = self.layout(data)
        users = [User(**{**u, "user_type": UserType(u["user_type"]), "status": UserStatus(u["status"]), "is_admin": bool(u["is_admin"])})
                 for u in data["users"]]
        by_id = {u["id"]: u for u in data["users"]}
        can_edit = self.user.can(Permission.EDIT_USERS)
        columns_ = []
        if "mips" in plugins:  # plugins.mips.hooks.caseload_user_manager_columns
            therapists = [u for u in users if u.user_type.is_therapist]
            if (data["mips_reporting"] or INDIVIDUAL) == GROUP:
                cells = {u.id: group_cell() for u in therapists}
            else:
                cells = {u.id: participation_cell(bool(by_id[u.id]["mips"]), can_edit) for u in therapists}
            columns_.append(Column(key="mips", header="MIPS", cells=cells, order=30))
        if "virtual_visits" in plugins:  # plugins.virtual_visits.hooks.caseload_user_manager_columns
            cells = {u.id: status_cell(bool(by_id[u.id]["virtual_visits"]), can_edit) if sees_patients(u) else NOT_A_PROVIDER for u in users}
            columns_.append(Column(key="virtual_visits", header="Virtual Visits", cells=cells, order=40))
        seats = {LicenseCategory(row["category"]): row["seats"] for row in data["seats"]}
        used = {UserType(row["user_type"]): row["n"] for row in data["used"]}
        licenses = [LicenseCount(category, None if category is LicenseCategory.CLERICAL else seats.get(category, 0),
                                 sum(n for t, n in used.items() if t.license_category is category))
                    for category in LicenseCategory]
        page = Page(items=users, number=data["number"], size=size, total=data["total"])
        return self.render("accounts/user_manager/index.html", "accounts/user_manager/_table.html", clinic=clinic, page=page,
                           columns=sorted(columns_, key=lambda c: (c.order, c.key)), args=request.args, user_types=list(UserType),
                           statuses=list(UserStatus), licenses=licenses, **context)

    # -- Insurances --------------------------------------------------------------------------------
    def insurances_sql(self, d: Dialect) -> str:
        """core.payers.views.index: a page of the company's insurances."""
        source = "FROM insurance i WHERE i.company_id = (SELECT c.company_id FROM clinic c WHERE c.id = :clinic_id)"
        insurances = d.page_rows({**columns("i", "id name insurance_type payer_id alternate_id unit_calculation authorization_required active"),
                                  "enabled_modifiers": Json("i.enabled_modifiers")}, "i", source, "i.name, i.id")
        return paged(d, source) + "SELECT " + d.obj(**layout_fields(d), **PAGE_FIELDS, insurances=insurances)

    def insurances(self):
        self.only_args("page")
        size = current_app.config["PAGE_SIZE"]
        data = self.fetch("insurances", page=page_number(), size=size)
        clinic, _, context = self.layout(data)
        items = [Row(**{**i, "insurance_type": InsuranceType(i["insurance_type"]), "unit_calculation": UnitCalculation(i["unit_calculation"]),
                        "authorization_required": bool(i["authorization_required"]), "active": bool(i["active"])})
                 for i in data["insurances"]]
        page = Page(items=items, number=data["number"], size=size, total=data["total"])
        return self.render("payers/index.html", "payers/_table.html", clinic=clinic, page=page, args=request.args, **context)

    # -- Audit Trail -------------------------------------------------------------------------------
    def audit_sql(self, d: Dialect) -> str:
        """core.audit.views.index: a page of the events of the user's clinics with actor and clinic, each event's
        record label (the fields core/*/audit_labels.py name it by), and the actions for the Action filter."""
        rid = d.record_id("e.object_id")
        labels = {
            "patient": (columns("x", "last_name first_name chart_number"), "patient x"),
            "user": (columns("x", "first_name last_name user_type"), "user_account x"),
            "case": ({**columns("x", "title patient_id"), **columns("y", "last_name first_name")},
                     "patient_case x JOIN patient y ON y.id = x.patient_id"),
            "note": ({**columns("x", "kind date_of_service"), **columns("y", "last_name first_name")},
                     "note x JOIN patient y ON y.id = x.patient_id"),
            "insurance": (columns("x", "name"), "insurance x"),
            "referring_physician": (columns("x", "last_name first_name"), "referring_physician x"),
            "clinic": (columns("x", "name"), "clinic x"),
            "company": (columns("x", "name"), "company x"),
        }
        whens = " ".join(f"WHEN '{kind}' THEN (SELECT {d.obj(**fields)} FROM {table} WHERE x.id = {rid})"
                         for kind, (fields, table) in labels.items())
        source = f"FROM audit_event e WHERE e.clinic_id IN {VIEWER_CLINICS}"
        events = d.page_rows({**columns("e", "id occurred_at action object_type object_id summary"), "changes": Json("e.changes"),
                              "actor": "(SELECT u.email FROM user_account u WHERE u.id = e.actor_id)",
                              "clinic": "(SELECT c.name FROM clinic c WHERE c.id = e.clinic_id)",
                              "label": Json(f"(CASE e.object_type {whens} END)")}, "e", source, "e.id DESC")
        actions = d.rows({"action": "x.action"}, f"FROM (SELECT DISTINCT e.action FROM audit_event e WHERE e.clinic_id IN {VIEWER_CLINICS}) x",
                         "x.action")
        return paged(d, source) + "SELECT " + d.obj(**layout_fields(d), **PAGE_FIELDS, events=events, actions=actions)

    def audit_trail(self):
        self.only_args("page")
        if not (self.user.is_admin or self.user.can(Permission.COMPANY_ADMIN) or self.user.can(Permission.CLINIC_ADMIN)):
            abort(403)
        size = current_app.config["PAGE_SIZE"]
        data = self.fetch("audit", page=page_number(), size=size)
        _, _, context = self.layout(data)
        events, labels = [], {}
        for e in data["events"]:
            events.append(Row(**{**e, "occurred_at": _instant(e["occurred_at"]), "actor": Row(email=e["actor"]) if e["actor"] else None,
                                 "clinic": Row(name=e["clinic"]) if e["clinic"] else None}))
            if e["label"] is not None:
                labels[(e["object_type"], e["object_id"])] = record_label(e["object_type"], int(e["object_id"]), e["label"])
        page = Page(items=events, number=data["number"], size=size, total=data["total"])
        return self.render("audit/index.html", "audit/_rows.html", page=page, errors={}, args=request.args, labels=labels,
                           actions=[a["action"] for a in data["actions"]], **context)


def record_label(kind: str, record_id: int, f: dict) -> RecordLabel:
    """The Audit Trail's name for a record, as core/*/audit_labels.py word and link it."""
    if kind == "patient":
        return RecordLabel(f"{f['last_name']}, {f['first_name']} (chart #{f['chart_number']})", url_for("patients.chart", patient_id=record_id))
    if kind == "user":
        return RecordLabel(f"{f['first_name']} {f['last_name']} ({f['user_type']})", url_for("user_manager.show", user_id=record_id))
    if kind == "case":
        return RecordLabel(f"{f['title']} — {f['last_name']}, {f['first_name']}",
                           url_for("cases.show", patient_id=f["patient_id"], case_id=record_id))
    if kind == "note":
        day = f["date_of_service"]
        return RecordLabel(f"{f['kind']} {day[5:7]}/{day[8:10]}/{day[:4]} — {f['last_name']}, {f['first_name']}",
                           url_for("notes.show", note_id=record_id))
    if kind == "insurance":
        return RecordLabel(f["name"], url_for("insurances.edit", insurance_id=record_id))
    if kind == "referring_physician":
        return RecordLabel(f"Dr. {f['first_name']} {f['last_name']}", url_for("insurances.physician", physician_id=record_id))
    return RecordLabel(f["name"])  # clinic, company


def parse_date(term: str) -> date | None:
    """A date of birth typed in the search box (core.patients.models._parse_date)."""
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"):
        try:
            return datetime.strptime(term, fmt).date()
        except ValueError:
            continue
    return None


# -- start-up: what never depends on the database at request time -------------------------------------
def read_static(caseload: Flask) -> SimpleNamespace:
    """From a Caseload app, once: the bench user and clinic, the navigation links and the Patient Manager's
    plugin buttons (each tagged with the plugin offering it, None for core's), the template folders."""
    from sqlalchemy import select

    from core.accounts import User as UserModel
    from core.extensions import db
    from core.tenancy import Clinic as ClinicModel
    from core.web.navigation import CORE_ITEMS

    host = caseload.extensions["caseload_plugins"]
    with caseload.test_request_context("/"):
        user = db.session.scalar(select(UserModel).where(UserModel.email == BENCH_EMAIL))
        clinic_id = db.session.scalar(select(ClinicModel.id).where(ClinicModel.name == BENCH_CLINIC))
        if user is None or clinic_id is None:
            raise RuntimeError(f"the database has no {BENCH_EMAIL} or no clinic {BENCH_CLINIC!r}: build it with bench_pages.py")
        bench_user = BenchUser(id=user.id, email=user.email, first_name=user.first_name, last_name=user.last_name,
                               user_type=user.user_type, status=user.status, is_admin=user.is_admin, permissions=frozenset(user.permission_set))
        clinic = db.session.get(ClinicModel, clinic_id)
        nav = sorted([(None, i) for i in CORE_ITEMS] + [(p, i) for p, i in _items(host, "caseload_nav_items", clinic, bench_user)],
                     key=lambda pi: (pi[1].order, pi[1].label))
        nav = [(p, {"label": i.label, "url": url_for(i.endpoint)}) for p, i in nav if i.permission is None or bench_user.can(i.permission)]
        actions = [(p, {"label": i.label, "url": url_for(i.endpoint)})
                   for p, i in sorted(_items(host, "caseload_patient_manager_actions", clinic, bench_user), key=lambda pi: (pi[1].order, pi[1].label))
                   if i.permission is None or bench_user.can(i.permission)]
        db.session.remove()
        db.engine.dispose()
    folders = [os.path.join(bp.root_path, bp.template_folder) for bp in caseload.blueprints.values() if bp.template_folder]
    view_functions = set(caseload.view_functions)

    def case_urls(patient_id: int) -> dict:
        """core.cases.views._page's links: the first endpoint of each list that the app has."""
        def first(endpoints, **values):
            return next((url_for(e, **values) for e in endpoints if e in view_functions), None)

        return {"chart_url": first(("patients.show", "patients.chart"), patient_id=patient_id),
                "edit_patient_url": first(("patients.edit_patient", "patients.edit"), patient_id=patient_id),
                "new_physician_url": first(("insurances.new_physician",))}

    return SimpleNamespace(user=bench_user, clinic_id=clinic_id, nav=nav, actions=actions, case_urls=case_urls,
                           template_folders=[*folders, *host.template_folders()])


def _items(host, hook: str, clinic, user) -> list:
    """``(plugin name, NavItem)`` for what each installed plugin's ``hook`` offers."""
    from core.plugin_host import flatten

    found = []
    for name in host.plugins:
        others = [host.pm.get_plugin(n) for n in host.plugins if n != name]
        found += [(name, item) for item in flatten(host.pm.subset_hook_caller(hook, remove_plugins=others)(clinic=clinic, user=user))]
    return found


def create_ceiling_app(database_url: str, paths: list[str]) -> Flask:
    """The ceiling app for the database at ``database_url``; ``paths`` are the pages it must serve (checked)."""
    caseload = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    static = read_static(caseload)

    app = Flask("bench_ceiling", root_path=str(REPO), template_folder="templates", static_folder=None)
    app.request_class = CaseloadRequest
    app.config["PAGE_SIZE"] = caseload.config["PAGE_SIZE"]
    app.config["STATEMENTS_PER_PAGE"] = 1
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(REPO / "templates")), *[FileSystemLoader(f) for f in static.template_folders]])
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(Permission=Permission, form_errors=form_errors, csrf_token=lambda: CSRF_TOKEN, current_user=static.user)
    app.jinja_env.filters.update(us_date=lambda d: d.strftime("%m/%d/%Y") if d else "", phone=format_phone, zip_code=format_zip,
                                 clinic_time=format_local_time, clinic_date=format_local_date)
    set_zone_source(app, lambda: g.get("zone"))

    # Caseload's URL rules and endpoint names, so that url_for builds the same links; only the pages are served.
    app.url_map.converters["int"] = BoundedIntegerConverter
    for rule in caseload.url_map.iter_rules():
        app.url_map.add(rule.empty())
        app.view_functions[rule.endpoint] = not_served
    ceiling = Ceiling(Database(database_url), static)
    pages = {"home.index": ceiling.home, "patients.index": ceiling.patient_manager, "patients.chart": ceiling.chart,
             "cases.show": ceiling.case_page, "user_manager.index": ceiling.user_manager, "insurances.index": ceiling.insurances,
             "audit.index": ceiling.audit_trail, "notes.mine": ceiling.my_notes, "notes.cosign_queue": ceiling.cosign_queue}
    for endpoint, view in pages.items():
        app.view_functions[endpoint] = one_statement(view)
    adapter = app.url_map.bind("localhost")
    app.view_functions[adapter.match("/healthz")[0]] = lambda: ("ok", 200, {"Content-Type": "text/plain"})
    for path in paths:
        endpoint = adapter.match(urllib.parse.urlsplit(path).path)[0]
        if endpoint not in pages:
            raise ValueError(f"the ceiling does not serve {path} ({endpoint})")
    return app


def not_served(**_values):
    raise NotFound("The ceiling serves only the main pages.")


def one_statement(view):
    """The page ``view``, checked to have run exactly STATEMENTS_PER_PAGE statements."""
    @functools.wraps(view)
    def page(**values):
        g.statements = 0
        response = view(**values)
        if g.statements != current_app.config["STATEMENTS_PER_PAGE"]:
            raise AssertionError(f"{request.path} ran {g.statements} statements")
        return response

    return page


def create_ceiling_app_from_environment() -> Flask:
    """For gunicorn: ``DATABASE_URL`` and ``BENCH_PATHS`` (a JSON list of paths) from the environment."""
    return create_ceiling_app(os.environ["DATABASE_URL"], json.loads(os.environ.get("BENCH_PATHS", "[]")))
