"""The audit trail: append-only records of who did what to which record, and when.

``record()`` is the one way to write it; views that read or change protected health information call
it (``record("patient.view", "patient", patient.id)``). The summary must never hold PHI: it names
what happened, the object is identified by type and id. The table refuses UPDATE and DELETE at the
database level (triggers created by the migration).
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required
from sqlalchemy import JSON, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .htmx import render
from .pagination import paginate
from .tenancy import Clinic, accessible_clinic_ids, utcnow
from .users import Permission, User


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
    actor: Mapped[User | None] = relationship()
    clinic: Mapped[Clinic | None] = relationship()

    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)


def record(
    action: str,
    object_type: str,
    object_id: Any,
    *,
    clinic_id: int | None = None,
    actor: User | None = None,
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


bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _may_read_audit(user) -> bool:
    return user.is_admin or user.can(Permission.COMPANY_ADMIN) or user.can(Permission.CLINIC_ADMIN)


def _filtered_query():
    clinic_ids = accessible_clinic_ids(current_user)
    query = select(AuditEvent).where(AuditEvent.clinic_id.in_(clinic_ids))
    args = request.args
    errors: dict[str, str] = {}
    if args.get("action"):
        query = query.where(AuditEvent.action.startswith(args["action"].strip()[:64]))
    if args.get("object_type"):
        query = query.where(AuditEvent.object_type == args["object_type"].strip()[:64])
    if args.get("object_id"):
        query = query.where(AuditEvent.object_id == args["object_id"].strip()[:64])
    if args.get("actor"):
        term = args["actor"].strip().lower()[:100]
        actor_ids = select(User.id).where(
            func.lower(User.email).contains(term, autoescape=True) | func.lower(User.last_name).contains(term, autoescape=True)
        )
        query = query.where(AuditEvent.actor_id.in_(actor_ids))
    for name, op in (("since", "ge"), ("until", "lt")):
        if args.get(name):
            try:
                day = datetime.strptime(args[name], "%Y-%m-%d")
            except ValueError:
                errors[name] = "Enter a date as YYYY-MM-DD."
                continue
            query = query.where(
                AuditEvent.occurred_at >= day if op == "ge" else AuditEvent.occurred_at < day + timedelta(days=1)
            )
    return query.order_by(AuditEvent.id.desc()), errors


@bp.get("/")
@login_required
def index():
    if not _may_read_audit(current_user):
        abort(403)
    query, errors = _filtered_query()
    page = paginate(query, options=(db.selectinload(AuditEvent.actor), db.selectinload(AuditEvent.clinic)))
    return render("audit/index.html", "audit/_rows.html", page=page, errors=errors, args=request.args)


@bp.get("/export.csv")
@login_required
def export_csv():
    if not _may_read_audit(current_user):
        abort(403)
    query, errors = _filtered_query()
    if errors:
        abort(400)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["When (UTC)", "Who", "Clinic", "Action", "Record type", "Record id", "Summary"])
    for event in db.session.scalars(query.limit(50_000).options(db.selectinload(AuditEvent.actor), db.selectinload(AuditEvent.clinic))):
        writer.writerow([
            event.occurred_at.isoformat(timespec="seconds"),
            event.actor.email if event.actor else "",
            event.clinic.name if event.clinic else "",
            event.action,
            event.object_type,
            event.object_id,
            _csv_safe(event.summary),
        ])
    record("audit.export", "audit_event", "-", summary="audit trail exported")
    db.session.commit()
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-trail.csv"},
    )


def _csv_safe(value: str) -> str:
    """Stop spreadsheet formula injection in exported cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
