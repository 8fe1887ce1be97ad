"""The plugin host: one pluggy manager per app, per-clinic on/off state and settings, the Features page.

Every installed plugin (entry-point group ``caseload.plugins``) is loaded at start-up; ``hooks_for(clinic)``
calls only the plugins switched on in that clinic. The Features page (``/settings/features``) is
``features``; the ``flask plugins`` commands are ``cli``.
"""
from core.plugin_host.host import (
    PluginHost,
    UnknownPlugin,
    flatten,
    hooks_for,
    insurance_setting,
    is_enabled,
    plugin_host,
    plugin_nav_items,
    plugin_settings,
    set_plugin_enabled,
    set_plugin_setting,
    settings_fields,
)
from core.plugin_host.state import ClinicPlugin, ClinicPluginSetting

__all__ = [
    "ClinicPlugin", "ClinicPluginSetting", "PluginHost", "UnknownPlugin", "flatten", "hooks_for",
    "insurance_setting", "is_enabled", "plugin_host", "plugin_nav_items", "plugin_settings",
    "set_plugin_enabled", "set_plugin_setting", "settings_fields",
]
