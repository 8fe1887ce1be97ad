"""The plugin host: per-clinic toggles (Features page and CLI), gating, settings, the hooks' effects."""
import pytest
from flask import Blueprint, g
from sqlalchemy import select

from core.audit import AuditEvent
from core.extensions import db
from core.plugin_api import Cell, Column, NavItem, Problem, SettingField, hookimpl
from core.plugin_host import ClinicPluginSetting, flatten, hooks_for, is_enabled, plugin_host, plugin_settings


class WidgetsPlugin:
    """A throwaway plugin: a nav link, a User Manager column, a setting, a veto and a blueprint."""

    TITLE = "Widgets"

    def __init__(self):
        self.column_calls = 0
        self.finalized = []
        self.blueprint = Blueprint("widgets", __name__, url_prefix="/widgets")
        self.blueprint.add_url_rule("/", "index", lambda: "widgets page")

    @hookimpl
    def caseload_nav_items(self, clinic, user):
        return [NavItem("Widgets Board", "widgets.index", order=50)]

    @hookimpl
    def caseload_user_manager_columns(self, clinic, users):
        self.column_calls += 1
        return Column(key="widgets", header="Widget Count", cells={u.id: Cell(text=f"W-{u.id}") for u in users})

    @hookimpl
    def caseload_clinic_settings_fields(self):
        return [
            SettingField("mode", "Widget mode", default="small", kind="choice", choices=(("small", "Small"), ("large", "Large"))),
            SettingField("shiny", "Shiny widgets", default=False, kind="bool"),
        ]

    @hookimpl
    def caseload_finalize_veto(self, note):
        return [Problem("widgets.no", "Widgets say no.")]

    @hookimpl
    def caseload_note_finalized(self, note):
        self.finalized.append(note)

    @hookimpl
    def caseload_blueprints(self):
        return [self.blueprint]


@pytest.fixture
def widgets(extra_plugins):
    plugin = WidgetsPlugin()
    extra_plugins.append(("widgets", plugin))
    return plugin


@pytest.fixture
def two_clinics(make_clinic, make_user):
    a, b = make_clinic("Clinic A"), make_clinic("Clinic B")
    make_user([a, b], email="admin@example.test", is_admin=True)
    return a, b


def _switch(client, clinic):
    assert client.post("/clinic/switch", data={"clinic_id": clinic.id}).status_code == 303


def test_builtin_plugins_are_found_through_entry_points(app):
    assert {"mips", "virtual_visits", "outcomes", "quick_add"} <= set(plugin_host().plugins)


def test_plugins_are_off_until_switched_on(widgets, two_clinics, client):
    a, _ = two_clinics
    client.login("admin@example.test")
    assert "Widgets Board" not in client.get("/").get_data(as_text=True)
    assert "Widget Count" not in client.get("/users/").get_data(as_text=True)
    assert client.get("/widgets/").status_code == 404
    assert widgets.column_calls == 0


def test_features_page_switches_a_plugin_for_one_clinic_only(widgets, two_clinics, client):
    a, b = two_clinics
    client.login("admin@example.test")
    page = client.get("/settings/features").get_data(as_text=True)
    assert "Turn on Widgets" in page
    response = client.post("/settings/features/widgets", data={"enabled": "on"})
    assert response.status_code == 303
    assert is_enabled(a, "widgets") and not is_enabled(b, "widgets")

    home = client.get("/").get_data(as_text=True)
    assert "Widgets Board" in home
    users_page = client.get("/users/").get_data(as_text=True)
    assert "Widget Count" in users_page and "W-1" in users_page
    assert client.get("/widgets/").get_data(as_text=True) == "widgets page"

    _switch(client, b)
    assert "Widgets Board" not in client.get("/").get_data(as_text=True)
    assert "Widget Count" not in client.get("/users/").get_data(as_text=True)
    assert client.get("/widgets/").status_code == 404

    _switch(client, a)
    client.post("/settings/features/widgets", data={"enabled": "off", "confirmed": "yes"})  # the no-JavaScript confirmation page posts this
    assert "Widgets Board" not in client.get("/").get_data(as_text=True)
    assert "Widget Count" not in client.get("/users/").get_data(as_text=True)
    assert client.get("/widgets/").status_code == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plugin.%")).order_by(AuditEvent.id)).all()
    assert actions == ["plugin.enable", "plugin.disable"]


def test_features_toggle_with_htmx_returns_the_card(widgets, two_clinics, client):
    client.login("admin@example.test")
    response = client.post("/settings/features/widgets", data={"enabled": "on"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<article id="plugin-widgets"')
    assert "<html" not in body
    assert "pluginsChanged" in response.headers["HX-Trigger"]


def test_unknown_plugin_is_404(two_clinics, client):
    client.login("admin@example.test")
    assert client.post("/settings/features/nope", data={"enabled": "on"}).status_code == 404


def test_features_page_needs_clinic_admin(widgets, make_user, two_clinics, client, permission):
    a, _ = two_clinics
    make_user([a], email="pt@example.test", permissions=[permission.VIEW_USERS])
    client.login("pt@example.test")
    assert client.get("/settings/features").status_code == 403
    assert client.post("/settings/features/widgets", data={"enabled": "on"}).status_code == 403
    assert not is_enabled(a, "widgets")


def test_settings_are_validated_and_only_changes_stored(widgets, two_clinics, client):
    a, _ = two_clinics
    client.login("admin@example.test")
    client.post("/settings/features/widgets", data={"enabled": "on"})
    assert plugin_settings(a, "widgets") == {"mode": "small", "shiny": False}

    bad = client.post("/settings/features/widgets/settings", data={"mode": "<b>huge</b>", "shiny": "on"})
    assert bad.status_code == 422
    assert "Choose one of: Small, Large." in bad.get_data(as_text=True)
    assert db.session.scalar(select(ClinicPluginSetting.id)) is None  # nothing saved

    client.post("/settings/features/widgets/settings", data={"mode": "large"})
    assert plugin_settings(a, "widgets") == {"mode": "large", "shiny": False}
    rows = db.session.scalars(select(ClinicPluginSetting)).all()
    assert [(r.key, r.value) for r in rows] == [("mode", "large")]  # the unchanged default is not stored

    client.post("/settings/features/widgets/settings", data={"mode": "small"})
    assert db.session.scalar(select(ClinicPluginSetting.id)) is None  # back to default: row removed


def test_settings_of_a_plugin_that_is_off_cannot_be_saved(widgets, two_clinics, client):
    client.login("admin@example.test")
    assert client.post("/settings/features/widgets/settings", data={"mode": "large"}).status_code == 404


def test_hooks_for_leaves_out_plugins_off_in_the_clinic(widgets, two_clinics, enable_plugin):
    a, b = two_clinics
    enable_plugin(a, "widgets")
    assert [p.code for p in flatten(hooks_for(a).caseload_finalize_veto(note=None, clinic=a, user=None))] == ["widgets.no"]
    assert flatten(hooks_for(b).caseload_finalize_veto(note=None, clinic=b, user=None)) == []
    hooks_for(b).caseload_note_finalized(note="n1", clinic=b, user=None)
    hooks_for(a).caseload_note_finalized(note="n2", clinic=a, user=None)
    assert widgets.finalized == ["n2"]


def test_user_manager_column_hook_is_called_once_per_page(widgets, two_clinics, enable_plugin, make_user, client):
    a, _ = two_clinics
    for _ in range(30):
        make_user([a], commit=False)
    db.session.commit()
    enable_plugin(a, "widgets")
    client.login("admin@example.test")
    client.get("/users/")
    assert widgets.column_calls == 1


def test_cli_enables_and_disables_per_clinic(widgets, two_clinics, app):
    a, b = two_clinics
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plugins", "enable", "widgets", "--clinic", str(b.id)])
    assert result.exit_code == 0, result.output
    assert "widgets is on for clinic" in result.output
    db.session.expire_all()
    g.pop("_plugin_state", None)
    assert is_enabled(b, "widgets") and not is_enabled(a, "widgets")
    listing = runner.invoke(args=["plugins", "list"])
    assert "widgets" in listing.output and f"{b.id} (Clinic B)" in listing.output
    result = runner.invoke(args=["plugins", "disable", "widgets", "--clinic", str(b.id)])
    assert result.exit_code == 0
    g.pop("_plugin_state", None)
    assert not is_enabled(b, "widgets")


def test_cli_refuses_unknown_plugin_and_clinic(widgets, two_clinics, app):
    runner = app.test_cli_runner()
    assert "No plugin named 'nope'" in runner.invoke(args=["plugins", "enable", "nope", "--clinic", "1"]).output
    result = runner.invoke(args=["plugins", "enable", "widgets", "--clinic", "999"])
    assert result.exit_code != 0 and "No clinic with id 999" in result.output


def test_cli_toggle_shows_in_the_browser_views(widgets, two_clinics, app, client):
    a, _ = two_clinics
    app.test_cli_runner().invoke(args=["plugins", "enable", "widgets", "--clinic", str(a.id)])
    client.login("admin@example.test")
    assert "Widgets Board" in client.get("/").get_data(as_text=True)
