"""User licenses per clinic and license category, and license adjustment requests.

A clinic holds, per category, a number of licenses or "unlimited" (``seats`` NULL). Clericals are not
charged and never limited. Used = active users of the category whose default clinic is the clinic;
Available = seats − Used. Creating an active user, activating one, or moving a user's default clinic
needs an Available license in the (new) default clinic: ``claim_license`` checks it while holding a
write lock on the clinic's license row, so two admins taking the last license at once cannot both win.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, cast, func, literal, select, union_all, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import LicenseCategory, User, UserStatus, UserType
from core.extensions import db, utcnow
from core.tenancy import Clinic, ClinicAccess

_category_enum = db.Enum(
    LicenseCategory, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
)


class ClinicLicense(db.Model):
    __tablename__ = "clinic_license"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    category: Mapped[LicenseCategory] = mapped_column(_category_enum)
    seats: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    __table_args__ = (UniqueConstraint("clinic_id", "category"),)


class RequestStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class LicenseAdjustmentRequest(db.Model):
    """"Request License Adjustment": asked for by a user manager, decided by a company admin."""

    __tablename__ = "license_adjustment_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"), index=True)
    category: Mapped[LicenseCategory] = mapped_column(_category_enum)
    requested_seats: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[RequestStatus] = mapped_column(
        db.Enum(RequestStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=RequestStatus.PENDING,
        index=True,
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    clinic: Mapped[Clinic] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


CHARGED = (LicenseCategory.THERAPIST, LicenseCategory.ASSISTANT, LicenseCategory.STUDENT)


class LicenseUnavailable(Exception):
    """No Available license of the category in the clinic; the message names what is missing."""


@dataclass
class LicenseCount:
    category: LicenseCategory
    seats: int | None  # None: unlimited
    used: int

    @property
    def unlimited(self) -> bool:
        return self.seats is None

    @property
    def available(self) -> int | None:
        return None if self.seats is None else self.seats - self.used


def _types_of(category: LicenseCategory) -> list[UserType]:
    return [t for t in UserType if t.license_category is category]


def _used_query(clinic_id: int, category: LicenseCategory):
    return (
        select(func.count(User.id))
        .join(ClinicAccess, ClinicAccess.user_id == User.id)
        .where(
            ClinicAccess.clinic_id == clinic_id,
            ClinicAccess.is_default.is_(True),
            User.status == UserStatus.ACTIVE,
            User.user_type.in_(_types_of(category)),
        )
    )


def license_counts(clinic_id: int) -> list[LicenseCount]:
    """Used and Available per category for one clinic: one statement (the seats and the active users with
    the clinic as default, counted by type), whatever the number of users."""
    seats_rows = select(literal("seats"), cast(ClinicLicense.category, String), ClinicLicense.seats).where(
        ClinicLicense.clinic_id == clinic_id)
    used_rows = (
        select(literal("used"), cast(User.user_type, String), func.count(User.id))
        .join(ClinicAccess, ClinicAccess.user_id == User.id)
        .where(ClinicAccess.clinic_id == clinic_id, ClinicAccess.is_default.is_(True), User.status == UserStatus.ACTIVE)
        .group_by(User.user_type)
    )
    seats, used_by_type = {}, {}
    for kind, name, number in db.session.execute(union_all(seats_rows, used_rows)):
        if kind == "seats":
            seats[LicenseCategory(name)] = number
        else:
            used_by_type[UserType(name)] = number
    counts = []
    for category in LicenseCategory:
        used = sum(used_by_type.get(t, 0) for t in _types_of(category))
        limit = None if category is LicenseCategory.CLERICAL else seats.get(category, 0)
        counts.append(LicenseCount(category, limit, used))
    return counts


def claim_license(clinic_id: int, user_type: UserType, clinic_name: str = "") -> None:
    """Check, under a write lock, that ``clinic_id`` has an Available license for ``user_type``.

    Call it in the same transaction that then makes the user active (or moves their default clinic),
    before the change is flushed. Raises :class:`LicenseUnavailable` otherwise.
    """
    category = user_type.license_category
    if category is LicenseCategory.CLERICAL:
        return
    with db.session.no_autoflush:
        _claim(clinic_id, category, clinic_name)


def _claim(clinic_id: int, category: LicenseCategory, clinic_name: str) -> None:
    # A no-op UPDATE takes the row's write lock on PostgreSQL and the database write lock on SQLite,
    # so the count below cannot be raced by another transaction claiming the same license.
    locked = db.session.execute(
        update(ClinicLicense)
        .where(ClinicLicense.clinic_id == clinic_id, ClinicLicense.category == category)
        .values(seats=ClinicLicense.seats)
        .execution_options(synchronize_session=False)
    ).rowcount
    seats = db.session.scalar(
        select(ClinicLicense.seats).where(ClinicLicense.clinic_id == clinic_id, ClinicLicense.category == category)
    ) if locked else 0
    if seats is None:
        return
    used = db.session.scalar(_used_query(clinic_id, category))
    if used >= seats:
        where = f" in {clinic_name}" if clinic_name else ""
        raise LicenseUnavailable(
            f"No {category.value[:-1].lower()} license is available{where} ({used} of {seats} used). "
            "Request a License Adjustment, or inactivate a user of that license type."
        )


def set_seats(clinic_id: int, category: LicenseCategory, seats: int | None) -> int | None:
    """Set a clinic's license count for a category; return the previous count. The caller commits."""
    row = db.session.scalar(
        select(ClinicLicense).where(ClinicLicense.clinic_id == clinic_id, ClinicLicense.category == category)
    )
    if row is None:
        row = ClinicLicense(clinic_id=clinic_id, category=category, seats=0)
        db.session.add(row)
    before = row.seats
    row.seats = seats
    return before
