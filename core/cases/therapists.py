"""Who may treat in a clinic: its active therapists (the case's assigned therapist, a note's co-signer or
supervising therapist)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from core.accounts import User, UserStatus, UserType
from core.extensions import db
from core.tenancy import ClinicAccess


def active_therapists(clinic) -> list[User]:
    """Active PT, OT and SLP profiles with access to ``clinic``: who may be assigned to a case."""
    therapist_types = [t for t in UserType if t.is_therapist]
    return list(db.session.scalars(
        select(User)
        .join(ClinicAccess, ClinicAccess.user_id == User.id)
        .where(ClinicAccess.clinic_id == clinic.id, User.status == UserStatus.ACTIVE, User.user_type.in_(therapist_types))
        .order_by(User.last_name, User.first_name, User.id)
        .options(lazyload(User.permissions), lazyload(User.clinic_access))
    ))
