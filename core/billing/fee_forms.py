"""The Company Admin's billing forms: a fee schedule entry (Add and Edit) and a custom code.

Amounts are read with ``Decimal`` from what was typed ("42", "42.50", "$1,042.50"): more than $0.00, at most
$99,999.99, at most two decimal places. Codes are checked against the catalogue (``core.billing.CODES``): a
fee schedule entry's code must be one of its codes, a custom code must not be, and a custom code's
comparative CPT code must be. The checks that need the company's other rows (overlapping entries, a custom
code already used) are the view's, reported at the field the same way.
"""
from __future__ import annotations

import re
from decimal import Decimal

from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.billing.catalogue import CODES
from core.billing.money import MAX_AMOUNT, parse_amount  # noqa: F401  (MAX_AMOUNT re-exported)
from core.web import CaseloadForm

CATALOGUE_CODES = frozenset(c.code for c in CODES)
DESCRIPTIONS = {c.code: c.description for c in sorted(CODES, key=lambda c: c.effective)}
"""Each catalogue code's description (its latest, when a code was ever described twice)."""

CODE_CHOICES = [("", "Choose a code")] + [(code, f"{code} {DESCRIPTIONS[code]}") for code in sorted(CATALOGUE_CODES)]
_CUSTOM_CODE = re.compile(r"[A-Z0-9]{1,10}")
CUSTOM_CODES_EXPLANATION = ("Custom codes bill supplies, wellness programs, gym memberships and self-pay services "
                            "on Self Pay cases.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class _Amount:
    """Validator: the amount as ``parse_amount`` reads it (kept on the form as ``amount_value``)."""

    def __call__(self, form, field):
        try:
            form.amount_value = parse_amount(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


def _amount_field() -> StringField:
    return StringField("Amount", filters=[_strip], validators=[_Amount()],
                       description="The charge for one unit, in dollars and cents (at most $99,999.99).")


class _EffectiveDates:
    """Effective from (required) and effective to (optional, not before from)."""

    effective_from = DateField("Effective from", validators=[InputRequired(message="Enter the date the amount starts.")])
    effective_to = DateField("Effective to", validators=[Optional()],
                             description="Leave blank while the amount is in force.")

    def validate_effective_from(self, field):
        if field.data and field.data.year < 2000:
            raise ValidationError("Enter a date in 2000 or later.")

    def validate_effective_to(self, field):
        start = self.effective_from.data
        if field.data and start and field.data < start:
            raise ValidationError("The effective to date cannot be before the effective from date.")


class FeeEntryEditForm(_EffectiveDates, CaseloadForm):
    """Edit a fee schedule entry: its amount and dates (the code stays)."""

    amount_value: Decimal | None = None
    amount = _amount_field()


class FeeEntryForm(FeeEntryEditForm):
    """Add a fee schedule entry."""

    code = SelectField("Code", choices=CODE_CHOICES, default="", validate_choice=False,
                       description="A CPT or HCPCS code of the catalogue.")

    def validate_code(self, field):
        if not field.data:
            raise ValidationError("Choose the code.")
        if field.data not in CATALOGUE_CODES:
            raise ValidationError("Choose a code from the list: only catalogue CPT and HCPCS codes have fees here "
                                  "(add your own codes under Custom Codes).")


class CustomCodeForm(CaseloadForm):
    """Add or edit a custom code."""

    amount_value: Decimal | None = None

    code = StringField("Code", filters=[_upper], validators=[DataRequired(message="Enter the code.")],
                       description="1 to 10 letters or digits, for example BRACE or WELL30.")
    description = StringField("Description", filters=[_strip], validators=[
        DataRequired(message="Enter the description."), Length(max=100, message="Use at most %(max)d characters.")])
    amount = _amount_field()
    comparative_code = StringField("Comparative CPT code", filters=[_upper], validators=[Optional()],
                                   description="Optional: the catalogue code this service compares to, e.g. 97110.")

    def validate_code(self, field):
        if not _CUSTOM_CODE.fullmatch(field.data or ""):
            raise ValidationError("Use 1 to 10 letters or digits, with no spaces or other characters.")
        if field.data in CATALOGUE_CODES:
            raise ValidationError(f"{field.data} is a catalogue code ({DESCRIPTIONS[field.data]}): its fee goes in the "
                                  "Fee Schedule. Give the custom code a code of its own.")

    def validate_comparative_code(self, field):
        if field.data and field.data not in CATALOGUE_CODES:
            raise ValidationError("Enter a CPT or HCPCS code of the catalogue (for example 97110), or leave it blank.")
