"""Companies and clinics, and the one helper that scopes queries to what the signed-in user may see.

Every clinic belongs to a company; every clinical and billing row belongs to a clinic (a ``clinic_id``
column). Views ask ``current_clinic()`` for the clinic they act in, and load objects with
``get_in_clinic_or_404`` so that a user of clinic A asking for clinic B's object gets 404.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, g, session
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Company(db.Model):
    """An organisation under one tax identification number (TIN)."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tin: Mapped[str] = mapped_column(String(9), unique=True)
    # Company Settings.
    payer_rule: Mapped[str] = mapped_column(String(20), default="primary")
    additional_modifiers: Mapped[list] = mapped_column(JSON, default=list)
    initial_exam_case_copy: Mapped[bool] = mapped_column(default=False)
    clinics: Mapped[list["Clinic"]] = relationship(back_populates="company", order_by="Clinic.name")


class Clinic(db.Model):
    """A location of a company where patients are seen (the billing 'facility')."""

    __tablename__ = "clinic"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    npi: Mapped[str | None] = mapped_column(String(10))
    address_line1: Mapped[str] = mapped_column(String(55), default="")
    address_line2: Mapped[str] = mapped_column(String(55), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(9), default="")
    phone: Mapped[str] = mapped_column(String(10), default="")
    # The facility's number in the billing system (its "sequence number").
    alternate_id: Mapped[str] = mapped_column(String(50), default="")
    # Clinic Settings.
    assistant_finalization: Mapped[bool] = mapped_column(default=False)
    assistant_finalization_verbiage: Mapped[str] = mapped_column(String(500), default="")
    fee_schedule_region: Mapped[str | None] = mapped_column(String(60))
    fee_schedule_institutional: Mapped[bool] = mapped_column(default=False)
    place_of_service_enabled: Mapped[bool] = mapped_column(default=False)
    referral_required: Mapped[bool] = mapped_column(default=False)
    company: Mapped[Company] = relationship(back_populates="clinics")

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {self.postal_code}"]
        return ", ".join(p for p in parts if p.strip(", "))


def accessible_clinic_ids(user) -> set[int]:
    """The ids of the clinics ``user`` has access to (cached for the request)."""
    cache = g.setdefault("_accessible_clinics", {})
    if user.id not in cache:
        from .users import ClinicAccess

        cache[user.id] = set(
            db.session.scalars(select(ClinicAccess.clinic_id).where(ClinicAccess.user_id == user.id))
        )
    return cache[user.id]


def current_clinic() -> Clinic:
    """The clinic the signed-in user is working in (chosen at sign-in or with the clinic switcher).

    Falls back to the user's default clinic when the session names a clinic the user no longer has
    access to. Raises 403 for a user with no clinic at all.
    """
    if "_current_clinic" in g:
        return g._current_clinic
    clinic_ids = accessible_clinic_ids(current_user)
    clinic_id = session.get("clinic_id")
    if clinic_id not in clinic_ids:
        clinic_id = current_user.default_clinic_id
        session["clinic_id"] = clinic_id
    if clinic_id is None:
        abort(403)
    g._current_clinic = db.session.get(Clinic, clinic_id)
    return g._current_clinic


def in_current_clinic(model):
    """A ``select`` of ``model`` limited to rows of the current clinic: the scoping helper for lists."""
    return select(model).where(model.clinic_id == current_clinic().id)


def get_in_clinic_or_404(model, object_id):
    """Load one clinic-owned row by id, or answer 404 when it belongs to another clinic or none."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.clinic_id != current_clinic().id:
        abort(404)
    return obj


def get_in_company_or_404(model, object_id):
    """Load one company-owned row (insurances, referring physicians) by id, or answer 404 when it belongs
    to another company than the current clinic's."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.company_id != current_clinic().company_id:
        abort(404)
    return obj
