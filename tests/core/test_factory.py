"""The app factory and its configuration from the environment; the demo seed."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import create_app
from core.accounts import User, UserType
from core.config import ConfigError, from_environment, normalise_database_url
from core.demo import seed_demo
from core.extensions import db
from core.tenancy import Clinic, ClinicAccess, Company


def test_development_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CASELOAD_ENV", raising=False)
    first = from_environment(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert from_environment(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CASELOAD_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    config = from_environment(tmp_path)
    assert config["SECRET_KEY"] == "s3cret" and config["SESSION_COOKIE_SECURE"] is True


def test_database_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'caseload.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/caseload")
    assert from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/caseload"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_create_app_applies_overrides(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PAGE_SIZE": 7})
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert "caseload_plugins" in app.extensions


def test_demo_seed_is_idempotent_and_complete(app):
    logins = seed_demo()
    seed_demo()
    assert db.session.scalar(select(func.count(Company.id))) == 1
    assert db.session.scalar(select(func.count(Clinic.id))) == 2
    types = set(db.session.scalars(select(User.user_type)))
    assert types == set(UserType)
    emails = {email for email, _ in logins}
    assert {"admin@demo.test", "pt@demo.test", "pta@demo.test", "front@demo.test", "biller@demo.test"} <= emails
    assert db.session.scalar(select(func.count(User.id))) == len(logins)
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    assert admin.is_admin and len(admin.clinic_access) == 2
    # every user has exactly one default clinic
    for user in db.session.scalars(select(User)):
        assert sum(a.is_default for a in user.clinic_access) == 1


def test_demo_cli_prints_logins(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert "admin@demo.test" in result.output and "demo-password" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert "not seeded" in again.output


def test_demo_logins_work(client, app):
    seed_demo()
    response = client.login("pt@demo.test", "demo-password")
    assert response.status_code == 303
    assert "Saguaro PT - Camelback" in client.get("/").get_data(as_text=True)


def test_only_one_default_clinic_per_user(app, make_clinic, make_user):
    a, b = make_clinic("A"), make_clinic("B")
    user = make_user([a])
    db.session.add(ClinicAccess(user=user, clinic=b, is_default=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_demo_shows_licenses_and_plugins(app):
    from core.accounts import LicenseCategory, license_counts
    from core.plugin_host import is_enabled, plugin_settings
    from core.web import npi_error

    seed_demo()
    seed_demo()
    camelback, old_town = db.session.scalars(select(Clinic).order_by(Clinic.name)).all()
    therapists = next(c for c in license_counts(camelback.id) if c.category is LicenseCategory.THERAPIST)
    assert therapists.available == 0  # full
    assert is_enabled(camelback, "mips") and plugin_settings(camelback, "mips")["reporting"] == "individual"
    assert is_enabled(old_town, "virtual_visits") and not is_enabled(old_town, "mips")
    for user in db.session.scalars(select(User).where(User.npi.is_not(None))):
        assert npi_error(user.npi) is None


def test_demo_patients_cover_both_clinics_and_every_insurance_type(app):
    from core.cases import Authorization, Case, CasePolicy, PolicyRank
    from core.patients import Patient, profile_problems
    from core.payers import Insurance, InsuranceType
    from core.web import postal_code_error

    seed_demo()
    seed_demo()
    patients = db.session.scalars(select(Patient)).all()
    assert 45 <= len(patients) <= 60
    assert len({p.clinic_id for p in patients}) == 2
    types = set(db.session.scalars(select(Insurance.insurance_type).join(CasePolicy, CasePolicy.insurance_id == Insurance.id)))
    assert types == set(InsuranceType)
    assert db.session.scalar(select(func.count(Authorization.id))) >= 5
    assert db.session.scalar(select(func.count(CasePolicy.id)).where(CasePolicy.rank == PolicyRank.SECONDARY)) >= 3
    with_case = set(db.session.scalars(select(Case.patient_id)))
    assert len(with_case) == 50  # core's demo patients; plugins may add others (Quick Add: two incomplete)
    for p in patients:
        if p.id in with_case:  # every core demo patient passes the billing checks
            assert profile_problems(p) == [] and postal_code_error(p.primary_address.postal_code) is None


def test_demo_has_two_quick_added_incomplete_patients(app):
    from core.patients import Patient, profile_problems
    from plugins.quick_add.models import QuickAddPatient

    seed_demo()
    seed_demo()
    quick = db.session.scalars(select(Patient).join(QuickAddPatient, QuickAddPatient.patient_id == Patient.id)).all()
    assert len(quick) == 2 and all(profile_problems(p) for p in quick)


def test_home_shows_the_therapists_caseload(client, app, count_queries):
    from core.cases import Case

    seed_demo()
    client.login("pt@demo.test", "demo-password")
    pt = db.session.scalar(select(User).where(User.email == "pt@demo.test"))
    mine = db.session.scalars(select(Case).where(Case.therapist_id == pt.id, Case.clinic_id == pt.default_clinic_id)).all()
    assert mine
    page = client.get("/").get_data(as_text=True)
    assert "My caseload" in page
    for case in mine:
        assert f"/cases/{case.id}" in page
    others = db.session.scalars(select(Case).where(Case.therapist_id != pt.id)).all()
    assert not any(f"/patients/{c.patient_id}/cases/{c.id}\"" in page for c in others)
    client.login("front@demo.test", "demo-password")
    assert "My caseload" not in client.get("/").get_data(as_text=True)
