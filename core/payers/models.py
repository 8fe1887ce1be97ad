"""Insurances (payers) and referring physicians, kept per company."""
from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.extensions import enum_column as _enum


class InsuranceType(str, enum.Enum):
    MEDICARE = "Medicare"
    MEDICAID = "Medicaid"
    COMMERCIAL = "Commercial"
    WORKERS_COMP = "Workers' Comp"
    AUTO = "Auto"
    SELF_PAY = "Self Pay"
    MEDICARE_DME = "Medicare DME"

    @property
    def is_medicare(self) -> bool:
        return self in (InsuranceType.MEDICARE, InsuranceType.MEDICARE_DME)


class UnitCalculation(str, enum.Enum):
    EIGHT_MINUTE_RULE = "8-Minute Rule"
    RULE_OF_EIGHTS = "Rule of 8s"


class Insurance(db.Model):
    __tablename__ = "insurance"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    name: Mapped[str] = mapped_column(String(100))
    insurance_type: Mapped[InsuranceType] = mapped_column(_enum(InsuranceType, 20))
    payer_id: Mapped[str] = mapped_column(String(20), default="")
    alternate_id: Mapped[str] = mapped_column(String(50), default="")
    unit_calculation: Mapped[UnitCalculation] = mapped_column(_enum(UnitCalculation, 20))
    authorization_required: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled_modifiers: Mapped[list] = mapped_column(JSON, default=list)
    # Overrides the clinic's Assistant Note Finalization setting for patients with this insurance.
    allow_assistant_finalize: Mapped[bool] = mapped_column(Boolean, default=False)
    # Settings plugins contribute (caseload_insurance_settings_fields): {plugin: {key: value}}.
    plugin_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (Index("ix_insurance_company_name", "company_id", "name"),)


class ReferringPhysician(db.Model):
    __tablename__ = "referring_physician"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    credentials: Mapped[str] = mapped_column(String(20), default="")
    npi: Mapped[str] = mapped_column(String(10))
    address_line1: Mapped[str] = mapped_column(String(55), default="")
    address_line2: Mapped[str] = mapped_column(String(55), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(9), default="")
    phone: Mapped[str] = mapped_column(String(10), default="")
    # Plans of care and progress reports go to the physician by fax.
    fax: Mapped[str] = mapped_column(String(10), default="")
    alternate_id: Mapped[str] = mapped_column(String(50), default="")
    __table_args__ = (UniqueConstraint("company_id", "npi"), Index("ix_referring_physician_name", "company_id", "last_name"))

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" + (f", {self.credentials}" if self.credentials else "")
