"""Virtual Visits: the User Manager column (Enabled/Disabled with Manage), its inline form and routes."""
import re

import pytest
from sqlalchemy import select

from core.accounts import UserType
from core.audit import AuditEvent
from core.extensions import db
from core.plugin_host import settings_fields
from plugins.virtual_visits.models import VirtualVisitsUser


def cell(page: str, user, key: str = "virtual_visits") -> str | None:
    """The inner HTML of ``user``'s cell in column ``key`` of the User Manager, or None without one."""
    row = re.search(rf'<tr id="user-{user.id}">(.*?)</tr>', page, re.S)
    assert row, f"no row for user {user.id}"
    match = re.search(rf'<td data-column="{key}">(.*?)</td>', row.group(1), re.S)
    return match.group(1).strip() if match else None


def has_column(page: str) -> bool:
    return '<th scope="col" data-column="virtual_visits">' in page


def status(html: str) -> str:
    return re.search(r"<span>(Enabled|Disabled)</span>", html).group(1)


def enabled(clinic, user):
    return db.session.scalar(
        select(VirtualVisitsUser.enabled).where(
            VirtualVisitsUser.clinic_id == clinic.id, VirtualVisitsUser.user_id == user.id
        )
    )


def events():
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "virtual_visits.user").order_by(AuditEvent.id)
    ).all()


def url(user, suffix: str = "") -> str:
    return f"/virtual-visits/users/{user.id}{suffix}"


@pytest.fixture
def vv_on(enable_plugin, clinic):
    enable_plugin(clinic, "virtual_visits")
    return clinic


@pytest.fixture
def provider(make_user, clinic):
    """A PTA: virtual visits are for users who see patients."""
    return make_user([clinic], user_type=UserType.PTA, first_name="Fran")


def _switch(client, clinic):
    assert client.post("/clinic/switch", data={"clinic_id": clinic.id}).status_code == 303


# -- off, and on in one clinic only ------------------------------------------------------------
def test_off_by_default_no_column_and_routes_404(admin, provider, client):
    client.login(admin.email)
    assert not has_column(client.get("/users/").get_data(as_text=True))
    assert "Turn on Virtual Visits" in client.get("/settings/features").get_data(as_text=True)
    assert client.hx_get(url(provider, "/edit")).status_code == 404
    assert client.hx_get(url(provider)).status_code == 404
    assert client.post(url(provider), {"enabled": "on"}, htmx=True).status_code == 404
    assert db.session.scalar(select(VirtualVisitsUser.id)) is None


def test_declares_no_settings(vv_on, admin, client):
    assert settings_fields(vv_on, "virtual_visits") == []
    client.login(admin.email)
    features = client.get("/settings/features").get_data(as_text=True)
    card = re.search(r'<article id="plugin-virtual_visits".*?</article>', features, re.S).group(0)
    assert "Turn off Virtual Visits" in card and "/settings/features/virtual_visits/settings" not in card


def test_on_in_one_clinic_only(make_clinic, make_user, enable_plugin, client):
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")
    boss = make_user([a, b], email="boss@example.test", is_admin=True)
    pta = make_user([a, b], user_type=UserType.PTA)
    enable_plugin(a, "virtual_visits")
    client.login(boss.email)

    page_a = client.get("/users/").get_data(as_text=True)
    assert has_column(page_a) and status(cell(page_a, pta)) == "Disabled"

    _switch(client, b)
    assert not has_column(client.get("/users/").get_data(as_text=True))
    assert client.post(url(pta), {"enabled": "on"}, htmx=True).status_code == 404
    assert enabled(a, pta) is None and enabled(b, pta) is None


def test_switching_it_off_removes_the_column_and_the_routes(vv_on, admin, provider, client):
    client.login(admin.email)
    assert client.post("/settings/features/virtual_visits", {"enabled": "off", "confirmed": "yes"}).status_code == 303
    assert not has_column(client.get("/users/").get_data(as_text=True))
    assert client.post(url(provider), {"enabled": "on"}, htmx=True).status_code == 404


# -- the column and Manage ---------------------------------------------------------------------
def test_every_provider_has_a_cell_with_manage_and_clericals_none(vv_on, admin, make_user, client):
    users = [admin] + [make_user([vv_on], user_type=t) for t in UserType]
    clericals = [u for u in users if u.user_type in (UserType.CLERICAL, UserType.BILLER)]
    client.login(admin.email)
    page = client.get("/users/").get_data(as_text=True)
    assert '<th scope="col" data-column="virtual_visits">Virtual Visits</th>' in page
    for user in clericals:
        html = cell(page, user)
        assert "Not applicable" in html and "Manage" not in html
        assert client.hx_get(f"/virtual-visits/users/{user.id}/edit").status_code == 404
        assert client.post(f"/virtual-visits/users/{user.id}", {"enabled": "on"}, htmx=True).status_code == 404
    for user in users:
        if user in clericals:
            continue
        html = cell(page, user)
        assert status(html) == "Disabled"
        assert f'aria-label="Manage virtual visits for {user.name}"' in html
        assert f'hx-get="/virtual-visits/users/{user.id}/edit"' in html
        assert '<button type="button"' in html


def test_manage_opens_an_accessible_inline_form(vv_on, admin, provider, client):
    client.login(admin.email)
    response = client.hx_get(url(provider, "/edit"))
    form = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in form
    assert form.lstrip().startswith(f'<form id="virtual-visits-{provider.id}"')
    assert f'hx-post="/virtual-visits/users/{provider.id}"' in form
    assert f">Virtual visits for {provider.name}</legend>" in form
    for value in ("on", "off"):
        field_id = f"virtual-visits-{provider.id}-{value}"
        assert f'<label for="{field_id}">' in form and f'id="{field_id}"' in form
    assert re.search(r'value="off" checked', form)
    assert 'name="csrf_token"' in form
    cancel = client.hx_get(url(provider))
    assert cancel.status_code == 200 and status(cancel.get_data(as_text=True)) == "Disabled"


def test_saving_enables_rerenders_the_cell_and_is_audited(vv_on, admin, provider, client):
    client.login(admin.email)
    response = client.post(url(provider), {"enabled": "on"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<span id="virtual-visits-{provider.id}"')
    assert status(body) == "Enabled" and "autofocus" in body  # focus returns to Manage
    assert enabled(vv_on, provider) is True
    [event] = events()
    assert (event.object_type, event.object_id, event.clinic_id, event.actor_id) == ("user", str(provider.id), vv_on.id, admin.id)
    assert event.changes == {"before": False, "after": True}
    assert status(cell(client.get("/users/").get_data(as_text=True), provider)) == "Enabled"
    assert re.search(r'value="on" checked', client.hx_get(url(provider, "/edit")).get_data(as_text=True))

    client.post(url(provider), {"enabled": "off"}, htmx=True)
    assert enabled(vv_on, provider) is False
    client.post(url(provider), {"enabled": "off"}, htmx=True)  # no change: no event
    assert [e.changes for e in events()] == [{"before": False, "after": True}, {"before": True, "after": False}]


def test_enabled_is_per_clinic(make_clinic, make_user, enable_plugin, client):
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")
    boss = make_user([a, b], email="boss@example.test", is_admin=True)
    ot = make_user([a, b], user_type=UserType.OT)
    enable_plugin(a, "virtual_visits")
    enable_plugin(b, "virtual_visits")
    client.login(boss.email)
    client.post(url(ot), {"enabled": "on"}, htmx=True)
    _switch(client, b)
    assert status(cell(client.get("/users/").get_data(as_text=True), ot)) == "Disabled"
    assert enabled(a, ot) is True and enabled(b, ot) is None


def test_without_htmx_a_save_redirects_to_the_user_manager(vv_on, admin, provider, client):
    client.login(admin.email)
    response = client.post(url(provider), {"enabled": "on"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/users/")
    assert enabled(vv_on, provider) is True


# -- permissions and bad input -----------------------------------------------------------------
def test_view_users_without_edit_users_sees_no_manage_and_gets_403(vv_on, make_user, provider, client, permission):
    viewer = make_user([vv_on], email="viewer@example.test", permissions=[permission.VIEW_USERS])
    client.login(viewer.email)
    html = cell(client.get("/users/").get_data(as_text=True), provider)
    assert status(html) == "Disabled" and "Manage" not in html
    assert client.hx_get(url(provider, "/edit")).status_code == 403
    assert client.post(url(provider), {"enabled": "on"}, htmx=True).status_code == 403
    assert enabled(vv_on, provider) is None and events() == []


def test_without_view_users_even_the_cell_is_403(vv_on, make_user, provider, client):
    make_user([vv_on], email="pt@example.test")
    client.login("pt@example.test")
    assert client.hx_get(url(provider)).status_code == 403


def test_a_user_of_another_clinic_is_404(vv_on, make_clinic, make_user, admin, client):
    elsewhere = make_user([make_clinic("Elsewhere")], user_type=UserType.CLERICAL)
    client.login(admin.email)
    assert client.post(url(elsewhere), {"enabled": "on"}, htmx=True).status_code == 404
    assert client.hx_get(url(elsewhere, "/edit")).status_code == 404
    assert client.hx_get(url(elsewhere)).status_code == 404
    assert client.post("/virtual-visits/users/999999", {"enabled": "on"}, htmx=True).status_code == 404
    assert db.session.scalar(select(VirtualVisitsUser.id)) is None


@pytest.mark.parametrize("data", [{}, {"enabled": "maybe"}])
def test_a_missing_or_bad_choice_answers_422_with_the_form(vv_on, admin, provider, client, data):
    client.login(admin.email)
    response = client.post(url(provider), data, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose Enabled or Disabled." in body and 'aria-invalid="true"' in body and 'role="alert"' in body
    assert body.lstrip().startswith(f'<form id="virtual-visits-{provider.id}"')
    assert enabled(vv_on, provider) is None and events() == []


def test_the_post_needs_the_csrf_token(vv_on, admin, provider, client):
    client.login(admin.email)
    response = client.client.post(url(provider), data={"enabled": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert enabled(vv_on, provider) is None


# -- queries -----------------------------------------------------------------------------------
def test_user_manager_queries_do_not_grow_with_the_page(vv_on, admin, make_user, client, count_queries):
    """The same number of SQL statements for a page of 5 users and of 25 (a full page)."""
    types = [t for t in UserType if t not in (UserType.CLERICAL, UserType.BILLER)]  # clericals hold no virtual visits

    def add_users(n):
        for i in range(n):
            user = make_user([vv_on], user_type=types[i % len(types)], commit=False)
            if i % 3 == 0:
                db.session.flush()
                db.session.add(VirtualVisitsUser(clinic_id=vv_on.id, user_id=user.id, enabled=True))
        db.session.commit()

    add_users(4)
    client.login(admin.email)

    def measure():
        with count_queries() as counter:
            page = client.get("/users/").get_data(as_text=True)
        return counter, page

    small, small_page = measure()
    add_users(20)
    large, large_page = measure()
    assert small_page.count('<tr id="user-') == 5 and large_page.count('<tr id="user-') == 25
    assert large_page.count("<span>Enabled</span>") == 9 and small_page.count("<span>Enabled</span>") == 2
    assert small.count == large.count, "\n".join(large.statements)
    assert sum("virtual_visits_user" in s for s in large.statements) == 1
