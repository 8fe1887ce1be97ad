"""Sign-in, sign-out, inactive users, throttling, CSRF and the clinic switcher."""
from datetime import timedelta

from sqlalchemy import select

from core.accounts import UserStatus
from core.accounts.sign_in import INVALID_MESSAGE
from core.audit import AuditEvent
from core.extensions import db, utcnow
from tests.support import PASSWORD, FreshContextClient


def test_login_lands_in_default_clinic(client, make_clinic, make_user):
    first, second = make_clinic("North Clinic"), make_clinic("South Clinic")
    make_user([second, first], email="pt@example.test")
    response = client.login("PT@Example.test")  # emails are case-insensitive
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "<h1>South Clinic</h1>" in home
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login")) is not None


def test_wrong_password_is_refused_with_a_message(client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    response = client.login("pt@example.test", "wrong-password")
    assert response.status_code == 422
    assert INVALID_MESSAGE.replace("'", "&#39;") in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message(client, app):
    response = client.login("nobody@example.test", "whatever")
    assert response.status_code == 422
    assert INVALID_MESSAGE.replace("'", "&#39;") in response.get_data(as_text=True)


def test_inactive_user_is_refused_with_a_clear_message(client, make_user, clinic):
    make_user([clinic], email="gone@example.test", status=UserStatus.INACTIVE)
    response = client.login("gone@example.test")
    assert response.status_code == 422
    assert "This account is inactive" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_user_made_inactive_is_signed_out_at_next_request(client, make_user, clinic):
    user = make_user([clinic], email="pt@example.test")
    client.login("pt@example.test")
    assert client.get("/").status_code == 200
    user.status = UserStatus.INACTIVE
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_repeated_failures_lock_the_account(client, app, make_user, clinic):
    user = make_user([clinic], email="pt@example.test")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.login("pt@example.test", "bad-guess")
    # Even the right password is refused while the lock lasts.
    response = client.login("pt@example.test", PASSWORD)
    assert response.status_code == 422
    assert "locked" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until > utcnow()
    # When the lock has passed, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.login("pt@example.test", PASSWORD).status_code == 303


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    app.test_client_class = FreshContextClient
    raw = app.test_client()
    response = raw.post("/login", data={"email": "pt@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert raw.get("/").status_code == 302  # not signed in
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_state_change_without_csrf_changes_nothing(client, admin, clinic, enable_plugin):
    client.login(admin.email)
    response = client.client.post("/settings/features/mips", data={"enabled": "on"})
    assert response.status_code == 400
    from core.plugin_host import is_enabled
    assert not is_enabled(clinic, "mips")


def test_csrf_header_is_accepted_for_htmx(client, admin, clinic):
    client.login(admin.email)
    response = client.post("/settings/features/mips", data={"enabled": "on"}, htmx=True)
    assert response.status_code == 200
    assert "Turn off" in response.get_data(as_text=True)


def test_csrf_failure_on_htmx_request_tells_user_to_reload(client, admin):
    client.login(admin.email)
    response = client.client.post("/settings/features/mips", data={"enabled": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "Reload the page" in response.get_data(as_text=True)


def test_logout_needs_post_and_signs_out(client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    client.login("pt@example.test")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302


def test_next_parameter_only_allows_local_paths(client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    token = client.csrf_token()
    response = client.client.post(
        "/login", data={"email": "pt@example.test", "password": PASSWORD, "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_clinic_switcher(client, make_clinic, make_user):
    north, south, other = make_clinic("North Clinic"), make_clinic("South Clinic"), make_clinic("Other Co Clinic")
    make_user([north, south], email="admin2@example.test", is_admin=True)
    client.login("admin2@example.test")
    page = client.get("/").get_data(as_text=True)
    assert 'id="clinic-switcher"' in page and "South Clinic" in page and "Other Co Clinic" not in page
    assert client.post("/clinic/switch", data={"clinic_id": south.id}).status_code == 303
    assert "<h1>South Clinic</h1>" in client.get("/").get_data(as_text=True)
    # A clinic without access is refused and the current clinic stays.
    client.post("/clinic/switch", data={"clinic_id": other.id})
    page = client.get("/").get_data(as_text=True)
    assert "<h1>South Clinic</h1>" in page


def test_single_clinic_user_has_no_switcher(client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    client.login("pt@example.test")
    assert 'id="clinic-switcher"' not in client.get("/").get_data(as_text=True)


def test_session_cookie_flags(client, make_user, clinic):
    make_user([clinic], email="pt@example.test")
    response = client.login("pt@example.test")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
