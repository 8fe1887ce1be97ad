"""Billing's tables: the company's fee schedule and custom codes, a note's charge lines, patient payments.

Money is ``Numeric(10, 2)`` read as ``Decimal``. Charge lines point to their note by table name only
(billing sits below notes): each line keeps the patient, date of service, discipline and whether it is billed,
so the year's Medicare therapy spend (KX) is one aggregate over this table. Payments are never changed: an
edit or a reversal is a new row that points to the original.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db, utcnow
from core.extensions import enum_column as _enum

MONEY = Numeric(10, 2)


class FeeScheduleEntry(db.Model):
    """The company's charge for one unit of a catalogue code from ``effective_from`` (to ``effective_to``)."""

    __tablename__ = "fee_schedule_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(5))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("company_id", "code", "effective_from"),
                      Index("ix_fee_schedule_company_code", "company_id", "code", "effective_from"))


class CustomCode(db.Model):
    """A company's own code (supplies, wellness programs, gym memberships, self-pay services)."""

    __tablename__ = "custom_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    comparative_code: Mapped[str] = mapped_column(String(5), default="")  # an optional CPT code it compares to
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (UniqueConstraint("company_id", "code"),)


class ChargeLine(db.Model):
    """One line of a note's Charge Summary as last computed and saved: what was documented (code, minutes,
    who furnished it, diagnosis pointers, chosen modifiers) and what follows (units, modifiers with their
    reasons, the derivation, the charge)."""

    __tablename__ = "charge_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    date_of_service: Mapped[date] = mapped_column(Date)
    discipline: Mapped[str] = mapped_column(String(5))
    medicare: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the note is finalized and goes to billing: the line counts in the year's spend and the ledger.
    billed: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(String(120), default="")
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    furnished_by: Mapped[str] = mapped_column(String(10), default="therapist")
    assistant_minutes: Mapped[int] = mapped_column(Integer, default=0)
    diagnosis_pointers: Mapped[list] = mapped_column(JSON, default=list)  # 1-based positions of the note's diagnoses
    units_entered: Mapped[int | None] = mapped_column(Integer)  # the clinician's own count (None: the computed one)
    ncci_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # Medicare: 59/X confirmed by the therapist
    chosen_modifiers: Mapped[list] = mapped_column(JSON, default=list)  # Additional Modifiers picked by the user
    units: Mapped[int] = mapped_column(Integer, default=0)
    modifiers: Mapped[list] = mapped_column(JSON, default=list)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    derivation: Mapped[str] = mapped_column(Text, default="")  # how the units came about, as shown on the note
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    charge: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    __table_args__ = (UniqueConstraint("note_id", "position"),
                      Index("ix_charge_line_spend", "patient_id", "billed", "date_of_service"))


class PaymentKind(str, enum.Enum):
    COPAY = "Copay"
    SUPPLY = "Supply payment"
    MISC_FEE = "Miscellaneous fee"
    OTHER = "Other patient payment"


class PaymentMethod(str, enum.Enum):
    CASH = "Cash"
    CHECK = "Check"
    CARD = "Credit or debit card"
    OTHER = "Other"


class TransactionType(str, enum.Enum):
    PAYMENT = "Payment"
    CORRECTION = "Correction"  # replaces the original's amount, date, type or reference
    REVERSAL = "Reversal"  # cancels the original (entered in error)
    REFUND = "Refund"  # money given back to the patient


class Payment(db.Model):
    """A patient transaction on the chart (and optionally on a visit). Corrections, reversals and refunds
    are new rows with ``original_id``; a row is never updated or deleted."""

    __tablename__ = "patient_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("patient_case.id", ondelete="SET NULL"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    transaction: Mapped[TransactionType] = mapped_column(_enum(TransactionType, 12), default=TransactionType.PAYMENT)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("patient_payment.id"))
    kind: Mapped[PaymentKind] = mapped_column(_enum(PaymentKind, 25))
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, 25))
    # Signed: what this row adds to the patient's payments (a reversal or refund is negative).
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(50), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    __table_args__ = (Index("ix_patient_payment_patient", "patient_id", "paid_on"),)
