"""The audit trail: append-only records of who did what to which record, and when.

``record()`` is the one way to write it; views that read or change protected health information call
it (``record("patient.view", "patient", patient.id)``). The summary must never hold PHI: it names
what happened, the object is identified by type and id. The table refuses UPDATE and DELETE at the
database level (triggers created by the migration).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[Any] = mapped_column(JSON, nullable=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    # The classes are named, not imported: accounts and tenancy sit above the audit trail.
    actor: Mapped["User | None"] = relationship("User")  # noqa: F821  (named, not imported: its package sits above)
    clinic: Mapped["Clinic | None"] = relationship("Clinic")  # noqa: F821  (named, not imported: its package sits above)

    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)


def record(
    action: str,
    object_type: str,
    object_id: Any,
    *,
    clinic_id: int | None = None,
    actor=None,
    summary: str = "",
    changes: Any = None,
) -> AuditEvent:
    """Append one audit event to the session (committed with the caller's transaction).

    :param action: dotted verb, e.g. ``"patient.view"``, ``"user.update"``, ``"auth.login"``.
    :param object_type: the kind of record, e.g. ``"patient"``.
    :param object_id: the record's id.
    :param clinic_id: the clinic the record belongs to, when it has one.
    :param actor: who did it; defaults to the signed-in user.
    :param summary: short, PHI-free words for the reader of the trail.
    :param changes: JSON-able before/after values (no PHI beyond ids and settings).
    """
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        clinic_id=clinic_id,
        actor_id=getattr(actor, "id", None),
        summary=summary[:500],
        changes=changes,
        remote_addr=request.remote_addr if request else None,
    )
    db.session.add(event)
    return event
