"""The User Manager: the clinic's users, searchable and paginated on the server, with the columns
enabled plugins contribute (one hook call per page, with all the page's rows)."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .extensions import db
from .htmx import render
from .pagination import paginate
from .plugins import flatten, hooks_for
from .tenancy import current_clinic
from .users import ClinicAccess, Permission, User, UserStatus, UserType

bp = Blueprint("user_manager", __name__, url_prefix="/users")


@bp.before_request
@login_required
def require_view_users():
    if not current_user.can(Permission.VIEW_USERS):
        abort(403)


def clinic_users_query(clinic, args):
    """Users with access to ``clinic``, filtered by ``q`` (name or email), ``type`` and ``status``."""
    query = select(User).join(ClinicAccess, ClinicAccess.user_id == User.id).where(ClinicAccess.clinic_id == clinic.id)
    term = (args.get("q") or "").strip().lower()[:100]
    if term:
        like = f"{term}%"
        query = query.where(
            or_(
                func.lower(User.last_name).like(like),
                func.lower(User.first_name).like(like),
                User.email.like(like),
            )
        )
    if args.get("type") in {t.value for t in UserType}:
        query = query.where(User.user_type == UserType(args["type"]))
    if args.get("status") in {s.value for s in UserStatus}:
        query = query.where(User.status == UserStatus(args["status"]))
    return query.order_by(User.last_name, User.first_name, User.id)


def plugin_columns(clinic, users) -> list:
    """The plugin columns for one page of users, sorted by order then key."""
    columns = flatten(hooks_for(clinic).caseload_user_manager_columns(clinic=clinic, viewer=current_user, users=users))
    return sorted(columns, key=lambda c: (c.order, c.key))


@bp.get("/")
def index():
    clinic = current_clinic()
    page = paginate(clinic_users_query(clinic, request.args))
    return render(
        "user_manager/index.html",
        "user_manager/_table.html",
        clinic=clinic,
        page=page,
        columns=plugin_columns(clinic, page.items),
        args=request.args,
        user_types=list(UserType),
        statuses=list(UserStatus),
    )
