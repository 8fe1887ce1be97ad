"""Patients: demographics, addresses, phones, guarantor, account and sticky notes; patient search.

A patient belongs to one clinic. Search keys (lower-cased names) are stored beside the names so that a
prefix search is an index range scan on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db, utcnow
from core.extensions import enum_column as _enum
from core.web import format_phone, format_zip


class Sex(str, enum.Enum):
    FEMALE = "Female"
    MALE = "Male"
    UNKNOWN = "Unknown"


class AddressType(str, enum.Enum):
    HOME = "Home"
    WORK = "Work"
    OTHER = "Other"


class PhoneType(str, enum.Enum):
    HOME = "Home"
    MOBILE = "Mobile"
    WORK = "Work"
    OTHER = "Other"


def search_key(text: str | None) -> str:
    """Lower-case, accents removed: what name searches compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class Patient(db.Model):
    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    chart_number: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(60))
    middle_initial: Mapped[str] = mapped_column(String(1), default="")
    last_name: Mapped[str] = mapped_column(String(60))
    first_name_key: Mapped[str] = mapped_column(String(60), default="")
    last_name_key: Mapped[str] = mapped_column(String(60), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(_enum(Sex, 10))
    ssn: Mapped[str | None] = mapped_column(String(9))
    email: Mapped[str | None] = mapped_column(String(254))
    emergency_contact_name: Mapped[str] = mapped_column(String(120), default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(10), default="")
    # Guarantor / responsible party, when it is not the patient.
    guarantor_is_patient: Mapped[bool] = mapped_column(Boolean, default=True)
    guarantor_first_name: Mapped[str] = mapped_column(String(60), default="")
    guarantor_middle_initial: Mapped[str] = mapped_column(String(1), default="")
    guarantor_last_name: Mapped[str] = mapped_column(String(60), default="")
    guarantor_relationship: Mapped[str] = mapped_column(String(40), default="")
    guarantor_address_line1: Mapped[str] = mapped_column(String(55), default="")
    guarantor_address_line2: Mapped[str] = mapped_column(String(55), default="")
    guarantor_city: Mapped[str] = mapped_column(String(30), default="")
    guarantor_state: Mapped[str] = mapped_column(String(2), default="")
    guarantor_postal_code: Mapped[str] = mapped_column(String(9), default="")
    guarantor_phone: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    addresses: Mapped[list["PatientAddress"]] = relationship(
        cascade="all, delete-orphan", order_by="PatientAddress.id", back_populates="patient"
    )
    phones: Mapped[list["PatientPhone"]] = relationship(
        cascade="all, delete-orphan", order_by="PatientPhone.id", back_populates="patient"
    )

    __table_args__ = (
        UniqueConstraint("clinic_id", "chart_number"),
        Index("ix_patient_clinic_name", "clinic_id", "last_name_key", "first_name_key"),
        Index("ix_patient_clinic_first_name", "clinic_id", "first_name_key"),
        Index("ix_patient_clinic_dob", "clinic_id", "date_of_birth"),
    )

    @property
    def name(self) -> str:
        middle = f" {self.middle_initial}." if self.middle_initial else ""
        return f"{self.first_name}{middle} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}" + (f" {self.middle_initial}." if self.middle_initial else "")

    @property
    def primary_address(self) -> "PatientAddress | None":
        return next((a for a in self.addresses if a.is_primary), None)

    @property
    def primary_phone(self) -> "PatientPhone | None":
        return next((p for p in self.phones if p.is_primary), None)

    @property
    def masked_ssn(self) -> str:
        return f"***-**-{self.ssn[-4:]}" if self.ssn else ""

    def set_names(self, first: str, middle_initial: str, last: str) -> None:
        self.first_name, self.middle_initial, self.last_name = first, middle_initial, last
        self.first_name_key, self.last_name_key = search_key(first)[:60], search_key(last)[:60]


class PatientAddress(db.Model):
    __tablename__ = "patient_address"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    address_type: Mapped[AddressType] = mapped_column(_enum(AddressType, 10))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    line1: Mapped[str] = mapped_column(String(55))
    line2: Mapped[str] = mapped_column(String(55), default="")
    city: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(String(9))
    patient: Mapped[Patient] = relationship(back_populates="addresses")

    @property
    def zip_display(self) -> str:
        return format_zip(self.postal_code)


class PatientPhone(db.Model):
    __tablename__ = "patient_phone"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    phone_type: Mapped[PhoneType] = mapped_column(_enum(PhoneType, 10))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    number: Mapped[str] = mapped_column(String(10), index=True)
    patient: Mapped[Patient] = relationship(back_populates="phones")

    @property
    def display(self) -> str:
        return format_phone(self.number)


class AccountNote(db.Model):
    """A note on the patient's account; sticky notes show at the top of the chart."""

    __tablename__ = "account_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    body: Mapped[str] = mapped_column(Text)
    is_sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    author = relationship("User")


def patient_search(clinic_id: int, term: str):
    """A ``select`` of the clinic's patients matching ``term`` (see ``patient_search_statement``), with its
    values in it. Lists use ``patient_search_statement`` instead: its statements are built once."""
    statement, params = patient_search_statement(clinic_id, term)
    return statement.params(**params)


def patient_search_statement(clinic_id: int, term: str) -> tuple:
    """``(statement, params)``: the clinic's patients matching ``term``, a name ("last", "last, first" or
    "first last" prefixes), a date of birth (MM/DD/YYYY or YYYY-MM-DD), a phone number (7-10 digits), or
    a chart number. Every branch is an index range scan. The statement depends only on the term's kind
    (built once per kind, its values bound parameters), so a search costs no statement building."""
    term = (term or "").strip()[:100]
    params: dict = {"clinic_id": clinic_id}
    if not term:
        return _search_statement(None, False, False, _dialect()), params
    parsed = _parse_date(term)
    if parsed:
        params["dob"] = parsed
    number = "".join(c for c in term if c.isdigit())
    phone = bool(number and len(number) >= 7 and not parsed and all(c.isdigit() or c in " ()-.+" for c in term))
    if phone:
        number = number[1:] if len(number) == 11 and number.startswith("1") else number
        _prefix_params(params, "phone", number)
    params["chart"] = term
    if "," in term:
        last, _, first = (part.strip() for part in term.partition(","))
        if first:
            kind, params["last"] = "last, first", search_key(last)
            _prefix_params(params, "first", search_key(first))
        else:
            kind = "last,"
            _prefix_params(params, "last", search_key(last))
    elif " " in term:
        first, _, last = term.partition(" ")
        kind = "first last"
        _prefix_params(params, "first", search_key(first))
        _prefix_params(params, "last", search_key(last.strip()))
        _prefix_params(params, "whole", search_key(term))
    elif not number:
        kind = "name"
        _prefix_params(params, "name", search_key(term))
    else:
        kind = "number"
    return _search_statement(kind, bool(parsed), phone, _dialect()), params


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _prefix_params(params: dict, name: str, prefix: str) -> None:
    """Values of a prefix condition written as a range, so that a b-tree index serves it."""
    params[f"{name}_lo"], params[f"{name}_hi"] = prefix, prefix + "\U0010ffff"


def _in_range(column, name: str):
    return and_(column >= bindparam(f"{name}_lo"), column < bindparam(f"{name}_hi"))


@cache
def _search_statement(kind: str | None, dob: bool, phone: bool, dialect: str):
    """The search statement of one kind of term (built once per kind and database)."""
    query = select(Patient).where(Patient.clinic_id == bindparam("clinic_id"))
    order = (Patient.last_name_key, Patient.first_name_key, Patient.id)
    if kind is None:
        return query.order_by(*order)
    conditions = []
    if dob:
        conditions.append(Patient.date_of_birth == bindparam("dob"))
    if phone:
        phone_owners = select(PatientPhone.patient_id).where(_in_range(PatientPhone.number, "phone"))
        if dialect == "postgresql":
            # Inside an OR, PostgreSQL runs `id IN (subquery)` as a filter over every patient of the clinic;
            # `id = ANY(ARRAY(subquery))` is an index condition it combines with the other branches.
            conditions.append(Patient.id == any_(func.array(phone_owners.scalar_subquery())))
        else:
            conditions.append(Patient.id.in_(phone_owners))
    conditions.append(Patient.chart_number == bindparam("chart"))
    if kind == "last, first":
        conditions.append(and_(Patient.last_name_key == bindparam("last"), _in_range(Patient.first_name_key, "first")))
    elif kind == "last,":
        conditions.append(_in_range(Patient.last_name_key, "last"))
    elif kind == "first last":
        conditions.append(and_(_in_range(Patient.first_name_key, "first"), _in_range(Patient.last_name_key, "last")))
        conditions.append(_in_range(Patient.last_name_key, "whole"))
    elif kind == "name":
        conditions.append(or_(_in_range(Patient.last_name_key, "name"), _in_range(Patient.first_name_key, "name")))
    return query.where(or_(*conditions)).order_by(*order)


def _parse_date(term: str) -> date | None:
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"):
        try:
            return datetime.strptime(term, fmt).date()
        except ValueError:
            continue
    return None
