"""Who may act on whom: the rule every route that changes a user applies.

A user manager may edit, activate, inactivate, change the type of, change the Admin checkbox of, or set
the password of only users whose permissions are a subset of their own. An Admin (who holds every
permission) may act on anyone, except that the last active Admin of a company can be neither
inactivated nor demoted (removed Admin, or Change User Type), so a company always keeps one.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from core.accounts.models import User, UserStatus
from core.extensions import db
from core.tenancy import Clinic, ClinicAccess

OUTRANKED = "You cannot change {name}: they hold permissions you do not hold."
LAST_ADMIN = "{name} is the company's last active Admin: make another user an Admin first."


def may_act_on(actor: User, target: User) -> bool:
    """Whether ``actor`` may change ``target`` at all (their permissions include all of the target's)."""
    if actor.is_admin or actor.id == target.id:
        return True
    if target.is_admin:
        return False
    return target.permission_set <= actor.permission_set


def require_authority_over(actor: User, target: User) -> None:
    """Answer 403 unless ``actor`` may act on ``target``."""
    if not may_act_on(actor, target):
        abort(403, description=OUTRANKED.format(name=target.name))


def is_last_active_admin(target: User) -> bool:
    """Whether ``target`` is an active Admin and no other active Admin has access to a clinic of the
    same company (one query)."""
    if not (target.is_admin and target.status is UserStatus.ACTIVE):
        return False
    company_ids = select(Clinic.company_id).join(ClinicAccess, ClinicAccess.clinic_id == Clinic.id).where(
        ClinicAccess.user_id == target.id)
    others = db.session.scalar(
        select(func.count(func.distinct(User.id)))
        .join(ClinicAccess, ClinicAccess.user_id == User.id)
        .join(Clinic, Clinic.id == ClinicAccess.clinic_id)
        .where(Clinic.company_id.in_(company_ids), User.id != target.id, User.is_admin.is_(True),
               User.status == UserStatus.ACTIVE)
    )
    return not others
