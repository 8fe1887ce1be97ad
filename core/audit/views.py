"""The Audit Trail screen (``/admin/audit``): filter by user, action, record and dates; CSV export."""
from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import bindparam, func, select

from core.audit.labels import labels_for
from core.audit.trail import AuditEvent, record
from core.extensions import db
from core.web import LIKE_ESCAPE, Permission, escape_like, local_day_bounds_utc, paginate, render, to_local
from core.web.csv_export import csv_response

# The trail began with Caseload; dates outside these bounds are typing mistakes (and would overflow).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
EXPORT_LIMIT = 50_000

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _may_read_audit(user) -> bool:
    return user.is_admin or user.can(Permission.COMPANY_ADMIN) or user.can(Permission.CLINIC_ADMIN)


def _viewer_clinic_ids() -> set[int]:
    # The signed-in user's clinics (read with the user; tenancy sits above the trail).
    return current_user.clinic_ids


def _actor_model():
    # The user model, reached through the relationship rather than imported (accounts sits above).
    return AuditEvent.actor.property.mapper.class_


def _filtered_query():
    """``(statement, params, errors)``: the viewer's clinics' events matching the filters, newest first.
    One statement per combination of filters, built once (the values are parameters)."""
    args = request.args
    params: dict = {"clinic_ids": sorted(_viewer_clinic_ids())}
    errors: dict[str, str] = {}
    if args.get("action"):
        params["action"] = escape_like(args["action"].strip()[:64])
    if args.get("object_type"):
        params["object_type"] = args["object_type"].strip()[:64]
    if args.get("object_id"):
        params["object_id"] = args["object_id"].strip()[:64]
    if args.get("actor"):
        params["actor"] = escape_like(args["actor"].strip().lower()[:100])
    for name in ("since", "until"):
        if args.get(name):
            try:
                day = datetime.strptime(args[name], "%Y-%m-%d")
            except ValueError:
                errors[name] = "Enter a date as YYYY-MM-DD."
                continue
            if not EARLIEST_DATE <= day.date() <= LATEST_DATE:
                errors[name] = f"Enter a date between {EARLIEST_DATE:%m/%d/%Y} and {LATEST_DATE:%m/%d/%Y}."
                continue
            start, end = local_day_bounds_utc(day.date())  # the day as the clinic lives it
            params[name] = start if name == "since" else end
    return _events_statement(frozenset(params) - {"clinic_ids"}), params, errors


@cache
def _events_statement(filters: frozenset):
    query = select(AuditEvent).where(AuditEvent.clinic_id.in_(bindparam("clinic_ids", expanding=True)))
    if "action" in filters:
        query = query.where(AuditEvent.action.startswith(bindparam("action"), escape=LIKE_ESCAPE))
    if "object_type" in filters:
        query = query.where(AuditEvent.object_type == bindparam("object_type"))
    if "object_id" in filters:
        query = query.where(AuditEvent.object_id == bindparam("object_id"))
    if "actor" in filters:
        User = _actor_model()  # noqa: N806
        term = bindparam("actor")
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(
            func.lower(User.email).contains(term, escape=LIKE_ESCAPE)
            | func.lower(User.last_name).contains(term, escape=LIKE_ESCAPE))))
    if "since" in filters:
        query = query.where(AuditEvent.occurred_at >= bindparam("since"))
    if "until" in filters:
        query = query.where(AuditEvent.occurred_at < bindparam("until"))
    return query.order_by(AuditEvent.id.desc())


@bp.get("/")
@login_required
def index():
    if not _may_read_audit(current_user):
        abort(403)
    query, params, errors = _filtered_query()
    total, actions = _count_and_actions(query, params)
    # Events' clinics are the viewer's, already loaded with the request (a lazy load finds them in the session).
    page = paginate(query, options=(_actor_name(),), total=total, params=params)
    return render("audit/index.html", "audit/_rows.html", page=page, errors=errors, args=request.args,
                  labels=labels_for(page.items), actions=actions)


@cache
def _actor_name():
    """Loader option: each event's actor as the trail shows them (name and email, not the profile)."""
    User = _actor_model()  # noqa: N806
    return db.joinedload(AuditEvent.actor).load_only(User.first_name, User.last_name, User.email)


_ACTIONS_SEPARATOR = "\x1e"


def _count_and_actions(query, params: dict) -> tuple[int, list[str]]:
    """The number of events ``query`` finds and the actions recorded in the viewer's clinics (for the
    Action filter, an index-only scan), in one statement."""
    total, text = db.session.execute(_count_and_actions_statement(query), params).one()
    return total, sorted(a for a in (text or "").split(_ACTIONS_SEPARATOR) if a)


@cache
def _count_and_actions_statement(query):
    recorded = (select(AuditEvent.action).where(AuditEvent.clinic_id.in_(bindparam("clinic_ids", expanding=True)))
                .distinct().subquery())
    actions = select(func.aggregate_strings(recorded.c.action, _ACTIONS_SEPARATOR)).scalar_subquery()
    return select(func.count(), actions).select_from(query.order_by(None).subquery())


def changes_text(changes) -> str:
    """Before → after values as one line of text (the CSV's Changes column)."""
    if not changes:
        return ""
    if not isinstance(changes, dict):
        return _shown(changes)
    parts = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}: {_shown(value[0])} → {_shown(value[1])}")
        else:
            parts.append(f"{key}: {_shown(value)}")
    return "; ".join(parts)


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


@bp.get("/export.csv")
@login_required
def export_csv():
    if not _may_read_audit(current_user):
        abort(403)
    query, params, errors = _filtered_query()
    if errors:
        abort(400)
    events = list(db.session.scalars(
        query.limit(EXPORT_LIMIT).options(db.selectinload(AuditEvent.actor), db.selectinload(AuditEvent.clinic)), params))
    labels = labels_for(events)
    rows = [[
        to_local(event.occurred_at).isoformat(timespec="seconds"),
        event.actor.email if event.actor else "",
        event.clinic.name if event.clinic else "",
        event.action,
        event.object_type,
        event.object_id,
        labels[(event.object_type, event.object_id)].text if (event.object_type, event.object_id) in labels else "",
        event.summary,
        changes_text(event.changes),
    ] for event in events]
    record("audit.export", "audit_event", "-", summary="audit trail exported",
           changes={"filters": {k: v for k, v in request.args.items() if k != "page"}, "rows": len(rows)})
    db.session.commit()
    header = ["When", "Who", "Clinic", "Action", "Record type", "Record id", "Record", "Summary", "Changes"]
    return csv_response("audit-trail.csv", header, rows)
