"""The Quick Add Patient form: first name, last name, date of birth and phone, nothing else."""
from __future__ import annotations

import unicodedata
from datetime import date

from wtforms import BooleanField, DateField, StringField, TelField
from wtforms.validators import DataRequired, Length, ValidationError

from core.patients import DIFFERENT_PERSON_LABEL
from core.web import CaseloadForm, local_today, phone_error

NAME_MAX = 60  # core.patients.Patient.first_name / last_name
NAME_PUNCTUATION = set(" -'’.")
NAME_CHARS = "Use letters, spaces, hyphens, apostrophes and periods only."
PHONE_MAX = 30
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _collapse_spaces(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def person_name(form, field):
    """Letters of any alphabet (with their accents), spaces, hyphens, apostrophes and periods."""
    if len(field.data or "") > NAME_MAX:
        return  # Length has said so already
    for char in field.data or "":
        if char not in NAME_PUNCTUATION and unicodedata.category(char)[0] not in "LM":
            raise ValidationError(NAME_CHARS)
    if not any(unicodedata.category(c)[0] == "L" for c in field.data or ""):
        raise ValidationError("A name needs at least one letter.")


def birth_date(form, field):
    if field.data > local_today():
        raise ValidationError("The date of birth cannot be in the future.")
    if field.data < EARLIEST_BIRTH_DATE:
        raise ValidationError("Enter a date of birth on or after 01/01/1900.")


def billing_phone(form, field):
    if len(field.data or "") > PHONE_MAX:
        return  # Length has said so already
    error = phone_error(field.data)
    if error:
        raise ValidationError(error)


class QuickAddPatientForm(CaseloadForm):
    """Autocomplete is off: the browser would offer the staff member's own name and phone."""

    first_name = StringField(
        "First Name",
        render_kw={"autocomplete": "off"},
        filters=[_strip, _collapse_spaces],
        validators=[
            DataRequired(message="Enter the first name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            person_name,
        ],
    )
    last_name = StringField(
        "Last Name",
        render_kw={"autocomplete": "off"},
        filters=[_strip, _collapse_spaces],
        validators=[
            DataRequired(message="Enter the last name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            person_name,
        ],
    )
    date_of_birth = DateField(
        "Date of Birth",
        format=["%Y-%m-%d", "%m/%d/%Y"],
        render_kw={"autocomplete": "off", "min": EARLIEST_BIRTH_DATE.isoformat()},
        validators=[DataRequired(message="Enter the date of birth (MM/DD/YYYY)."), birth_date],
    )
    phone = TelField(
        "Phone Number",
        render_kw={"autocomplete": "off"},
        filters=[_strip],
        validators=[
            DataRequired(message="Enter the patient's phone number."),
            Length(max=PHONE_MAX, message="Enter a 10-digit phone number with its area code."),
            billing_phone,
        ],
    )
    different_person = BooleanField(DIFFERENT_PERSON_LABEL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_of_birth.render_kw = {**self.date_of_birth.render_kw, "max": local_today().isoformat()}
