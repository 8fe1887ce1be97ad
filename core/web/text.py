"""Text hygiene for everything typed into Caseload, in one place.

Every form derives from :class:`CaseloadForm` (or :class:`CaseloadSubForm` for repeated parts), whose
``Meta.bind_field`` gives each text field one more filter: control characters are a field error (NUL
above all: PostgreSQL refuses it in text), but tabs and line breaks in multi-line fields; and so are,
in single-line fields (names, codes, identifiers, addresses), the bidirectional override, embedding and
isolate characters, which make text display other than it is stored. Query strings (search boxes) are
cleaned by the request class instead: a search has no field to show an error at.
"""
from __future__ import annotations

import re

from flask import Request
from flask_wtf import FlaskForm
from werkzeug.utils import cached_property
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL_MESSAGE = "Remove the control characters from this field."
BIDI_MESSAGE = "Remove the hidden text-direction characters: they make text show differently from what is stored."


def strip_controls(value: str, multiline: bool = False) -> str:
    """``value`` without control characters (tabs and line breaks kept when ``multiline``)."""
    return (_CONTROLS if multiline else _LINE_CONTROLS).sub("", value)


def clean_line(value):
    """The filter of single-line text fields: control characters and bidi controls are a field error
    (``ValueError``, which WTForms shows at the field)."""
    if not isinstance(value, str):
        return value
    if _LINE_CONTROLS.search(value):
        raise ValueError(CONTROL_MESSAGE)
    if BIDI_CONTROLS.search(value):
        raise ValueError(BIDI_MESSAGE)
    return value


def clean_lines(value):
    """The filter of multi-line text fields (notes): control characters but tabs and line breaks are a
    field error."""
    if isinstance(value, str) and _CONTROLS.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def _with_hygiene(unbound_field: UnboundField, options: dict) -> dict:
    if not issubclass(unbound_field.field_class, StringField):
        return options  # choices, dates, numbers, lists: not free text
    multiline = issubclass(unbound_field.field_class, TextAreaField)
    filters = list(unbound_field.kwargs.get("filters", ()))
    options = dict(options)
    options["filters"] = [clean_lines if multiline else clean_line, *filters]
    return options


class _HygieneMeta:
    def bind_field(self, form, unbound_field, options):
        return unbound_field.bind(form=form, **_with_hygiene(unbound_field, options))


class CaseloadForm(FlaskForm):
    """The base of every Caseload form: CSRF (Flask-WTF) and text hygiene."""

    class Meta(_HygieneMeta):
        pass


class CaseloadSubForm(Form):
    """The base of repeated parts of a form (an address, a phone, a policy): text hygiene, no CSRF."""

    class Meta(_HygieneMeta):
        pass


class CaseloadRequest(Request):
    """The app's request class: query-string values (search boxes, filters, page numbers) arrive without
    control characters, NUL above all. Form values are left as sent: the form classes refuse them at the
    field, and the few raw reads compare against fixed values or go through ``clean_line``."""

    @cached_property
    def args(self):
        return self.parameter_storage_class(
            [(key, strip_controls(value)) for key, value in super().args.items(multi=True)])


LIKE_ESCAPE = "/"
"""The escape character of ``escape_like``'s patterns (pass it as ``escape=`` to startswith/contains)."""


def escape_like(term: str) -> str:
    """``term`` for a LIKE pattern given as a bound parameter: its ``%`` and ``_`` match themselves."""
    return term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
