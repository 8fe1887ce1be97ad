"""Every error of a WTForms form, nested sub-forms and lists included, for the error summary."""
from __future__ import annotations

from wtforms import FieldList, FormField, RadioField


def form_errors(form) -> list[tuple[str, str, str]]:
    """``[(id of the element to link to, label, message)]`` in the order the fields appear.

    Sub-forms (``FormField``) prefix their label ("Primary insurance: Subscriber ID"); list entries
    (``FieldList``) are numbered ("Address 2: ZIP code"). A radio group links to its first radio.
    """
    found: list[tuple[str, str, str]] = []

    def walk(fields, prefix: str) -> None:
        for field in fields:
            if isinstance(field, FieldList):
                singular = _singular(field.label.text)
                for number, entry in enumerate(field.entries, start=1):
                    walk(entry.form if isinstance(entry, FormField) else [entry], f"{prefix}{singular} {number}: ")
            elif isinstance(field, FormField):
                walk(field.form, f"{prefix}{field.label.text}: ")
            elif field.type not in ("CSRFTokenField", "SubmitField"):
                target = f"{field.id}-0" if isinstance(field, RadioField) else field.id
                for message in field.errors or ():
                    found.append((target, prefix + field.label.text, message))

    walk(form, "")
    return found


def _singular(label: str) -> str:
    """"Addresses" → "Address", "Phones" → "Phone"; "Address" stays "Address"."""
    if label.endswith("sses"):
        return label[:-2]
    if label.endswith("s") and not label.endswith("ss"):
        return label[:-1]
    return label
