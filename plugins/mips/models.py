"""MIPS's own table: which therapists take part in MIPS individually, per clinic."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Boolean, ForeignKey, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import db, utcnow


class MipsParticipant(db.Model):
    """Whether therapist ``user_id`` reports MIPS individually in clinic ``clinic_id``.

    No row means "not participating". Only meaningful while the clinic reports individually.
    """

    __tablename__ = "mips_participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    participating: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("clinic_id", "user_id"),)


@cache
def _participation_by_user_statement():
    """Built once: a page's users are an expanding parameter."""
    return select(MipsParticipant.user_id, MipsParticipant.participating).where(
        MipsParticipant.clinic_id == bindparam("clinic_id"), MipsParticipant.user_id.in_(bindparam("user_ids", expanding=True)))


def participation_by_user(clinic_id: int, user_ids: list[int]) -> dict[int, bool]:
    """``{user id: participating}`` for the given users in one clinic, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(_participation_by_user_statement(), {"clinic_id": clinic_id, "user_ids": list(user_ids)})
    return {user_id: participating for user_id, participating in rows}


def write_participation(clinic_id: int, user_id: int, participating: bool, changed_by_id: int | None) -> bool:
    """Set one therapist's participation and return the previous value (nothing is written when it
    does not change). The caller commits."""
    row = db.session.scalar(
        select(MipsParticipant).where(MipsParticipant.clinic_id == clinic_id, MipsParticipant.user_id == user_id)
    )
    before = bool(row and row.participating)
    if before == participating:
        return before
    if row is None:
        row = MipsParticipant(clinic_id=clinic_id, user_id=user_id)
        db.session.add(row)
    row.participating = participating
    row.changed_at = utcnow()
    row.changed_by_id = changed_by_id
    return before
