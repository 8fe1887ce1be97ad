"""htmx conventions: partial vs page, Vary, history restore, HX-Redirect on expiry; security headers;
User Manager list basics; the health check."""
from unittest import mock

from sqlalchemy.exc import OperationalError

from core.accounts import UserStatus, UserType


def test_htmx_request_gets_partial_and_page_gets_layout(client, admin):
    client.login(admin.email)
    page = client.get("/users/")
    partial = client.hx_get("/users/")
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    assert "<table" in partial.get_data(as_text=True)
    for response in (page, partial):
        assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(client, admin):
    client.login(admin.email)
    response = client.get("/users/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_expired_session_on_htmx_request_gets_hx_redirect(client, app):
    response = client.hx_get("/users/")
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"
    plain = client.get("/users/")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/login?next=")


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_layout_configures_htmx_without_history_cache(client):
    page = client.get("/login").get_data(as_text=True)
    assert '"historyCacheSize":0' in page and '"allowEval":false' in page
    assert "/static/vendor/htmx/htmx.min.js" in page


def test_vendored_files_are_served(client):
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    assert client.get("/static/vendor/pico/pico.min.css").status_code == 200


def test_user_manager_search_filter_and_pagination(client, admin, clinic, make_user, make_clinic):
    for n in range(30):
        make_user([clinic], last_name=f"Garcia{n:02d}", commit=False)
    make_user([clinic], last_name="Zimmer", user_type=UserType.BILLER, status=UserStatus.INACTIVE)
    make_user([make_clinic("Elsewhere")], last_name="Outsider")
    client.login(admin.email)
    first = client.get("/users/").get_data(as_text=True)
    assert "Page 1 of 2" in first and "32 in all" in first
    assert "Outsider" not in first  # users of other clinics are not listed
    assert "Garcia29" in client.get("/users/?page=2").get_data(as_text=True) or "Zimmer" in client.get("/users/?page=2").get_data(as_text=True)
    found = client.hx_get("/users/?q=garcia0").get_data(as_text=True)
    assert found.count('<tr id="user-') == 10
    billers = client.hx_get("/users/?type=Biller&status=inactive").get_data(as_text=True)
    assert "Zimmer" in billers and billers.count('<tr id="user-') == 1
    # Hostile input is shown escaped and filters nothing dangerous.
    assert "No users match." in client.hx_get("/users/?q=%25").get_data(as_text=True)  # % is not a wildcard
    assert "No users match." in client.hx_get("/users/?q=_").get_data(as_text=True)
    hostile = client.hx_get("/users/?q=%3Cscript%3Ealert(1)%3C/script%3E&page=abc").get_data(as_text=True)
    assert "No users match." in hostile


def test_user_manager_needs_view_users(client, clinic, make_user, permission):
    make_user([clinic], email="front@example.test", user_type=UserType.CLERICAL, permissions=[permission.VIEW_PATIENTS])
    client.login("front@example.test")
    assert client.get("/users/").status_code == 403
    assert "User Manager" not in client.get("/").get_data(as_text=True)


def test_user_manager_queries_do_not_grow_with_rows(client, admin, clinic, make_user, count_queries):
    client.login(admin.email)
    with count_queries() as few:
        client.get("/users/")
    for _ in range(40):
        make_user([clinic], commit=False)
    from core.extensions import db
    db.session.commit()
    with count_queries() as many:
        client.get("/users/")
    assert few.count == many.count


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_down(client):
    from core.extensions import db

    with mock.patch.object(db.session, "execute", side_effect=OperationalError("SELECT 1", {}, Exception("down"))):
        response = client.client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_is_404(client, admin):
    client.login(admin.email)
    assert client.get("/no-such-page").status_code == 404
