"""MIPS: the User Manager column (checkbox per therapist, or "Group"), its setting, and its route."""
import re

import pytest
from sqlalchemy import select

from core.accounts import UserType
from core.audit import AuditEvent
from core.extensions import db
from core.plugin_host import plugin_settings
from plugins.mips.models import MipsParticipant
from plugins.virtual_visits.models import VirtualVisitsUser

THERAPISTS = (UserType.PT, UserType.OT, UserType.SLP)
OTHERS = (UserType.PTA, UserType.COTA, UserType.SLPA, UserType.CLERICAL, UserType.BILLER, UserType.SPT)


def cell(page: str, user, key: str = "mips") -> str | None:
    """The inner HTML of ``user``'s cell in column ``key`` of the User Manager, or None without one."""
    row = re.search(rf'<tr id="user-{user.id}">(.*?)</tr>', page, re.S)
    assert row, f"no row for user {user.id}"
    match = re.search(rf'<td data-column="{key}">(.*?)</td>', row.group(1), re.S)
    return match.group(1).strip() if match else None


def is_checked(html: str) -> bool:
    return re.search(r"\schecked[\s>]", html) is not None


def is_disabled(html: str) -> bool:
    return re.search(r"\sdisabled[\s>]", html) is not None


def has_column(page: str, key: str = "mips") -> bool:
    return f'<th scope="col" data-column="{key}">' in page


def participation(clinic, user):
    return db.session.scalar(
        select(MipsParticipant.participating).where(
            MipsParticipant.clinic_id == clinic.id, MipsParticipant.user_id == user.id
        )
    )


def mips_events():
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "mips.participation").order_by(AuditEvent.id)
    ).all()


def url(user) -> str:
    return f"/mips/participants/{user.id}"


@pytest.fixture
def staff(make_user, clinic):
    """One user of every therapist and non-therapist type in ``clinic``, keyed by type."""
    return {t: make_user([clinic], user_type=t, first_name=t.value) for t in THERAPISTS + OTHERS}


@pytest.fixture
def mips_on(enable_plugin, clinic):
    enable_plugin(clinic, "mips")
    return clinic


def _switch(client, clinic):
    assert client.post("/clinic/switch", data={"clinic_id": clinic.id}).status_code == 303


# -- off ---------------------------------------------------------------------------------------
def test_off_by_default_no_column_no_setting_and_routes_404(admin, staff, client):
    client.login(admin.email)
    assert not has_column(client.get("/users/").get_data(as_text=True))
    features = client.get("/settings/features").get_data(as_text=True)
    assert "Turn on MIPS" in features and "Reporting mode" not in features
    assert client.post(url(staff[UserType.PT]), {"participating": "on"}, htmx=True).status_code == 404
    assert participation(admin.clinic_access[0].clinic, staff[UserType.PT]) is None


def test_routes_need_sign_in(mips_on, staff, client):
    response = client.post(url(staff[UserType.PT]), {"participating": "on"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_on_in_one_clinic_only(make_clinic, make_user, enable_plugin, client):
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")
    boss = make_user([a, b], email="boss@example.test", is_admin=True)
    pt = make_user([a, b], user_type=UserType.PT)
    enable_plugin(a, "mips")
    client.login(boss.email)

    page_a = client.get("/users/").get_data(as_text=True)
    assert has_column(page_a) and "MIPS participation for" in cell(page_a, pt)

    _switch(client, b)
    page_b = client.get("/users/").get_data(as_text=True)
    assert not has_column(page_b) and "MIPS participation" not in page_b
    assert "Reporting mode" not in client.get("/settings/features").get_data(as_text=True)
    assert client.post(url(pt), {"participating": "on"}, htmx=True).status_code == 404
    assert participation(b, pt) is None and participation(a, pt) is None


# -- individual reporting ----------------------------------------------------------------------
def test_features_page_shows_the_reporting_setting_with_individual_by_default(mips_on, admin, client):
    client.login(admin.email)
    features = client.get("/settings/features").get_data(as_text=True)
    assert "Reporting mode" in features
    assert re.search(r'id="mips-reporting-individual" name="reporting" value="individual" checked', features)
    assert plugin_settings(mips_on, "mips") == {"reporting": "individual"}


def test_individual_mode_has_a_labelled_checkbox_for_therapists_only(mips_on, admin, staff, client):
    client.login(admin.email)
    page = client.get("/users/").get_data(as_text=True)
    assert has_column(page)
    assert '<th scope="col" data-column="mips">MIPS</th>' in page
    for user_type in THERAPISTS:
        user = staff[user_type]
        html = cell(page, user)
        assert 'type="checkbox"' in html
        assert f'aria-label="MIPS participation for {user.name}"' in html
        assert f'hx-post="/mips/participants/{user.id}"' in html
        assert not is_checked(html) and not is_disabled(html)
    for user_type in OTHERS:
        assert cell(page, staff[user_type]) == "", user_type


def test_checking_the_box_saves_at_once_rerenders_the_cell_and_is_audited(mips_on, admin, staff, client):
    ot = staff[UserType.OT]
    client.login(admin.email)

    response = client.post(url(ot), {"participating": "on"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<span id="mips-cell-{ot.id}"')
    assert "<html" not in body and is_checked(body)
    assert participation(mips_on, ot) is True
    [event] = mips_events()
    assert (event.object_type, event.object_id, event.clinic_id, event.actor_id) == ("user", str(ot.id), mips_on.id, admin.id)
    assert event.changes == {"before": False, "after": True}
    assert is_checked(cell(client.get("/users/").get_data(as_text=True), ot))

    # An unchecked checkbox sends nothing: that means off.
    response = client.post(url(ot), {}, htmx=True)
    assert response.status_code == 200 and not is_checked(response.get_data(as_text=True))
    assert participation(mips_on, ot) is False
    assert [e.changes for e in mips_events()] == [{"before": False, "after": True}, {"before": True, "after": False}]

    # Saving the same value again changes nothing and adds no audit event.
    assert client.post(url(ot), {"participating": "off"}, htmx=True).status_code == 200
    assert len(mips_events()) == 2


def test_participation_is_per_clinic(make_clinic, make_user, enable_plugin, client):
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")
    boss = make_user([a, b], email="boss@example.test", is_admin=True)
    slp = make_user([a, b], user_type=UserType.SLP)
    enable_plugin(a, "mips")
    enable_plugin(b, "mips")
    client.login(boss.email)
    client.post(url(slp), {"participating": "on"}, htmx=True)
    _switch(client, b)
    assert not is_checked(cell(client.get("/users/").get_data(as_text=True), slp))
    assert participation(a, slp) is True and participation(b, slp) is None


def test_without_htmx_a_save_redirects_to_the_user_manager(mips_on, admin, staff, client):
    client.login(admin.email)
    response = client.post(url(staff[UserType.PT]), {"participating": "on"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/users/")
    assert participation(mips_on, staff[UserType.PT]) is True


# -- group reporting ---------------------------------------------------------------------------
def test_group_mode_says_group_and_refuses_changes(mips_on, admin, staff, client):
    client.login(admin.email)
    saved = client.post("/settings/features/mips/settings", {"reporting": "group"})
    assert saved.status_code == 303
    assert plugin_settings(mips_on, "mips") == {"reporting": "group"}

    page = client.get("/users/").get_data(as_text=True)
    assert has_column(page) and "MIPS participation for" not in page
    for user_type in THERAPISTS:
        assert cell(page, staff[user_type]) == "Group"
    for user_type in OTHERS:
        assert cell(page, staff[user_type]) == ""

    response = client.post(url(staff[UserType.PT]), {"participating": "on"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "reports MIPS as a group" in body and 'role="alert"' in body and 'type="checkbox"' not in body
    assert participation(mips_on, staff[UserType.PT]) is None and mips_events() == []

    # Back to individual: the checkboxes return.
    client.post("/settings/features/mips/settings", {"reporting": "individual"})
    assert "MIPS participation for" in cell(client.get("/users/").get_data(as_text=True), staff[UserType.PT])


def test_an_unknown_reporting_mode_is_refused(mips_on, admin, client):
    client.login(admin.email)
    response = client.post("/settings/features/mips/settings", {"reporting": "everyone"})
    assert response.status_code == 422 and "Choose one of: Individual, Group." in response.get_data(as_text=True)
    assert plugin_settings(mips_on, "mips") == {"reporting": "individual"}


def test_switching_mips_off_removes_the_column_the_setting_and_the_route(mips_on, admin, staff, client):
    client.login(admin.email)
    client.post("/settings/features/mips/settings", {"reporting": "group"})
    assert client.post("/settings/features/mips", {"enabled": "off", "confirmed": "yes"}).status_code == 303

    assert not has_column(client.get("/users/").get_data(as_text=True))
    features = client.get("/settings/features").get_data(as_text=True)
    assert "Turn on MIPS" in features and "Reporting mode" not in features
    assert client.post(url(staff[UserType.PT]), {"participating": "on"}, htmx=True).status_code == 404


# -- permissions and bad input -----------------------------------------------------------------
def test_view_users_without_edit_users_sees_a_read_only_box_and_gets_403(mips_on, make_user, staff, client, permission):
    pt = staff[UserType.PT]
    viewer = make_user([mips_on], email="viewer@example.test", user_type=UserType.CLERICAL, permissions=[permission.VIEW_USERS])
    client.login(viewer.email)
    html = cell(client.get("/users/").get_data(as_text=True), pt)
    assert is_disabled(html) and "hx-post" not in html

    assert client.post(url(pt), {"participating": "on"}, htmx=True).status_code == 403
    assert participation(mips_on, pt) is None and mips_events() == []


def test_a_user_of_another_clinic_is_404(mips_on, make_clinic, make_user, admin, client):
    elsewhere = make_user([make_clinic("Elsewhere")], user_type=UserType.PT)
    client.login(admin.email)
    assert client.post(url(elsewhere), {"participating": "on"}, htmx=True).status_code == 404
    assert client.post("/mips/participants/999999", {"participating": "on"}, htmx=True).status_code == 404
    assert db.session.scalar(select(MipsParticipant.id)) is None


@pytest.mark.parametrize("user_type", OTHERS)
def test_a_non_therapist_is_refused_with_422(mips_on, admin, staff, client, user_type):
    client.login(admin.email)
    response = client.post(url(staff[user_type]), {"participating": "on"}, htmx=True)
    assert response.status_code == 422
    assert "Only therapists (PT, OT, SLP) report MIPS" in response.get_data(as_text=True)
    assert participation(mips_on, staff[user_type]) is None and mips_events() == []


def test_a_value_other_than_on_or_off_is_refused(mips_on, admin, staff, client):
    client.login(admin.email)
    response = client.post(url(staff[UserType.PT]), {"participating": "yes please"}, htmx=True)
    assert response.status_code == 422 and "on or off" in response.get_data(as_text=True)
    assert participation(mips_on, staff[UserType.PT]) is None


def test_the_post_needs_the_csrf_token(mips_on, admin, staff, client):
    client.login(admin.email)
    response = client.client.post(url(staff[UserType.PT]), data={"participating": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert participation(mips_on, staff[UserType.PT]) is None


# -- queries -----------------------------------------------------------------------------------
def test_user_manager_queries_do_not_grow_with_the_page(enable_plugin, clinic, admin, make_user, client, count_queries):
    """Both plugins on: the same number of SQL statements for a page of 5 users and of 25 (a full page)."""
    enable_plugin(clinic, "mips")
    enable_plugin(clinic, "virtual_visits")
    types = list(UserType)

    def add_users(n):
        for i in range(n):
            user = make_user([clinic], user_type=types[i % len(types)], commit=False)
            db.session.flush()
            if i % 2:
                db.session.add(MipsParticipant(clinic_id=clinic.id, user_id=user.id, participating=True))
                db.session.add(VirtualVisitsUser(clinic_id=clinic.id, user_id=user.id, enabled=True))
        db.session.commit()

    add_users(4)  # with the admin: 5 users
    client.login(admin.email)

    def measure():
        with count_queries() as counter:
            page = client.get("/users/").get_data(as_text=True)
        return counter, page

    small, small_page = measure()
    add_users(20)  # 25 users: one full page
    large, large_page = measure()

    assert small_page.count('<tr id="user-') == 5 and large_page.count('<tr id="user-') == 25
    assert has_column(large_page, "mips") and has_column(large_page, "virtual_visits")
    assert large_page.count("MIPS participation for") > small_page.count("MIPS participation for") > 0
    assert small.count == large.count, "\n".join(large.statements)
    for counter in (small, large):
        assert sum("mips_participant" in s for s in counter.statements) == 1
        assert sum("virtual_visits_user" in s for s in counter.statements) == 1
