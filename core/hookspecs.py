"""Every hook Caseload calls. All hook names start with ``caseload_``.

Per-clinic hooks are called through ``hooks_for(clinic)``, so a plugin that is off for the clinic is
never called there. Implementations may accept a subset of the arguments (pluggy passes by name).
Hooks only ever gain arguments; none is removed or renamed. ``docs/hooks.md`` documents each hook and
``tests/contract/test_hookspecs.py`` checks that the documentation matches these signatures.
"""
from __future__ import annotations

from typing import Any

import pluggy

from core.plugin_api import PROJECT, Column, NavItem, NoteSection, Problem, SettingField

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def caseload_nav_items(clinic: Any, user: Any) -> list[NavItem]:
    """Links to add to the main navigation.

    Called per clinic on every full page render.

    :param clinic: the :class:`core.tenancy.Clinic` the user works in.
    :param user: the signed-in :class:`core.accounts.User`.
    :return: a list of :class:`core.plugin_api.NavItem` (empty or None for none). Core drops items
        whose ``permission`` the user lacks and sorts all items by ``order`` then label.
    """


@hookspec
def caseload_clinic_settings_fields(clinic: Any) -> list[SettingField]:
    """Settings the plugin offers on the clinic's Features page.

    Called per clinic when the Features page renders, when a setting is saved, and when a plugin reads
    its settings with ``plugin_settings(clinic, name)``.

    :param clinic: the :class:`core.tenancy.Clinic` being configured.
    :return: a list of :class:`core.plugin_api.SettingField`. Core stores only the keys declared here
        and only values that differ from the default.
    """


@hookspec
def caseload_user_manager_columns(clinic: Any, viewer: Any, users: list[Any]) -> list[Column] | Column | None:
    """Columns to add to the User Manager table.

    Called per clinic **once per page** with all the page's rows, so an implementation loads its data
    for every row in one query. Never query per row.

    :param clinic: the :class:`core.tenancy.Clinic` whose User Manager is shown.
    :param viewer: the signed-in :class:`core.accounts.User` looking at the page.
    :param users: the :class:`core.accounts.User` rows on this page, in display order.
    :return: a :class:`core.plugin_api.Column` (or a list of them) whose ``cells`` are keyed by user id;
        None to add nothing.
    """


@hookspec
def caseload_finalize_veto(note: Any, clinic: Any, user: Any) -> list[Problem] | None:
    """Reasons a note may not be finalized. Collect-all: every enabled plugin is asked.

    Called per clinic before a note is finalized. Any returned problem with ``blocking=True`` stops
    the finalize; core shows all problems together (a 422 answer with the problems partial).

    :param note: the note about to be finalized (it has ``patient``, ``case`` and ``clinic_id``).
    :param clinic: the :class:`core.tenancy.Clinic` of the note.
    :param user: the :class:`core.accounts.User` finalizing it.
    :return: a list of :class:`core.plugin_api.Problem`; an empty list or None when there is no objection.
    """


@hookspec
def caseload_note_finalized(note: Any, clinic: Any, user: Any) -> None:
    """Notification that a note was finalized. Return values are ignored.

    Called per clinic after the finalize is committed. Failures here are logged (without patient
    data) and do not undo the finalize.

    :param note: the finalized note.
    :param clinic: the :class:`core.tenancy.Clinic` of the note.
    :param user: the :class:`core.accounts.User` who finalized it.
    """


@hookspec
def caseload_demo_data(clinic: Any) -> None:
    """Add the plugin's demo rows to a clinic where it is on. Return values are ignored.

    Called per clinic by ``flask demo`` after core's demo data, inside its transaction (do not commit).
    Running ``flask demo`` again must not add anything twice.

    :param clinic: the demo :class:`core.tenancy.Clinic`.
    """


@hookspec
def caseload_blueprints() -> list[Any]:
    """Flask blueprints the plugin serves.

    Called once at start-up for every installed plugin (plugins are loaded at start-up; whether one is
    on is per clinic). Core registers each blueprint and answers 404 on its routes in clinics where the
    plugin is off. Give each blueprint its own ``url_prefix``.

    :return: a list of :class:`flask.Blueprint`.
    """


@hookspec
def caseload_template_folders() -> list[str]:
    """Folders holding the plugin's templates, for plugins whose templates are not served by a blueprint.

    Called once at start-up. Templates must sit under a folder named after the plugin
    (``<folder>/<plugin>/...``) so that names never collide.

    :return: a list of absolute folder paths.
    """


@hookspec
def caseload_patient_manager_actions(clinic: Any, user: Any) -> list[NavItem]:
    """Buttons to add beside Add Patient on the Patient Manager (e.g. Quick Add Patient).

    Called per clinic when the Patient Manager renders.

    :param clinic: the :class:`core.tenancy.Clinic` whose Patient Manager is shown.
    :param user: the signed-in :class:`core.accounts.User`.
    :return: a list of :class:`core.plugin_api.NavItem`; core drops those whose ``permission`` the user
        lacks and sorts by ``order`` then label.
    """


@hookspec
def caseload_patient_manager_columns(clinic: Any, viewer: Any, patients: list[Any]) -> list[Column] | Column | None:
    """Columns to add to the Patient Manager's search results.

    Called per clinic **once per page** with all the page's patients; load data for all of them in one
    query.

    :param clinic: the :class:`core.tenancy.Clinic` being searched.
    :param viewer: the signed-in :class:`core.accounts.User`.
    :param patients: the :class:`core.patients.Patient` rows on this page, in display order.
    :return: a :class:`core.plugin_api.Column` (or a list) whose ``cells`` are keyed by patient id; None
        to add nothing.
    """


@hookspec
def caseload_insurance_settings_fields(clinic: Any) -> list[SettingField]:
    """Settings the plugin adds to the insurance form (Insurance Admin).

    Called per clinic (the clinic the Insurance Admin works in; insurances are kept per company) when the
    insurance form renders and when it is saved. Values are stored on the insurance under the plugin's
    name and read with ``core.plugins.insurance_setting(insurance, plugin, key)``.

    :param clinic: the :class:`core.tenancy.Clinic` the Insurance Admin works in.
    :return: a list of :class:`core.plugin_api.SettingField`.
    """


@hookspec
def caseload_note_sections(clinic: Any, note_kind: str) -> list[NoteSection] | NoteSection | None:
    """Sections to add to notes of type ``note_kind`` (its editor, the finalized note, its print view).

    Called per clinic whenever a note of that type is shown or saved (no database access expected:
    declare the section; its values are stored by core on the note).

    :param clinic: the :class:`core.tenancy.Clinic` of the note.
    :param note_kind: the note's type, a ``core.notes.NoteKind`` value such as ``"Initial Evaluation"``.
    :return: a :class:`core.plugin_api.NoteSection` (or a list); core keeps those whose ``note_kinds``
        include ``note_kind`` and sorts them by ``order`` then key.
    """
