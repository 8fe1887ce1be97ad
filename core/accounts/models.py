"""Users, their user types and license categories, permissions, and their access to clinics."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db, utcnow
from core.tenancy import ClinicAccess
from core.web.permissions import Permission


class LicenseCategory(str, enum.Enum):
    THERAPIST = "Therapists"
    ASSISTANT = "Assistants"
    CLERICAL = "Clericals"
    STUDENT = "Students"


class UserType(str, enum.Enum):
    """WebPT's user types. A profile's type never changes (create a new profile instead)."""

    PT = "PT"
    OT = "OT"
    SLP = "SLP"
    PTA = "PTA"
    COTA = "COTA"
    SLPA = "SLPA"
    CLERICAL = "Clerical"
    BILLER = "Biller"
    SPT = "SPT"
    SOT = "SOT"
    SSLP = "SSLP"

    @property
    def license_category(self) -> LicenseCategory:
        return _CATEGORY[self]

    @property
    def is_therapist(self) -> bool:
        return self.license_category is LicenseCategory.THERAPIST


_CATEGORY = {
    **{t: LicenseCategory.THERAPIST for t in (UserType.PT, UserType.OT, UserType.SLP)},
    **{t: LicenseCategory.ASSISTANT for t in (UserType.PTA, UserType.COTA, UserType.SLPA)},
    **{t: LicenseCategory.CLERICAL for t in (UserType.CLERICAL, UserType.BILLER)},
    **{t: LicenseCategory.STUDENT for t in (UserType.SPT, UserType.SOT, UserType.SSLP)},
}


class UserStatus(str, enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"


EVERY_PERMISSION = frozenset(Permission)
"""What the Admin checkbox grants."""


class User(UserMixin, db.Model):
    """A login profile. One profile per user type: a PT who is also an OT has two profiles."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    user_type: Mapped[UserType] = mapped_column(
        db.Enum(UserType, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    status: Mapped[UserStatus] = mapped_column(
        db.Enum(UserStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=UserStatus.ACTIVE,
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Rotated when the password changes or the account is inactivated: old sessions stop working.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Provider identifiers (therapists): the billing feed sends both.
    npi: Mapped[str | None] = mapped_column(String(10))
    alternate_id: Mapped[str | None] = mapped_column(String(50))
    # When the profile was replaced by a profile of another type (Change User Type).
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def is_therapist(self) -> bool:
        return self.user_type.is_therapist

    # Loaded only where they are used (User Manager's forms): a list of users, or a note's author, never
    # needs them. The signed-in user's permissions and clinics come with the user loader's one statement
    # (``core.accounts.sign_in.load_user``) and are kept in ``_permission_values``.
    permissions: Mapped[list["UserPermission"]] = relationship(cascade="all, delete-orphan", lazy="select")
    clinic_access: Mapped[list["ClinicAccess"]] = relationship(
        cascade="all, delete-orphan", back_populates="user", lazy="select"
    )

    __table_args__ = (Index("ix_user_account_name", "last_name", "first_name"),)

    # -- Flask-Login ---------------------------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    # -- helpers -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def permission_set(self) -> set[Permission]:
        if self.is_admin:
            return EVERY_PERMISSION
        preloaded = self.__dict__.get("_permission_values")
        if preloaded is not None and "permissions" not in self.__dict__:
            return preloaded
        return {p.permission for p in self.permissions}

    def preload_access(self, permissions: set[Permission], access: list[tuple[int, bool]]) -> None:
        """Keep the permissions and clinic access read with the user (one statement per request) for
        ``permission_set`` and ``default_clinic_id``; the relationships, once loaded or changed, win."""
        self.__dict__["_permission_values"] = permissions
        self.__dict__["_access_values"] = access

    def can(self, permission: Permission) -> bool:
        return permission in self.permission_set

    @property
    def default_clinic_id(self) -> int | None:
        preloaded = self.__dict__.get("_access_values")
        if preloaded is not None and "clinic_access" not in self.__dict__:
            return next((clinic_id for clinic_id, is_default in preloaded if is_default), None)
        for access in self.clinic_access:
            if access.is_default:
                return access.clinic_id
        return None

    @property
    def clinic_ids(self) -> set[int]:
        """The clinics this user may work in."""
        preloaded = self.__dict__.get("_access_values")
        if preloaded is not None and "clinic_access" not in self.__dict__:
            return {clinic_id for clinic_id, _ in preloaded}
        return {access.clinic_id for access in self.clinic_access}

    def set_permissions(self, permissions) -> None:
        wanted = set(permissions)
        self.permissions = [p for p in self.permissions if p.permission in wanted] + [
            UserPermission(permission=p) for p in wanted - {p.permission for p in self.permissions}
        ]


class UserPermission(db.Model):
    __tablename__ = "user_permission"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    permission: Mapped[Permission] = mapped_column(
        db.Enum(Permission, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    __table_args__ = (UniqueConstraint("user_id", "permission"),)


LIMITED_PERMISSIONS = frozenset(
    {
        Permission.CALENDAR_ADMIN,
        Permission.CLINIC_ADMIN,
        Permission.COMPANY_ADMIN,
        Permission.BILLING_REPORT_ADMIN,
        Permission.INSURANCE_ADMIN,
    }
)
"""Permissions WebPT advises to limit to a few people; the user form marks them."""

PERMISSION_HELP = {
    Permission.VIEW_PATIENTS: "View-only access to the Patient Manager.",
    Permission.EDIT_PATIENTS: "Add Patient and Quick Add Patient; edit patient profiles.",
    Permission.EDIT_PATIENT_TRANSACTIONS: "Edit patient payments, refunds and reversals.",
    Permission.VIEW_USERS: "See the User Manager, create user profiles, request license adjustments.",
    Permission.EDIT_USERS: "Update existing user profiles; activate and inactivate them.",
    Permission.START_NOTES: "Add documentation to a patient's chart.",
    Permission.FORWARD_NOTES: "Forward notes to other users for co-signature.",
    Permission.FINISH_NOTES: "Finalize patient documentation.",
    Permission.CALENDAR_ADMIN: "Change the clinic calendar setup for all users.",
    Permission.CLINIC_ADMIN: "Clinic-wide settings: Medicare Fee Schedule, place of service, features.",
    Permission.COMPANY_ADMIN: "Company-wide settings: modifiers, payer rules; approve license requests.",
    Permission.BILLING_REPORT_ADMIN: "Patient billing information and billing reports.",
    Permission.INSURANCE_ADMIN: "Add and edit insurance settings.",
    Permission.ANALYTICS_ACCESS: "Analytics reports (recommended for everyone).",
}

_PATIENT = {Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS, Permission.EDIT_PATIENT_TRANSACTIONS}
_NOTES = {Permission.START_NOTES, Permission.FORWARD_NOTES, Permission.FINISH_NOTES}


def default_permissions(user_type: UserType) -> set[Permission]:
    """Sensible starting permissions for a new profile of ``user_type``."""
    category = user_type.license_category
    base = _PATIENT | {Permission.ANALYTICS_ACCESS}
    if category is LicenseCategory.THERAPIST:
        return base | _NOTES
    if category is LicenseCategory.ASSISTANT:
        return base | {Permission.START_NOTES, Permission.FORWARD_NOTES}
    if category is LicenseCategory.STUDENT:
        return base | {Permission.START_NOTES, Permission.FORWARD_NOTES}  # a student's note is always forwarded
    return base


FINISH_ATTESTATION_TEXT = (
    "I attest that this assistant may finalize notes: the payers and the clinic's Assistant Note "
    "Finalization setting allow it, and state law permits it. I understand that notes finalized by an "
    "assistant for payers that do not allow it may be denied."
)


class PermissionAttestation(db.Model):
    """The attestation a user manager completed to grant Finish SOAP Notes to an assistant."""

    __tablename__ = "permission_attestation"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    permission: Mapped[Permission] = mapped_column(
        db.Enum(Permission, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    text: Mapped[str] = mapped_column(String(1000))
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    attested_at: Mapped[datetime] = mapped_column(default=utcnow)
    attested_by: Mapped["User | None"] = relationship(foreign_keys=[attested_by_id])
    user: Mapped["User"] = relationship(foreign_keys=[user_id])


def clinic_user_or_404(clinic, user_id: int) -> "User":
    """The user ``user_id`` if they have access to ``clinic``; otherwise answer 404 (other clinics'
    users, like unknown ids, do not exist for this clinic)."""
    from flask import abort

    user = db.session.scalar(
        select(User)
        .join(ClinicAccess, ClinicAccess.user_id == User.id)
        .where(User.id == user_id, ClinicAccess.clinic_id == clinic.id)
    )
    if user is None:
        abort(404)
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()
