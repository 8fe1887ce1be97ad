"""Plugins' note sections (``caseload_note_sections``): which appear on a note, and reading their values
from the editor's form."""
from __future__ import annotations

from core.plugin_api import NoteSection
from core.plugin_host import flatten, hooks_for
from core.web import clean_line


def note_sections(clinic, kind) -> list[NoteSection]:
    """The enabled plugins' sections for notes of ``kind`` in ``clinic``, in order."""
    found = flatten(hooks_for(clinic).caseload_note_sections(clinic=clinic, note_kind=kind.value))
    kept = [s for s in found if isinstance(s, NoteSection) and kind.value in s.note_kinds]
    return sorted(kept, key=lambda s: (s.order, s.key))


def field_name(section: NoteSection, key: str) -> str:
    """The form field's name for a section's field (``section-<section key>-<field key>``)."""
    return f"section-{section.key}-{key}"


def read_sections(sections: list[NoteSection], form, current: dict) -> tuple[dict, dict[str, str]]:
    """The sections' values from ``form`` over ``current`` (a field with a bad value keeps its old value):
    (new ``note.sections``, {form field name: message})."""
    values = {key: dict(saved) for key, saved in (current or {}).items()}
    errors = {}
    for section in sections:
        saved = values.setdefault(section.key, {})
        for setting in section.fields:
            name = field_name(section, setting.key)
            if setting.kind != "bool" and name not in form:
                continue
            try:
                value = setting.coerce(form.get(name))
                saved[setting.key] = clean_line(value) if isinstance(value, str) else value
            except ValueError as error:
                errors[name] = str(error)
    return values, errors
