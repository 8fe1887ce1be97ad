"""Virtual Visits' own table: which users may hold virtual (telehealth) visits, per clinic."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Boolean, ForeignKey, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import db, utcnow


class VirtualVisitsUser(db.Model):
    """Whether user ``user_id`` may hold virtual visits in clinic ``clinic_id``. No row means disabled."""

    __tablename__ = "virtual_visits_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("clinic_id", "user_id"),)


@cache
def _enabled_by_user_statement():
    """Built once: a page's users are an expanding parameter."""
    return select(VirtualVisitsUser.user_id, VirtualVisitsUser.enabled).where(
        VirtualVisitsUser.clinic_id == bindparam("clinic_id"), VirtualVisitsUser.user_id.in_(bindparam("user_ids", expanding=True)))


def enabled_by_user(clinic_id: int, user_ids: list[int]) -> dict[int, bool]:
    """``{user id: enabled}`` for the given users in one clinic, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(_enabled_by_user_statement(), {"clinic_id": clinic_id, "user_ids": list(user_ids)})
    return {user_id: enabled for user_id, enabled in rows}


def write_enabled(clinic_id: int, user_id: int, enabled: bool, changed_by_id: int | None) -> bool:
    """Enable or disable one user's virtual visits and return the previous value (nothing is written
    when it does not change). The caller commits."""
    row = db.session.scalar(
        select(VirtualVisitsUser).where(VirtualVisitsUser.clinic_id == clinic_id, VirtualVisitsUser.user_id == user_id)
    )
    before = bool(row and row.enabled)
    if before == enabled:
        return before
    if row is None:
        row = VirtualVisitsUser(clinic_id=clinic_id, user_id=user_id)
        db.session.add(row)
    row.enabled = enabled
    row.changed_at = utcnow()
    row.changed_by_id = changed_by_id
    return before
