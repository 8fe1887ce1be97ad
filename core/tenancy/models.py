"""Companies, their clinics, and which users may work in which clinic."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.web import format_zip


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
    # Plan of care alerts: each Medicare clock is a "warning" or a "hard stop" ({clock: choice}; see
    # core.notes.alerts.POC_ALERTS for the clocks and their defaults).
    poc_alerts: Mapped[dict] = mapped_column(JSON, default=dict)
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
    # IANA zone name (core.tenancy.time_zones.US_TIME_ZONES): times are shown, and "today" reckoned, in it.
    time_zone: Mapped[str] = mapped_column(String(40), default="America/New_York")
    company: Mapped[Company] = relationship(back_populates="clinics")

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {format_zip(self.postal_code)}"]
        return ", ".join(p for p in parts if p.strip(", "))


class ClinicAccess(db.Model):
    """A user's access to a clinic. Exactly one row per user is the default clinic."""

    __tablename__ = "clinic_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped["User"] = relationship(back_populates="clinic_access")  # noqa: F821  (named, not imported: its package sits above)
    clinic: Mapped[Clinic] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "clinic_id"),
        # At most one default per user (the app keeps it at exactly one).
        Index(
            "uq_clinic_access_one_default",
            "user_id",
            unique=True,
            sqlite_where=db.text("is_default"),
            postgresql_where=db.text("is_default"),
        ),
    )
