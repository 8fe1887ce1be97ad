"""What a plugin imports from core: the ``hookimpl`` marker and the data shapes hooks return.

Plugins return data; core renders it. Raw HTML from a plugin only ever arrives through a template
the plugin names (a namespaced template in its own ``templates/<plugin>/`` folder).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy

from core.extensions import db, utcnow

__all__ = ["PROJECT", "Cell", "Column", "NavItem", "NoteSection", "Problem", "SettingField", "db", "hookimpl", "utcnow"]
# ``db`` is the app's Flask-SQLAlchemy object: a plugin's models subclass ``db.Model`` (tables named
# ``<plugin>_…``); ``utcnow`` is the default for their timestamp columns (stored in UTC).

PROJECT = "caseload"
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation.

    :param label: the words shown.
    :param endpoint: a Flask endpoint name, e.g. ``"mips.dashboard"``.
    :param order: position among all links; core's own links use 10, 20, 30…; ties sort by label.
    :param permission: a :class:`core.web.Permission` the user must hold to see the link, or None.
    """

    label: str
    endpoint: str
    order: int = 100
    permission: Any = None


@dataclass(frozen=True)
class SettingField:
    """A clinic setting a plugin declares; core renders it on the Features page and stores its value.

    :param key: the setting's key, unique within the plugin.
    :param label: the field label.
    :param default: the value used until someone changes it (defaults are not stored).
    :param kind: ``"bool"``, ``"choice"`` or ``"text"``.
    :param choices: for ``"choice"``: a sequence of ``(value, label)`` pairs.
    :param help: one sentence shown under the field.
    """

    key: str
    label: str
    default: Any = None
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""

    def coerce(self, raw: str | None) -> Any:
        """Turn a submitted form value into the stored value; raise ValueError when it is not allowed."""
        if self.kind == "bool":
            return raw in ("on", "true", "1", "y", "yes")
        if self.kind == "choice":
            if raw not in {value for value, _ in self.choices}:
                raise ValueError(f"Choose one of: {', '.join(label for _, label in self.choices)}.")
            return raw
        raw = (raw or "").strip()
        if len(raw) > 500:
            raise ValueError("Use at most 500 characters.")
        return raw


@dataclass(frozen=True)
class Cell:
    """One cell of a plugin column: plain ``text`` (escaped by core), or a ``template`` rendered with
    ``context`` (the plugin's namespaced partial, for cells with controls)."""

    text: str = ""
    template: str | None = None
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """A column a plugin adds to a list, with the cells of every row on the page already loaded.

    :param key: unique among columns, e.g. ``"mips"``.
    :param header: the column heading.
    :param cells: ``{row id: Cell}`` for the rows of the page; rows missing from it show an empty cell.
    :param order: position among plugin columns; ties sort by key.
    """

    key: str
    header: str
    cells: dict[int, Cell]
    order: int = 100


@dataclass(frozen=True)
class Problem:
    """A reason a note may not be finalized (or a warning when ``blocking`` is False).

    :param code: a stable machine-readable code, e.g. ``"quick_add.incomplete_profile"``.
    :param message: what the user reads, in words a therapist understands.
    :param field: the form field the problem is about, or None.
    :param blocking: whether it stops the finalize.
    :param url: where it is fixed when not on the note itself (the patient's profile, the case...), or None.
    """

    code: str
    message: str
    field: str | None = None
    blocking: bool = True
    plugin: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class NoteSection:
    """A section a plugin adds to notes of chosen types (Outcomes' surveys, MIPS' measures).

    Core renders the ``fields`` in the note editor, saves what is typed with the note's draft (under
    ``note.sections[key]``, ``{field key: value}``), locks it with the note's content at finalize, and shows
    it on the finalized note and its print view, with ``template`` when given (the plugin's namespaced
    partial, rendered with ``section`` and ``values``). A plugin checks the values in its
    ``caseload_finalize_veto``.

    :param key: unique across plugins: start it with the plugin's name, e.g. ``"outcomes.surveys"``.
    :param title: the section's heading.
    :param note_kinds: the note types it appears on, as ``core.notes.NoteKind`` values
        (e.g. ``("Initial Evaluation", "Progress Note / Re-Certification", "Discharge Summary")``).
    :param fields: :class:`SettingField` declarations (``bool``, ``choice`` or ``text``).
    :param template: a namespaced template showing the saved values, or None for core's list.
    :param order: position among plugin sections (after core's SOAP and plan of care); ties sort by key.
    """

    key: str
    title: str
    note_kinds: tuple[str, ...]
    fields: tuple[SettingField, ...] = ()
    template: str | None = None
    order: int = 100
