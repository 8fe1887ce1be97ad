"""The Patient Ledger: a patient's charges (the billed lines of their notes, by visit) and their payments
(with each payment's corrections, reversals and refunds), the totals and the balance; and the patient
transactions themselves (record, correct, reverse, refund), which never change a row.

The ledger is two statements whatever its length (the charge lines with their note's type; the payments
with the names of who entered them), its totals are summed in Python from the ``Decimal`` rows; the chart's
balance is one aggregate statement (``balance_of``).

Billing sits below notes, so a visit's note is read through the ``note`` table by name (as the charge lines'
and payments' foreign keys name it), never through ``core.notes``.

Transactions. A payment (``TransactionType.PAYMENT``) or a correction is *live* until it is reversed:

* **correct**: a Reversal of it (``-amount``) and a Correction with the new values, both ``original_id`` = it;
* **reverse** (entered in error): a Reversal (``-amount``);
* **refund** (money given back): a Refund (a negative amount no larger than what the payment still holds,
  its amount less its refunds).

A reversed payment cannot be reversed, corrected or refunded again, and a refunded one cannot be corrected
or reversed (its refunds would no longer add up): each function locks the payment's row
(``SELECT … FOR UPDATE`` on PostgreSQL) and checks again inside the transaction, so two clicks at once make
one reversal. A refused transaction raises :class:`PaymentRefused` with the user's words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Date, Integer, String, bindparam, column, func, select, table
from sqlalchemy.orm import aliased

from core.accounts import User
from core.billing.models import ChargeLine, Payment, PaymentKind, PaymentMethod, TransactionType
from core.cases import Case
from core.extensions import db

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("99999.99")

NOTE = table("note", column("id", Integer), column("clinic_id", Integer), column("patient_id", Integer),
             column("kind", String), column("date_of_service", Date))
"""The notes' table, by name (billing sits below notes): a visit's type and date."""

LIVE = (TransactionType.PAYMENT, TransactionType.CORRECTION)
"""Rows that hold money the patient paid, and can be corrected, reversed or refunded."""


class PaymentRefused(Exception):
    """A transaction that is not allowed on this payment now; ``str(error)`` is the message for the user."""


# -- the ledger --------------------------------------------------------------------------------------
@dataclass
class ChargeRow:
    code: str
    description: str
    units: int
    modifiers: list[str]
    charge: Decimal


@dataclass
class Visit:
    """One note's billed charges."""

    note_id: int
    date_of_service: date
    kind: str
    lines: list[ChargeRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.charge for line in self.lines), ZERO)

    @property
    def codes(self) -> str:
        return ", ".join(line.code for line in self.lines)


@dataclass
class Entry:
    """One payment row with the rows that point to it (``children``: its corrections, reversals, refunds)."""

    payment: Payment
    entered_by: str = ""
    visit_date: date | None = None  # the date of service of the visit it is on
    case_title: str | None = None  # the title of the case it is on
    children: list[Entry] = field(default_factory=list)

    @property
    def reversal(self) -> Payment | None:
        return next((c.payment for c in self.children if c.payment.transaction is TransactionType.REVERSAL), None)

    @property
    def correction(self) -> Payment | None:
        return next((c.payment for c in self.children if c.payment.transaction is TransactionType.CORRECTION), None)

    @property
    def refunded(self) -> Decimal:
        """What was given back of this payment (a positive amount)."""
        return -sum((c.payment.amount for c in self.children if c.payment.transaction is TransactionType.REFUND), ZERO)

    @property
    def is_live(self) -> bool:
        return self.payment.transaction in LIVE and self.reversal is None

    @property
    def refundable(self) -> Decimal:
        """What a refund may give back: the amount less its refunds (nothing once reversed)."""
        return self.payment.amount - self.refunded if self.is_live else ZERO

    @property
    def can_correct(self) -> bool:
        return self.is_live and not self.refunded

    @property
    def can_refund(self) -> bool:
        return self.refundable > 0


@dataclass
class Ledger:
    visits: list[Visit]
    payments: list[Entry]  # the original payments, oldest first, each with its chain below it
    entries: dict[int, Entry]  # every payment row by id

    @property
    def total_charges(self) -> Decimal:
        return sum((v.total for v in self.visits), ZERO)

    @property
    def total_payments(self) -> Decimal:
        """The sum of every row's signed amount (reversals and refunds are negative)."""
        return sum((e.payment.amount for e in self.entries.values()), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.total_charges - self.total_payments

    def rows(self) -> list[tuple[Entry, int]]:
        """Every payment row with its depth: each original payment, then what points to it (depth first)."""
        found: list[tuple[Entry, int]] = []

        def walk(entry: Entry, depth: int) -> None:
            found.append((entry, depth))
            for child in entry.children:
                walk(child, depth + 1)

        for entry in self.payments:
            walk(entry, 0)
        return found


@cache
def _charges_statement():
    return (select(ChargeLine.note_id, ChargeLine.date_of_service, ChargeLine.code, ChargeLine.description,
                   ChargeLine.units, ChargeLine.modifiers, ChargeLine.charge, NOTE.c.kind)
            .outerjoin(NOTE, NOTE.c.id == ChargeLine.note_id)
            .where(ChargeLine.patient_id == bindparam("patient_id"), ChargeLine.clinic_id == bindparam("clinic_id"),
                   ChargeLine.billed.is_(True))
            .order_by(ChargeLine.date_of_service, ChargeLine.note_id, ChargeLine.position))


@cache
def _payments_statement():
    author = aliased(User)
    return (select(Payment, author.first_name, author.last_name, NOTE.c.date_of_service, Case.title)
            .outerjoin(author, author.id == Payment.created_by_id)
            .outerjoin(NOTE, NOTE.c.id == Payment.note_id)
            .outerjoin(Case, Case.id == Payment.case_id)
            .where(Payment.patient_id == bindparam("patient_id"), Payment.clinic_id == bindparam("clinic_id"))
            .order_by(Payment.id))


def ledger_for(patient_id: int, clinic_id: int) -> Ledger:
    """The patient's ledger in the clinic: two statements, however many visits and payments."""
    params = {"patient_id": patient_id, "clinic_id": clinic_id}
    visits: dict[int, Visit] = {}
    for row in db.session.execute(_charges_statement(), params):
        visit = visits.get(row.note_id)
        if visit is None:
            visit = visits[row.note_id] = Visit(row.note_id, row.date_of_service, row.kind or "Visit")
        visit.lines.append(ChargeRow(row.code, row.description, row.units, list(row.modifiers or ()),
                                     Decimal(row.charge).quantize(CENT)))
    entries: dict[int, Entry] = {}
    roots: list[Entry] = []
    for payment, first, last, visit_date, case_title in db.session.execute(_payments_statement(), params).all():
        entry = entries[payment.id] = Entry(payment, f"{first} {last}" if first or last else "Former user",
                                            visit_date, case_title)
        parent = entries.get(payment.original_id) if payment.original_id else None
        (parent.children if parent is not None else roots).append(entry)  # ids grow: the original comes first
    return Ledger(sorted(visits.values(), key=lambda v: (v.date_of_service, v.note_id)), roots, entries)


@cache
def _balance_statement():
    where = {"patient_id": bindparam("patient_id"), "clinic_id": bindparam("clinic_id")}
    charges = (select(func.coalesce(func.sum(ChargeLine.charge), 0))
               .where(ChargeLine.patient_id == where["patient_id"], ChargeLine.clinic_id == where["clinic_id"],
                      ChargeLine.billed.is_(True)).scalar_subquery())
    payments = (select(func.coalesce(func.sum(Payment.amount), 0))
                .where(Payment.patient_id == where["patient_id"], Payment.clinic_id == where["clinic_id"]).scalar_subquery())
    return select(charges.label("charges"), payments.label("payments"))


@dataclass(frozen=True)
class Balance:
    charges: Decimal
    payments: Decimal

    @property
    def balance(self) -> Decimal:
        return self.charges - self.payments


def balance_of(patient_id: int, clinic_id: int) -> Balance:
    """The patient's total charges and payments (one aggregate statement)."""
    row = db.session.execute(_balance_statement(), {"patient_id": patient_id, "clinic_id": clinic_id}).one()
    return Balance(Decimal(str(row.charges)).quantize(CENT), Decimal(str(row.payments)).quantize(CENT))


# -- choices for the payment form -------------------------------------------------------------------
@cache
def _visits_statement():
    return (select(NOTE.c.id, NOTE.c.date_of_service, NOTE.c.kind)
            .where(NOTE.c.patient_id == bindparam("patient_id"), NOTE.c.clinic_id == bindparam("clinic_id"))
            .order_by(NOTE.c.date_of_service.desc(), NOTE.c.id.desc()).limit(VISIT_CHOICES))


VISIT_CHOICES = 100
"""The most recent visits (notes) a payment can be put on."""


def visit_choices(patient_id: int, clinic_id: int) -> list[tuple[int, date, str]]:
    """The patient's notes a payment may be put on, newest first: ``[(note id, date of service, type)]``."""
    return [(r.id, r.date_of_service, r.kind)
            for r in db.session.execute(_visits_statement(), {"patient_id": patient_id, "clinic_id": clinic_id})]


# -- transactions ------------------------------------------------------------------------------------
@dataclass
class PaymentValues:
    """What the user enters for a payment or a correction."""

    kind: PaymentKind
    method: PaymentMethod
    amount: Decimal
    paid_on: date
    reference: str = ""
    memo: str = ""
    case_id: int | None = None
    note_id: int | None = None

    @classmethod
    def of(cls, payment: Payment) -> PaymentValues:
        return cls(payment.kind, payment.method, payment.amount, payment.paid_on, payment.reference, payment.memo,
                   payment.case_id, payment.note_id)


def _amount(value: Decimal) -> Decimal:
    amount = Decimal(value).quantize(CENT)
    if not ZERO < amount <= MAX_AMOUNT:
        raise PaymentRefused("The amount must be more than $0.00 and at most $99,999.99.")
    return amount


def record_payment(patient, values: PaymentValues, user) -> Payment:
    """A new payment on the patient's chart (added to the session, flushed; the caller audits and commits)."""
    payment = Payment(clinic_id=patient.clinic_id, patient_id=patient.id, transaction=TransactionType.PAYMENT,
                      created_by_id=user.id, **_row_values(values))
    db.session.add(payment)
    db.session.flush()
    return payment


def _row_values(values: PaymentValues) -> dict:
    return {"kind": values.kind, "method": values.method, "amount": _amount(values.amount), "paid_on": values.paid_on,
            "reference": values.reference or "", "memo": values.memo or "", "case_id": values.case_id,
            "note_id": values.note_id}


@cache
def _payment_statement(lock: bool):
    statement = select(Payment).where(Payment.id == bindparam("payment_id"), Payment.patient_id == bindparam("patient_id"),
                                      Payment.clinic_id == bindparam("clinic_id"))
    return statement.with_for_update().execution_options(populate_existing=True) if lock else statement


@cache
def _children_statement():
    return (select(Payment).where(Payment.original_id == bindparam("payment_id")).order_by(Payment.id)
            .execution_options(populate_existing=True))


def payment_entry(patient, payment_id: int, lock: bool = False) -> Entry | None:
    """The patient's payment with the rows that point to it, as the database has them now; None when the
    patient has no such payment. ``lock``: the payment's row is locked until the transaction ends
    (``SELECT … FOR UPDATE`` on PostgreSQL), so what is checked stays true until the commit."""
    payment = db.session.scalars(_payment_statement(lock), {"payment_id": payment_id, "patient_id": patient.id,
                                                            "clinic_id": patient.clinic_id}).first()
    if payment is None:
        return None
    children = db.session.scalars(_children_statement(), {"payment_id": payment.id}).all()
    return Entry(payment, children=[Entry(c) for c in children])


def refusal(entry: Entry, doing: str) -> str | None:
    """Why the payment of ``entry`` cannot be ``doing`` ("corrected", "reversed" or "refunded") now, in the
    user's words; None when it can."""
    payment = entry.payment
    if payment.transaction not in LIVE:
        return f"A {payment.transaction.value.lower()} cannot be {doing}: only a payment or a correction can."
    reversal = entry.reversal
    if reversal is not None:
        again = "" if doing == "refunded" else " again"
        if entry.correction is not None:
            return (f"This payment was already corrected on {reversal.paid_on:%m/%d/%Y}: it cannot be {doing}{again}. "
                    "Correct, reverse or refund its correction instead.")
        return f"This payment was already reversed on {reversal.paid_on:%m/%d/%Y}: it cannot be {doing}{again}."
    if doing == "refunded" and not entry.can_refund:
        return "This payment was refunded in full: nothing is left to refund."
    if doing != "refunded" and entry.refunded:
        return f"This payment has a refund: it cannot be {doing}. Record a new transaction instead."
    return None


def _check(entry: Entry, doing: str) -> None:
    message = refusal(entry, doing)
    if message:
        raise PaymentRefused(message)


def reverse_payment(entry: Entry, day: date, memo: str, user) -> Payment:
    """Cancel a payment entered in error: a Reversal row (``-amount``). ``entry``: ``payment_entry(…, lock=True)``."""
    _check(entry, "reversed")
    return _reversal(entry.payment, day, memo, user)


def _reversal(original: Payment, day: date, memo: str, user) -> Payment:
    reversal = Payment(clinic_id=original.clinic_id, patient_id=original.patient_id, case_id=original.case_id,
                       note_id=original.note_id, transaction=TransactionType.REVERSAL, original_id=original.id,
                       kind=original.kind, method=original.method, amount=-original.amount, paid_on=day,
                       reference=original.reference, memo=memo or "", created_by_id=user.id)
    db.session.add(reversal)
    db.session.flush()
    return reversal


def correct_payment(entry: Entry, values: PaymentValues, day: date, user) -> tuple[Payment, Payment]:
    """Replace a payment's values: a Reversal of it and a Correction with ``values`` (one transaction, the
    caller commits). Refused when nothing would change."""
    _check(entry, "corrected")
    original = entry.payment
    new = _row_values(values)
    if PaymentValues.of(original) == PaymentValues(**new):
        raise PaymentRefused("Nothing changed: change at least one value to correct the payment.")
    reversal = _reversal(original, day, "Corrected", user)
    correction = Payment(clinic_id=original.clinic_id, patient_id=original.patient_id,
                         transaction=TransactionType.CORRECTION, original_id=original.id, created_by_id=user.id, **new)
    db.session.add(correction)
    db.session.flush()
    return reversal, correction


def refund_payment(entry: Entry, amount: Decimal, method: PaymentMethod, day: date, reference: str, memo: str,
                   user) -> Payment:
    """Give money of a payment back: a Refund row of ``-amount``, no more than the payment still holds."""
    _check(entry, "refunded")
    amount = _amount(amount)
    if amount > entry.refundable:
        raise PaymentRefused(f"A refund can be at most ${entry.refundable:,.2f}: the payment's amount less what "
                             "was already refunded.")
    original = entry.payment
    refund = Payment(clinic_id=original.clinic_id, patient_id=original.patient_id, case_id=original.case_id,
                     note_id=original.note_id, transaction=TransactionType.REFUND, original_id=original.id,
                     kind=original.kind, method=method, amount=-amount, paid_on=day, reference=reference or "",
                     memo=memo or "", created_by_id=user.id)
    db.session.add(refund)
    db.session.flush()
    return refund
