"""Sessions end server-side (sign-out, password change, inactivation, Sign out everywhere, idle time);
sign-in failures are counted atomically, per address too; a locked account answers like a wrong password."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.accounts import UserSession, UserStatus, UserType
from core.accounts import sign_in as sign_in_module
from core.audit import AuditEvent
from core.extensions import db, utcnow
from tests.support import PASSWORD, CsrfClient, FreshContextClient


def _client(app):
    app.test_client_class = FreshContextClient
    return CsrfClient(app.test_client())


def _copy_cookies(source, target):
    for cookie in source.client._cookies.values():
        target.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


# -- sessions --------------------------------------------------------------------------------------
def test_a_session_cookie_copied_before_sign_out_is_refused_after(app, client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    assert client.login("pt@example.test").status_code == 303
    thief = _client(app)
    _copy_cookies(client, thief)
    assert thief.get("/").status_code == 200  # the copy works while the session is open
    client.post("/logout")
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(UserSession.ended_why)) == "sign-out"


def test_a_password_change_by_an_admin_ends_the_users_sessions(app, client, admin, make_user, clinic):
    from core.accounts import LicenseCategory, set_seats

    set_seats(clinic.id, LicenseCategory.THERAPIST, None)
    db.session.commit()
    pt = make_user([clinic], email="pt@example.test", last_name="Quinn")
    theirs = _client(app)
    theirs.login("pt@example.test")
    assert theirs.get("/").status_code == 200
    client.login(admin.email)
    data = {"first_name": "Test", "last_name": "Quinn", "email": pt.email, "password": "a-brand-new-password",
            "status": "active", "clinics": [clinic.id], "default_clinic": clinic.id, "permissions": [], "npi": "",
            "alternate_id": ""}
    assert client.post(f"/users/{pt.id}/edit", data=data).status_code == 303
    assert theirs.get("/").status_code == 302
    assert client.get("/").status_code == 200  # the admin's own session is untouched


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, client, admin, clinic):
    elsewhere = _client(app)
    elsewhere.login(admin.email)
    client.login(admin.email)
    data = {"first_name": "Ada", "last_name": "Quinn", "email": admin.email, "password": "my-own-new-password",
            "status": "active", "clinics": [clinic.id], "default_clinic": clinic.id, "is_admin": "y",
            "permissions": [], "npi": "", "alternate_id": ""}
    assert client.post(f"/users/{admin.id}/edit", data=data).status_code == 303
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_inactivation_ends_every_session(app, client, admin, make_user, clinic):
    pt = make_user([clinic], email="pt@example.test")
    theirs = _client(app)
    theirs.login("pt@example.test")
    client.login(admin.email)
    client.post(f"/users/{pt.id}/inactivate", htmx=True)
    assert theirs.get("/").status_code == 302
    assert db.session.scalar(select(func.count()).where(UserSession.user_id == pt.id, UserSession.ended_at.is_(None))) == 0


def test_sign_out_everywhere_ends_the_other_computers_sessions(app, client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    other = _client(app)
    other.login("pt@example.test")
    client.login("pt@example.test")
    assert "Sign out everywhere" in client.get("/").get_data(as_text=True)
    assert client.post("/logout/everywhere").status_code == 303
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_an_idle_session_ends(app, client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    client.login("pt@example.test")
    assert client.get("/").status_code == 200
    idle = app.config["SESSION_IDLE_MINUTES"]
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=idle, seconds=5)))
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"signed out after {idle} minutes without activity" in page
    assert db.session.scalar(select(UserSession.ended_why)) == "idle"


def test_a_session_in_use_stays_open(app, client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    client.login("pt@example.test")
    idle = app.config["SESSION_IDLE_MINUTES"]
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=idle - 1)))
    db.session.commit()
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(UserSession.last_seen_at)) > utcnow() - timedelta(minutes=1)


# -- enumeration and lockout -------------------------------------------------------------------------
def test_a_locked_account_answers_exactly_like_an_unknown_email(app, client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        real = client.login("pt@example.test", "bad-guess")
        unknown = client.login("nobody@example.test", "bad-guess")
        assert real.status_code == unknown.status_code == 422
        assert _message(real) == _message(unknown) == sign_in_module.INVALID_MESSAGE
    locked = client.login("pt@example.test", PASSWORD)
    assert _message(locked) == sign_in_module.INVALID_MESSAGE
    assert client.get("/").status_code == 302


def _message(response) -> str:
    import html
    import re

    match = re.search(r'id="login-error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1).strip()) if match else ""


def test_the_lock_engages_at_exactly_the_limit(app, client, make_user, clinic):
    user = make_user([clinic], email="pt@example.test")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        client.login("pt@example.test", "bad-guess")
    db.session.refresh(user)
    assert user.locked_until is None and user.failed_logins == limit - 1
    client.login("pt@example.test", "bad-guess")
    db.session.refresh(user)
    assert user.locked_until is not None


@pytest.mark.postgres
def test_parallel_wrong_passwords_cannot_outrun_the_lock(app, make_user, clinic, monkeypatch):
    """40 wrong passwords at once: exactly LOGIN_MAX_FAILURES of them are checked, the account is
    locked once, and the right password is refused afterwards."""
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    make_user([clinic], email="pt@example.test")
    checked: list[int] = []
    real_verify = sign_in_module.verify_password

    def counting_verify(stored, given):
        checked.append(1)
        return real_verify(stored, given)

    monkeypatch.setattr(sign_in_module, "verify_password", counting_verify)
    clients = [_client(app) for _ in range(40)]
    for c in clients:
        c.csrf_token()
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def attempt(c):
        barrier.wait()
        codes.append(c.post("/login", data={"email": "pt@example.test", "password": "bad-guess"}).status_code)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes.count(422) == 40
    assert len(checked) == app.config["LOGIN_MAX_FAILURES"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.locked")) == 1
    assert _client(app).login("pt@example.test", PASSWORD).status_code == 422


def test_one_address_is_throttled_whatever_the_account(app, client, make_user, clinic):
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    for i in range(5):
        assert client.login(f"someone{i}@example.test", "bad-guess").status_code == 422
    throttled = client.login("someone-else@example.test", "bad-guess")
    assert throttled.status_code == 429
    assert "Too many requests from this computer" in throttled.get_data(as_text=True)
    # Another address is not affected, and no account was locked by the flood.
    other = client.client.post("/login", data={"email": "x@example.test", "password": "y", "csrf_token": client.csrf_token()},
                               environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 422


def test_an_inactive_users_right_password_still_says_inactive(client, make_user, clinic):
    make_user([clinic], email="gone@example.test", user_type=UserType.PT, status=UserStatus.INACTIVE)
    response = client.login("gone@example.test")
    assert response.status_code == 422 and "inactive" in response.get_data(as_text=True)
