"""The plugin host: one pluggy ``PluginManager`` per app, and per-clinic gating.

Every installed plugin (entry-point group ``caseload.plugins``) is loaded at start-up. Whether it is
on for a clinic is a database row (:mod:`core.plugin_state`). Core calls per-clinic hooks only through
``hooks_for(clinic)``, which leaves out the plugins that are off for that clinic, so they contribute
nothing there.
"""
from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, abort, current_app
from flask_login import current_user

from core import hookspecs
from core.plugin_api import PROJECT
from core.plugin_host.state import clinic_plugin_state, write_enabled, write_setting
from core.web.text import clean_line

ENTRY_POINT_GROUP = "caseload.plugins"


@dataclass(frozen=True)
class PluginInfo:
    """An installed plugin as the Features page and ``flask plugins list`` show it."""

    name: str
    title: str
    description: str


class UnknownPlugin(LookupError):
    pass


class PluginHost:
    """Holds the app's plugin manager and knows which plugins may be switched per clinic."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}

    # -- registration -------------------------------------------------------------------------
    def register(self, plugin: ModuleType | Any, name: str) -> None:
        """Register a switchable plugin under ``name`` (off in every clinic until switched on)."""
        doc = (getattr(plugin, "__doc__", None) or "").strip()
        self.plugins[name] = PluginInfo(
            name=name,
            title=getattr(plugin, "TITLE", name.replace("_", " ").title()),
            description=getattr(plugin, "DESCRIPTION", doc.splitlines()[0] if doc else ""),
        )
        self.pm.register(plugin, name=name)

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self.plugins.pop(name, None)

    def load_entry_points(self, skip: list[str] | tuple[str, ...] = ()) -> None:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name in skip or entry_point.name in self.plugins:
                continue
            self.register(entry_point.load(), entry_point.name)

    def info(self, name: str) -> PluginInfo:
        try:
            return self.plugins[name]
        except KeyError:
            raise UnknownPlugin(f"No plugin named {name!r} is installed.") from None

    # -- per clinic ---------------------------------------------------------------------------
    def enabled_names(self, clinic_id: int) -> set[str]:
        state = clinic_plugin_state(clinic_id)
        return {name for name in self.plugins if name in state and state[name].enabled}

    def hooks_for(self, clinic) -> "ClinicHooks":
        disabled = [self.pm.get_plugin(n) for n in self.plugins if n not in self.enabled_names(clinic.id)]
        return ClinicHooks(self.pm, [p for p in disabled if p is not None])

    def install_blueprints(self, app: Flask) -> None:
        """Register every plugin's blueprints, each answering 404 where its plugin is off."""
        for plugin_name in self.plugins:
            plugin = self.pm.get_plugin(plugin_name)
            impl = getattr(plugin, "caseload_blueprints", None)
            if impl is None:
                continue
            for blueprint in impl() or []:
                app.register_blueprint(blueprint)
                # Core's on/off check runs first, before any check of the plugin's own, and is attached
                # to this app (not to the blueprint object, which may be shared between apps).
                app.before_request_funcs.setdefault(blueprint.name, []).insert(0, _gate(self, plugin_name))

    def migration_folders(self) -> list[str]:
        """Each plugin's Alembic versions folder (``<plugin package>/migrations``), where it has one."""
        import os

        folders = []
        for name in self.plugins:
            module_file = getattr(self.pm.get_plugin(name), "__file__", None)
            if module_file:
                folder = os.path.join(os.path.dirname(module_file), "migrations")
                if os.path.isdir(folder):
                    folders.append(folder)
        return folders

    def template_folders(self) -> list[str]:
        folders: list[str] = []
        for result in self.pm.hook.caseload_template_folders():
            folders.extend(result or [])
        return folders


class ClinicHooks:
    """``hooks_for(clinic).caseload_x(...)``: the hook callers with the clinic's disabled plugins removed."""

    def __init__(self, pm: pluggy.PluginManager, disabled: list[Any]) -> None:
        self._pm = pm
        self._disabled = disabled

    def __getattr__(self, name: str):
        if not name.startswith("caseload_"):
            raise AttributeError(name)
        return self._pm.subset_hook_caller(name, remove_plugins=self._disabled)


def _gate(host: PluginHost, plugin_name: str):
    def plugin_is_on_here():
        from core.tenancy import current_clinic

        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if plugin_name not in host.enabled_names(current_clinic().id):
            abort(404)
        return None

    return plugin_is_on_here


# -- public functions for views and plugins ----------------------------------------------------
def plugin_host() -> PluginHost:
    return current_app.extensions["caseload_plugins"]


def hooks_for(clinic) -> ClinicHooks:
    """The per-clinic hook caller. Always call per-clinic hooks through this."""
    return plugin_host().hooks_for(clinic)


def flatten(results) -> list:
    """Hook results are lists (or single items, or None) per plugin: make one flat list."""
    items: list = []
    for result in results or []:
        if result is None:
            continue
        if isinstance(result, (list, tuple)):
            items.extend(r for r in result if r is not None)
        else:
            items.append(result)
    return items


def settings_fields(clinic, name: str) -> list:
    """The setting fields plugin ``name`` declares for ``clinic`` (asked even when the plugin is off)."""
    host = plugin_host()
    host.info(name)
    caller = host.pm.subset_hook_caller(
        "caseload_clinic_settings_fields",
        remove_plugins=[host.pm.get_plugin(n) for n in host.plugins if n != name],
    )
    return flatten(caller(clinic=clinic))


def plugin_settings(clinic, name: str) -> dict[str, Any]:
    """Plugin ``name``'s settings in ``clinic``: its declared defaults overlaid with stored values."""
    stored = clinic_plugin_state(clinic.id).get(name)
    values = {f.key: f.default for f in settings_fields(clinic, name)}
    if stored:
        values.update({k: v for k, v in stored.settings.items() if k in values})
    return values


def insurance_setting(insurance, plugin: str, key: str, default: Any = None) -> Any:
    """A plugin's setting stored on an insurance (see ``caseload_insurance_settings_fields``)."""
    return (insurance.plugin_settings or {}).get(plugin, {}).get(key, default)


def is_enabled(clinic, name: str) -> bool:
    return name in plugin_host().enabled_names(clinic.id)


def set_plugin_enabled(clinic, name: str, enabled: bool, user=None) -> bool:
    """Switch plugin ``name`` on or off in ``clinic`` and audit it. The caller commits."""
    from core.audit import record

    plugin_host().info(name)
    changed = write_enabled(clinic.id, name, enabled, getattr(user, "id", None))
    if changed:
        record(
            "plugin.enable" if enabled else "plugin.disable",
            "clinic",
            clinic.id,
            clinic_id=clinic.id,
            actor=user,
            summary=f"{name} {'on' if enabled else 'off'}",
        )
    return changed


def set_plugin_setting(clinic, name: str, key: str, raw_value: str | None, user=None) -> Any:
    """Validate and store one declared setting; raise ValueError (with the user's message) when bad."""
    from core.audit import record

    fields = {f.key: f for f in settings_fields(clinic, name)}
    if key not in fields:
        raise KeyError(f"{name} has no setting {key!r}.")
    # Control and bidi characters are refused here, as in every form (core.web.text).
    value = fields[key].coerce(clean_line(raw_value))
    before = plugin_settings(clinic, name)[key]
    write_setting(clinic.id, name, key, value, fields[key].default)
    if before != value:
        record(
            "plugin.setting",
            "clinic",
            clinic.id,
            clinic_id=clinic.id,
            actor=user,
            summary=f"{name}.{key}",
            changes={"before": before, "after": value},
        )
    return value


def plugin_nav_items(clinic, user) -> list:
    """The main-navigation links the plugins switched on in ``clinic`` offer ``user``."""
    return flatten(hooks_for(clinic).caseload_nav_items(clinic=clinic, user=user))
