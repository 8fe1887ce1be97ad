"""The patient transaction forms: Record Payment (and Correct Payment, the same fields), Refund, Reverse.

Amounts are read with ``Decimal`` from what was typed ("25", "25.50", "$1,025.50"): more than $0.00, at
most $99,999.99, at most two decimal places. Dates paid are not in the future in the clinic's zone (the
view sets ``today``). The case and visit choices are the patient's own (the view sets them); anything else
is refused at the field.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.billing.ledger import PaymentValues
from core.billing.models import PaymentKind, PaymentMethod
from core.billing.money import parse_amount
from core.web import CaseloadForm

REFERENCE_MAX = 50
MEMO_MAX = 500


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_id(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never an id: refused as not one of the choices


class _Amount:
    """Validator: the amount as ``parse_amount`` reads it (kept on the form as ``amount_value``)."""

    def __call__(self, form, field):
        try:
            form.amount_value = parse_amount(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class _Choice(SelectField):
    """A select whose value must be one of its choices, said in the user's words."""

    def pre_validate(self, form):
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError("Choose one of the options in the list.")


class _TransactionForm(CaseloadForm):
    """What every transaction form shares: the date, the reference and the memo."""

    today: date | None = None  # the clinic's today, set by the view
    amount_value: Decimal | None = None

    amount = StringField("Amount", filters=[_strip], validators=[_Amount()])
    paid_on = DateField("Date paid", validators=[InputRequired(message="Enter the date paid.")])
    reference = StringField("Reference", filters=[_strip], validators=[
        Optional(), Length(max=REFERENCE_MAX, message="Use at most %(max)d characters.")])
    memo = TextAreaField("Memo", filters=[_strip], validators=[
        Optional(), Length(max=MEMO_MAX, message="Use at most %(max)d characters.")])

    def validate_paid_on(self, field):
        if field.data and self.today and field.data > self.today:
            raise ValidationError("The date paid cannot be in the future.")
        if field.data and field.data.year < 1900:
            raise ValidationError("Enter a date after 1900.")


class PaymentForm(_TransactionForm):
    """Record Payment and Correct Payment."""

    kind = _Choice("Type", choices=[(k.value, k.value) for k in PaymentKind], default=PaymentKind.COPAY.value)
    method = _Choice("Method", choices=[(m.value, m.value) for m in PaymentMethod], default=PaymentMethod.CASH.value)
    case_id = _Choice("Case", coerce=_optional_id, choices=[])
    note_id = _Choice("Visit", coerce=_optional_id, choices=[])

    def set_choices(self, cases, visits) -> None:
        """``cases``: the patient's cases; ``visits``: ``[(note id, date of service, type)]``."""
        self.case_id.choices = [(None, "No case")] + [(c.id, f"{c.title} ({c.discipline.value})") for c in cases]
        self.note_id.choices = [(None, "No visit")] + [(i, f"{day:%m/%d/%Y} {kind}") for i, day, kind in visits]

    def values(self) -> PaymentValues:
        return PaymentValues(kind=PaymentKind(self.kind.data), method=PaymentMethod(self.method.data),
                             amount=self.amount_value, paid_on=self.paid_on.data, reference=self.reference.data or "",
                             memo=self.memo.data or "", case_id=self.case_id.data, note_id=self.note_id.data)

    @staticmethod
    def data_of(values: PaymentValues) -> dict:
        return {"kind": values.kind.value, "method": values.method.value, "amount": f"{values.amount:.2f}",
                "paid_on": values.paid_on, "reference": values.reference, "memo": values.memo,
                "case_id": values.case_id, "note_id": values.note_id}


class RefundForm(_TransactionForm):
    """Refund: money of a payment given back to the patient."""

    method = _Choice("Refunded by", choices=[(m.value, m.value) for m in PaymentMethod], default=PaymentMethod.CASH.value)

    def __init__(self, *args, refundable: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.paid_on.label.text = "Date refunded"

    def validate_amount(self, field):
        if self.amount_value is not None and self.refundable is not None and self.amount_value > self.refundable:
            raise ValidationError(f"A refund can be at most ${self.refundable:,.2f}: the payment's amount less what was "
                                  "already refunded.")


class ReverseForm(CaseloadForm):
    """Reverse: a payment entered in error is cancelled."""

    memo = TextAreaField("Reason", filters=[_strip], validators=[
        Optional(), Length(max=MEMO_MAX, message="Use at most %(max)d characters.")])
