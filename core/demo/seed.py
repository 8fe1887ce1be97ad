"""``flask demo``: seed a realistic demo organisation. Running it again adds nothing twice."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select, text

from core.accounts import ClinicLicense, LicenseCategory, User, UserType, hash_password, normalise_email, set_seats
from core.demo.billing import seed_billing
from core.demo.notes import seed_demo_notes
from core.demo.patients import seed_demo_patients
from core.extensions import db
from core.plugin_host import hooks_for, plugin_host, set_plugin_enabled, set_plugin_setting
from core.tenancy import Clinic, ClinicAccess, Company
from core.web import Permission

bp = Blueprint("demo_cli", __name__, cli_group=None)

DEMO_PASSWORD = "demo-password"  # noqa: S105  (the demo logins, documented in the README)
COMPANY = {"name": "Saguaro Physical Therapy & Rehab", "tin": "861234567"}
CLINICS = [
    {"name": "Saguaro PT - Camelback", "npi": "1234567893", "address_line1": "4250 E Camelback Rd Ste 210",
     "city": "Phoenix", "state": "AZ", "postal_code": "850181234", "phone": "6025550142",
     "fee_schedule_region": "Arizona", "alternate_id": "FAC-101", "time_zone": "America/Phoenix"},
    {"name": "Saguaro PT - Old Town Scottsdale", "npi": "1245319599", "address_line1": "7301 E 3rd Ave",
     "city": "Scottsdale", "state": "AZ", "postal_code": "852514321", "phone": "4805550178",
     "place_of_service_enabled": True, "referral_required": True, "alternate_id": "FAC-102",
     "time_zone": "America/Phoenix"},
    # Old Town has no Medicare Fee Schedule region yet: its users see the alert at every sign-in.
]

PATIENT = [Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS, Permission.EDIT_PATIENT_TRANSACTIONS]
NOTES_ALL = [Permission.START_NOTES, Permission.FORWARD_NOTES, Permission.FINISH_NOTES]
ANALYTICS = [Permission.ANALYTICS_ACCESS]

# Licenses per clinic: Camelback's therapist licenses are all in use (admin and pt default there).
LICENSES = [
    {LicenseCategory.THERAPIST: 2, LicenseCategory.ASSISTANT: 3, LicenseCategory.STUDENT: 2},
    {LicenseCategory.THERAPIST: 6, LicenseCategory.ASSISTANT: 4, LicenseCategory.STUDENT: None},
]
# Valid NPIs (check digit per CMS) for the demo therapists.
NPIS = {"admin@demo.test": "1003000126", "pt@demo.test": "1497758544", "ot@demo.test": "1851385314",
        "slp@demo.test": "1962498550"}
# Plugins switched on in the demo: MIPS (Individual) and Quick Add at Camelback, Virtual Visits at Old Town.
DEMO_PLUGINS = [(0, "mips", {"reporting": "individual"}), (1, "virtual_visits", {}), (0, "quick_add", {})]

# email, first, last, type, admin, clinics (indexes; first is default), permissions
USERS = [
    ("admin@demo.test", "Alicia", "Moreno", UserType.PT, True, [0, 1], []),
    ("pt@demo.test", "Daniel", "Okafor", UserType.PT, False, [0], PATIENT + NOTES_ALL + ANALYTICS),
    ("ot@demo.test", "Priya", "Raman", UserType.OT, False, [1], PATIENT + NOTES_ALL + ANALYTICS),
    ("slp@demo.test", "Hannah", "Lindqvist", UserType.SLP, False, [1, 0], PATIENT + NOTES_ALL + ANALYTICS),
    ("pta@demo.test", "Marcus", "Bell", UserType.PTA, False, [0], PATIENT + NOTES_ALL[:2] + ANALYTICS),
    ("cota@demo.test", "Rosa", "Delgado", UserType.COTA, False, [1], PATIENT + NOTES_ALL[:2] + ANALYTICS),
    ("slpa@demo.test", "Kevin", "Tran", UserType.SLPA, False, [1], PATIENT + NOTES_ALL[:2] + ANALYTICS),
    ("front@demo.test", "Jasmine", "Carter", UserType.CLERICAL, False, [0, 1], PATIENT + ANALYTICS),
    ("biller@demo.test", "Tom", "Whitfield", UserType.BILLER, False, [0, 1],
     PATIENT + [Permission.BILLING_REPORT_ADMIN] + ANALYTICS),
    ("spt@demo.test", "Emily", "Novak", UserType.SPT, False, [0], PATIENT[:1] + NOTES_ALL[:1]),
    ("sot@demo.test", "Lucas", "Ferreira", UserType.SOT, False, [1], PATIENT[:1] + NOTES_ALL[:1]),
    ("sslp@demo.test", "Grace", "Kim", UserType.SSLP, False, [1], PATIENT[:1] + NOTES_ALL[:1]),
]


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo organisation if missing; return ``[(email, description)]`` of the logins."""
    company = db.session.scalar(select(Company).where(Company.tin == COMPANY["tin"]))
    if company is None:
        company = Company(**COMPANY)
        db.session.add(company)
    clinics = []
    for data in CLINICS:
        clinic = db.session.scalar(select(Clinic).where(Clinic.name == data["name"]))
        if clinic is None:
            clinic = Clinic(company=company, **data)
            db.session.add(clinic)
        clinics.append(clinic)
    db.session.flush()
    password_hash = None
    logins = []
    for email, first, last, user_type, admin, clinic_idx, permissions in USERS:
        logins.append((email, f"{first} {last}, {user_type.value}{' (company admin)' if admin else ''}"))
        if db.session.scalar(select(User.id).where(User.email == normalise_email(email))):
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(email=email, first_name=first, last_name=last, user_type=user_type, is_admin=admin,
                    password_hash=password_hash, npi=NPIS.get(email),
                    alternate_id=f"CMD-{1000 + len(logins)}" if user_type.is_therapist else None)
        user.set_permissions(permissions)
        user.clinic_access = [
            ClinicAccess(clinic=clinics[i], is_default=(n == 0)) for n, i in enumerate(clinic_idx)
        ]
        db.session.add(user)
    _seed_licenses(clinics)
    _seed_plugins(clinics)
    db.session.flush()
    seed_demo_patients(company, clinics)
    seed_billing(company)
    for clinic in clinics:
        hooks_for(clinic).caseload_demo_data(clinic=clinic)
    db.session.commit()
    seed_demo_notes(clinics)
    return logins


def _seed_licenses(clinics) -> None:
    for clinic, counts in zip(clinics, LICENSES, strict=True):
        have = set(db.session.scalars(select(ClinicLicense.category).where(ClinicLicense.clinic_id == clinic.id)))
        for category, seats in counts.items():
            if category not in have:
                set_seats(clinic.id, category, seats)


def _seed_plugins(clinics) -> None:
    installed = plugin_host().plugins
    for index, name, settings in DEMO_PLUGINS:
        if name in installed:
            set_plugin_enabled(clinics[index], name, True)
            for key, value in settings.items():
                set_plugin_setting(clinics[index], name, key, value)


def refresh_statistics() -> None:
    """Give the query planner table statistics (SQLite has none until ANALYZE; PostgreSQL's autovacuum
    keeps its own), so patient searches use their indexes from the first request."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def database_is_empty() -> bool:
    return db.session.scalar(select(Company.id).limit(1)) is None


@bp.cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database holds no company yet.")
def demo_command(if_empty: bool):
    """Seed the demo organisation and print its logins."""
    if if_empty and not database_is_empty():
        click.echo("The database already holds data; demo data not seeded.")
        return
    logins = seed_demo()
    refresh_statistics()
    click.echo(f"Demo organisation ready. Every login's password is: {DEMO_PASSWORD}")
    for email, description in logins:
        click.echo(f"  {email:20} {description}")
