"""Which plugins are on in which clinic, and their per-clinic settings (database rows).

Installing a plugin is a deploy; switching it on for a clinic is a row here. Both tables are read with
the request's clinics (two columns of ``core.tenancy.my_clinics``' statement, registered below), so the
plugin state of every page costs no statement of its own; ``clinic_plugin_state`` reads them alone for a
clinic outside that statement.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, and_, case, cast, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db, utcnow
from core.tenancy import Clinic, add_clinic_extra

UNIT, RECORD = "\x1f", "\x1e"
"""Separators of the aggregated state strings (control characters: never in a name, escaped in JSON)."""


class ClinicPlugin(db.Model):
    """Whether plugin ``plugin`` is on in clinic ``clinic_id``; who last changed it and when."""

    __tablename__ = "clinic_plugin"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    __table_args__ = (UniqueConstraint("clinic_id", "plugin"),)


class ClinicPluginSetting(db.Model):
    """One changed setting of a plugin in a clinic (defaults are not stored)."""

    __tablename__ = "clinic_plugin_setting"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("clinic_id", "plugin", "key"),)


@dataclass
class PluginClinicState:
    enabled: bool = False
    settings: dict[str, Any] = field(default_factory=dict)


def clinic_plugin_state(clinic_id: int) -> dict[str, PluginClinicState]:
    """``{plugin name: state}`` for one clinic, in one query, cached for the request."""
    cache = g.setdefault("_plugin_state", {})
    if clinic_id not in cache:
        rows = db.session.execute(
            select(ClinicPlugin.plugin, ClinicPlugin.enabled, ClinicPluginSetting.key, ClinicPluginSetting.value)
            .outerjoin(
                ClinicPluginSetting,
                and_(
                    ClinicPluginSetting.clinic_id == ClinicPlugin.clinic_id,
                    ClinicPluginSetting.plugin == ClinicPlugin.plugin,
                ),
            )
            .where(ClinicPlugin.clinic_id == clinic_id)
        )
        state: dict[str, PluginClinicState] = {}
        for plugin, enabled, key, value in rows:
            entry = state.setdefault(plugin, PluginClinicState(enabled=enabled))
            if key is not None:
                entry.settings[key] = value
        cache[clinic_id] = state
    return cache[clinic_id]


def _plugins_column():
    """Per clinic: ``plugin:1`` or ``plugin:0`` for each state row, joined by RECORD."""
    return (select(func.aggregate_strings(ClinicPlugin.plugin + case((ClinicPlugin.enabled, ":1"), else_=":0"), RECORD))
            .where(ClinicPlugin.clinic_id == Clinic.id).scalar_subquery())


def _settings_column():
    """Per clinic: ``plugin UNIT key UNIT json value`` for each changed setting, joined by RECORD."""
    return (select(func.aggregate_strings(ClinicPluginSetting.plugin + UNIT + ClinicPluginSetting.key + UNIT
                                          + cast(ClinicPluginSetting.value, String), RECORD))
            .where(ClinicPluginSetting.clinic_id == Clinic.id).scalar_subquery())


def _receive_plugins(clinic_id: int, text: str | None) -> None:
    state = g.setdefault("_plugin_state", {}).setdefault(clinic_id, {})
    for item in (text or "").split(RECORD):
        if item:
            plugin, _, flag = item.rpartition(":")
            state[plugin] = PluginClinicState(enabled=flag == "1")


def _receive_settings(clinic_id: int, text: str | None) -> None:
    state = g.setdefault("_plugin_state", {}).setdefault(clinic_id, {})
    for item in (text or "").split(RECORD):
        if item:
            plugin, key, value = item.split(UNIT, 2)
            if plugin in state:  # as the joined query: settings of a plugin with a state row
                state[plugin].settings[key] = json.loads(value)


add_clinic_extra("plugin_state", _plugins_column, _receive_plugins)
add_clinic_extra("plugin_settings", _settings_column, _receive_settings)


def forget_cached_state() -> None:
    g.pop("_plugin_state", None)


def write_enabled(clinic_id: int, plugin: str, enabled: bool, user_id: int | None) -> bool:
    """Set the state row; return True when it changed. The caller commits."""
    row = db.session.scalar(
        select(ClinicPlugin).where(ClinicPlugin.clinic_id == clinic_id, ClinicPlugin.plugin == plugin)
    )
    if row is None:
        row = ClinicPlugin(clinic_id=clinic_id, plugin=plugin, enabled=False)
        db.session.add(row)
    changed = row.enabled != enabled
    row.enabled = enabled
    row.changed_at = utcnow()
    row.changed_by_id = user_id
    forget_cached_state()
    return changed


def write_setting(clinic_id: int, plugin: str, key: str, value: Any, default: Any) -> None:
    """Store a setting, or remove its row when it goes back to the default. The caller commits."""
    row = db.session.scalar(
        select(ClinicPluginSetting).where(
            ClinicPluginSetting.clinic_id == clinic_id,
            ClinicPluginSetting.plugin == plugin,
            ClinicPluginSetting.key == key,
        )
    )
    if value == default:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(ClinicPluginSetting(clinic_id=clinic_id, plugin=plugin, key=key, value=value))
    else:
        row.value = value
    forget_cached_state()
