"""Cases (episodes of care): therapist, referral, injury, related cause, insurance policies and
authorizations."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts import User
from core.extensions import db, utcnow
from core.extensions import enum_column as _enum
from core.patients import Patient
from core.payers import Insurance, ReferringPhysician


class Discipline(str, enum.Enum):
    PT = "PT"
    OT = "OT"
    SLP = "SLP"


class RelatedCause(str, enum.Enum):
    """The four related causes that map to the billing system (WebPT "Related Cause")."""

    AUTO_AT_FAULT = "Auto Accident (At Fault)"
    AUTO_NO_FAULT = "Auto Accident (No Fault)"
    EMPLOYMENT = "Employment Injury"
    OTHER_ACCIDENT = "Other Accident"
    NONE = "None of the Above"

    @property
    def is_auto(self) -> bool:
        return self in (RelatedCause.AUTO_AT_FAULT, RelatedCause.AUTO_NO_FAULT)

    @property
    def needs_accident_date(self) -> bool:
        return self.is_auto or self is RelatedCause.OTHER_ACCIDENT


class CaseStatus(str, enum.Enum):
    ACTIVE = "active"
    DISCHARGED = "discharged"


class PolicyRank(str, enum.Enum):
    PRIMARY = "Primary"
    SECONDARY = "Secondary"


class InsuredRelationship(str, enum.Enum):
    SELF = "Self"
    SPOUSE = "Spouse"
    CHILD = "Child"
    OTHER = "Other"


# CMS place of service codes offered when the clinic allows service outside the clinic.
PLACES_OF_SERVICE = (
    ("11", "11 Office"),
    ("12", "12 Home"),
    ("02", "02 Telehealth (not in patient's home)"),
    ("10", "10 Telehealth in patient's home"),
    ("22", "22 On campus outpatient hospital"),
    ("31", "31 Skilled nursing facility"),
    ("32", "32 Nursing facility"),
    ("99", "99 Other place of service"),
)


class Case(db.Model):
    __tablename__ = "patient_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    discipline: Mapped[Discipline] = mapped_column(_enum(Discipline, 5))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    referring_physician_id: Mapped[int | None] = mapped_column(ForeignKey("referring_physician.id"))
    referral_date: Mapped[date | None] = mapped_column(Date)
    onset_date: Mapped[date | None] = mapped_column(Date)
    related_cause: Mapped[RelatedCause] = mapped_column(_enum(RelatedCause, 30), default=RelatedCause.NONE)
    accident_date: Mapped[date | None] = mapped_column(Date)
    accident_state: Mapped[str] = mapped_column(String(2), default="")
    place_of_service: Mapped[str] = mapped_column(String(2), default="11")
    apply_kx_modifier: Mapped[bool] = mapped_column(Boolean, default=False)
    # Medicare therapy spend elsewhere this calendar year (another clinic, home health...), counted toward KX.
    medicare_threshold_used: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    medicare_threshold_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, 12), default=CaseStatus.ACTIVE)
    # Set on the new case when insurance changed mid-treatment.
    continues_case_id: Mapped[int | None] = mapped_column(ForeignKey("patient_case.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the case's first note is finalized: from then on its policies are locked (Change Insurance).
    has_finalized_notes: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship()
    therapist: Mapped[User] = relationship()
    referring_physician: Mapped[ReferringPhysician | None] = relationship()
    policies: Mapped[list["CasePolicy"]] = relationship(
        cascade="all, delete-orphan", order_by="CasePolicy.rank", back_populates="case"
    )
    authorizations: Mapped[list["Authorization"]] = relationship(
        cascade="all, delete-orphan", order_by="Authorization.start_date", back_populates="case"
    )
    __table_args__ = (Index("ix_patient_case_clinic_status", "clinic_id", "status"),)

    def policy(self, rank: PolicyRank) -> "CasePolicy | None":
        return next((p for p in self.policies if p.rank is rank), None)


class CasePolicy(db.Model):
    """An insurance policy on a case (primary or secondary), with the subscriber's details."""

    __tablename__ = "case_policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    rank: Mapped[PolicyRank] = mapped_column(_enum(PolicyRank, 10))
    insurance_id: Mapped[int] = mapped_column(ForeignKey("insurance.id"), index=True)
    subscriber_id: Mapped[str] = mapped_column(String(50))
    group_number: Mapped[str] = mapped_column(String(50), default="")
    claim_number: Mapped[str] = mapped_column(String(50), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    insured_relationship: Mapped[InsuredRelationship] = mapped_column(_enum(InsuredRelationship, 10))
    # The subscriber (insured), when not the patient.
    subscriber_first_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_middle_initial: Mapped[str] = mapped_column(String(1), default="")
    subscriber_last_name: Mapped[str] = mapped_column(String(60), default="")
    subscriber_date_of_birth: Mapped[date | None] = mapped_column(Date)
    subscriber_address_line1: Mapped[str] = mapped_column(String(55), default="")
    subscriber_city: Mapped[str] = mapped_column(String(30), default="")
    subscriber_state: Mapped[str] = mapped_column(String(2), default="")
    subscriber_postal_code: Mapped[str] = mapped_column(String(9), default="")
    subscriber_phone: Mapped[str] = mapped_column(String(10), default="")
    # Workers' Comp employer, when the insured is not the patient.
    employer_name: Mapped[str] = mapped_column(String(100), default="")
    employer_address_line1: Mapped[str] = mapped_column(String(55), default="")
    employer_city: Mapped[str] = mapped_column(String(30), default="")
    employer_state: Mapped[str] = mapped_column(String(2), default="")
    employer_postal_code: Mapped[str] = mapped_column(String(9), default="")
    employer_phone: Mapped[str] = mapped_column(String(10), default="")

    case: Mapped[Case] = relationship(back_populates="policies")
    insurance: Mapped[Insurance] = relationship()
    __table_args__ = (UniqueConstraint("case_id", "rank"),)


class Authorization(db.Model):
    __tablename__ = "authorization"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(50))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    visits_authorized: Mapped[int] = mapped_column(Integer)
    # Visits counted against it; finalized notes will increment this.
    visits_used: Mapped[int] = mapped_column(Integer, default=0)
    case: Mapped[Case] = relationship(back_populates="authorizations")

    @property
    def visits_remaining(self) -> int:
        return max(0, self.visits_authorized - self.visits_used)
