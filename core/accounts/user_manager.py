"""The User Manager: the clinic's users, searchable and paginated on the server, with the columns
enabled plugins contribute (one hook call per page, with all the page's rows); Add User, Edit User,
row actions (activate, inactivate, admin), Change User Type, and each user's page with its history.

View Users lets a user see the list, create profiles and request license adjustments; Edit Users lets
them change existing profiles (seed 000, "User Managers").
"""
from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy import bindparam, func, or_, select

from core.accounts.authority import LAST_ADMIN, OUTRANKED, is_last_active_admin, may_act_on, require_authority_over
from core.accounts.forms import AddUserForm, ChangeTypeForm, EditUserForm
from core.accounts.licenses import LicenseUnavailable, claim_license, license_counts
from core.accounts.models import (
    FINISH_ATTESTATION_TEXT,
    LIMITED_PERMISSIONS,
    PERMISSION_HELP,
    ClinicAccess,
    LicenseCategory,
    PermissionAttestation,
    User,
    UserStatus,
    UserType,
    clinic_user_or_404,
    default_permissions,
    find_user_by_email,
    normalise_email,
)
from core.accounts.passwords import hash_password
from core.accounts.sessions import end_all_sessions
from core.audit import AuditEvent, record
from core.extensions import db
from core.plugin_host import flatten, hooks_for
from core.tenancy import Clinic, accessible_clinic_ids, current_clinic
from core.web import (
    LIKE_ESCAPE,
    Permission,
    confirmation_page,
    confirmed,
    escape_like,
    is_htmx,
    paginate,
    render,
    require,
)

INACTIVATE_DETAIL = ("They are signed out everywhere and cannot sign in until a user manager activates them again; "
                     "their license becomes available.")

bp = Blueprint("user_manager", __name__, url_prefix="/users")


@bp.before_request
@login_required
def require_view_users():
    require(Permission.VIEW_USERS)


# -- queries -------------------------------------------------------------------------------------
def clinic_users_query(clinic, args) -> tuple:
    """``(statement, params)``: users with access to ``clinic``, filtered by ``q`` (name or email), ``type``
    and ``status``. One statement per combination of filters, built once (the values are parameters)."""
    term = (args.get("q") or "").strip().lower()[:100]
    params = {"clinic_id": clinic.id}
    if term:
        params["term"] = escape_like(term)
    if args.get("type") in {t.value for t in UserType}:
        params["user_type"] = UserType(args["type"])
    if args.get("status") in {s.value for s in UserStatus}:
        params["status"] = UserStatus(args["status"])
    return _clinic_users_statement(bool(term), "user_type" in params, "status" in params), params


@cache
def _clinic_users_statement(by_term: bool, by_type: bool, by_status: bool):
    query = select(User).join(ClinicAccess, ClinicAccess.user_id == User.id).where(
        ClinicAccess.clinic_id == bindparam("clinic_id"))
    if by_term:
        term = bindparam("term")
        query = query.where(or_(
            func.lower(User.last_name).startswith(term, escape=LIKE_ESCAPE),
            func.lower(User.first_name).startswith(term, escape=LIKE_ESCAPE),
            User.email.startswith(term, escape=LIKE_ESCAPE),
        ))
    if by_type:
        query = query.where(User.user_type == bindparam("user_type"))
    if by_status:
        query = query.where(User.status == bindparam("status"))
    return query.order_by(User.last_name, User.first_name, User.id)


def get_clinic_user_or_404(user_id: int) -> User:
    """A user with access to the current clinic, else 404."""
    return clinic_user_or_404(current_clinic(), user_id)


def plugin_columns(clinic, users) -> list:
    """The plugin columns for one page of users, sorted by order then key."""
    columns = flatten(hooks_for(clinic).caseload_user_manager_columns(clinic=clinic, viewer=current_user, users=users))
    return sorted(columns, key=lambda c: (c.order, c.key))


def _company_clinics_for_forms(clinic) -> list[Clinic]:
    """Clinics a user manager may grant: those of the current clinic's company they can access."""
    ids = accessible_clinic_ids(current_user)
    return list(db.session.scalars(
        select(Clinic).where(Clinic.company_id == clinic.company_id, Clinic.id.in_(ids)).order_by(Clinic.name)
    ))


# -- list ----------------------------------------------------------------------------------------
@bp.get("/")
def index():
    clinic = current_clinic()
    statement, params = clinic_users_query(clinic, request.args)
    page = paginate(statement, count="window", params=params)
    return render(
        "accounts/user_manager/index.html",
        "accounts/user_manager/_table.html",
        clinic=clinic,
        page=page,
        columns=plugin_columns(clinic, page.items),
        args=request.args,
        user_types=list(UserType),
        statuses=list(UserStatus),
        licenses=license_counts(clinic.id),
    )


def _row_response(user: User, message: str, category: str = "success", status: int = 200, focus: str = "action"):
    """The row alone after a row action (``focus``: the control to give the keyboard focus back to,
    "action" for Activate/Inactivate, "admin" for the Admin checkbox); a redirect without htmx."""
    if not is_htmx():
        flash(message, category)
        return redirect(url_for(".index"), code=303)
    clinic = current_clinic()
    return render(
        "accounts/user_manager/_row_update.html",
        status=status,
        user=user,
        columns=plugin_columns(clinic, [user]),
        message=message,
        category=category,
        licenses=license_counts(clinic.id),
        user_types=list(UserType),
        focus=focus,
    )


# -- row actions ---------------------------------------------------------------------------------
@bp.post("/<int:user_id>/activate")
def activate(user_id: int):
    require(Permission.EDIT_USERS)
    user = get_clinic_user_or_404(user_id)
    if not may_act_on(current_user, user):
        return _row_response(user, OUTRANKED.format(name=user.name), "error", status=422)
    if user.status is UserStatus.ACTIVE:
        return _row_response(user, f"{user.name} is already active.", "info")
    default = db.session.get(Clinic, user.default_clinic_id)
    try:
        claim_license(default.id, user.user_type, default.name)
    except LicenseUnavailable as exc:
        db.session.rollback()
        return _row_response(user, str(exc), "error", status=422)
    _change_status(user, UserStatus.ACTIVE, default.id)
    return _row_response(user, f"{user.name} is active.")


@bp.post("/<int:user_id>/inactivate")
def inactivate(user_id: int):
    require(Permission.EDIT_USERS)
    user = get_clinic_user_or_404(user_id)
    if user.id == current_user.id:
        return _row_response(user, "You cannot inactivate your own profile.", "error", status=422)
    if not may_act_on(current_user, user):
        return _row_response(user, OUTRANKED.format(name=user.name), "error", status=422)
    if is_last_active_admin(user):
        return _row_response(user, LAST_ADMIN.format(name=user.name), "error", status=422)
    if user.status is UserStatus.ACTIVE and not confirmed():
        return confirmation_page(f"Inactivate {user.name}?", INACTIVATE_DETAIL, "Inactivate", url_for(".index"))
    if user.status is UserStatus.ACTIVE:
        end_all_sessions(user, "inactivated")
        _change_status(user, UserStatus.INACTIVE, user.default_clinic_id)
    return _row_response(user, f"{user.name} is inactive.")


def _change_status(user: User, status: UserStatus, clinic_id: int | None) -> None:
    """Activate or inactivate ``user``, audited, and commit (the row actions' one way to do it)."""
    before, user.status = user.status, status
    record("user.status", "user", user.id, clinic_id=clinic_id,
           summary="activated" if status is UserStatus.ACTIVE else "inactivated",
           changes={"status": [before.value, status.value]})
    db.session.commit()


@bp.post("/<int:user_id>/admin")
def toggle_admin(user_id: int):
    require(Permission.EDIT_USERS)
    if not current_user.is_admin:
        abort(403)  # only an admin can make (or unmake) an admin
    user = get_clinic_user_or_404(user_id)
    if user.id == current_user.id:
        return _row_response(user, "You cannot remove your own Admin checkbox.", "error", status=422, focus="admin")
    before = user.is_admin
    wanted = request.form.get("is_admin") == "on"
    if before and not wanted and is_last_active_admin(user):
        return _row_response(user, LAST_ADMIN.format(name=user.name), "error", status=422, focus="admin")
    user.is_admin = wanted
    if before != user.is_admin:
        record("user.permissions", "user", user.id, clinic_id=current_clinic().id,
               summary="admin " + ("granted" if user.is_admin else "removed"), changes={"admin": [before, user.is_admin]})
    db.session.commit()
    return _row_response(user, f"{user.name}: Admin {'on' if user.is_admin else 'off'}.", focus="admin")


# -- add and edit --------------------------------------------------------------------------------
def _form_context(form, clinic, user=None, user_type=None, status=200):
    if user_type is None:
        # An unknown type posted by hand is the form's field error; the page shows PT's defaults meanwhile.
        known = {t.value for t in UserType}
        user_type = user.user_type if user else UserType(form.user_type.data if form.user_type.data in known else UserType.PT.value)
    return render(
        "accounts/user_manager/form.html",
        status=status,
        form=form,
        clinic=clinic,
        user=user,
        user_type=user_type,
        permissions=list(Permission),
        limited=LIMITED_PERMISSIONS,
        permission_help=PERMISSION_HELP,
        attestation_text=FINISH_ATTESTATION_TEXT,
        needs_attestation=user_type.license_category is LicenseCategory.ASSISTANT,
    )


def _grantable(permissions: set[Permission]) -> set[Permission]:
    """Permissions the acting user may grant: only those they hold themselves."""
    return permissions - current_user.permission_set


def _apply_profile(form, user: User, clinic, creating: bool) -> dict | None:
    """Copy the form onto ``user``; return field errors (nothing changed is committed then)."""
    errors: dict[str, str] = {}
    email = normalise_email(form.email.data)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        errors["email"] = "Another user profile already has this email. Every profile needs its own email."
    wanted = {Permission(p) for p in form.permissions.data or []}
    beyond = _grantable(wanted - user.permission_set)
    if beyond:
        errors["permissions"] = "You cannot grant permissions you do not hold: " + ", ".join(sorted(p.value for p in beyond)) + "."
    if form.is_admin.data != user.is_admin and not current_user.is_admin:
        errors["is_admin"] = "Only an admin can change the Admin checkbox."
    if not creating and is_last_active_admin(user):
        if not form.is_admin.data:
            errors["is_admin"] = LAST_ADMIN.format(name=user.name)
        if form.status.data != UserStatus.ACTIVE.value:
            errors["status"] = LAST_ADMIN.format(name=user.name)
    user_type = user.user_type
    grants_finish = Permission.FINISH_NOTES in wanted and Permission.FINISH_NOTES not in user.permission_set
    if grants_finish and user_type.license_category is LicenseCategory.ASSISTANT and not form.attest_finish.data:
        errors["attest_finish"] = "Complete the attestation to let an assistant finish (finalize) notes."
    if not user_type.is_therapist and (form.npi.data or form.alternate_id.data):
        errors["npi"] = "Only therapist profiles (PT, OT, SLP) carry provider identifiers."
    if errors:
        return errors

    before = _snapshot(user) if not creating else None
    new_status = UserStatus(form.status.data)
    new_default = form.default_clinic.data
    needs_license = new_status is UserStatus.ACTIVE and (
        creating or user.status is not UserStatus.ACTIVE or user.default_clinic_id != new_default
    )
    if needs_license:
        default_clinic = db.session.get(Clinic, new_default)
        try:
            claim_license(default_clinic.id, user_type, default_clinic.name)
        except LicenseUnavailable as exc:
            return {"status": str(exc)}

    if creating:
        db.session.add(user)
    user.first_name = form.first_name.data
    user.last_name = form.last_name.data
    user.email = email
    if user.status is UserStatus.ACTIVE and new_status is UserStatus.INACTIVE:
        end_all_sessions(user, "inactivated")
    user.status = new_status
    user.is_admin = form.is_admin.data
    user.npi = form.npi.data or None
    user.alternate_id = (form.alternate_id.data or "").strip() or None
    if form.password.data:
        user.password_hash = hash_password(form.password.data)
        # A new password ends every session of the user (but the one making the change, if it is theirs).
        own = user.id == current_user.id
        end_all_sessions(user, "password", keep=session.get("sid") if own else None)
        if own:
            login_user(user)
    _apply_clinic_access(user, [c for c, _ in form.clinic_choices], form.clinics.data, new_default)
    user.set_permissions(wanted)
    if grants_finish and user_type.license_category is LicenseCategory.ASSISTANT:
        db.session.add(PermissionAttestation(user=user, permission=Permission.FINISH_NOTES,
                                             text=FINISH_ATTESTATION_TEXT, attested_by_id=current_user.id))
    db.session.flush()
    after = _snapshot(user)
    if creating:
        record("user.create", "user", user.id, clinic_id=clinic.id, summary=f"{user.user_type.value} profile created",
               changes={"after": after})
    else:
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            record("user.update", "user", user.id, clinic_id=clinic.id, summary=", ".join(sorted(changed)) + " changed",
                   changes=changed)
    return None


def _apply_clinic_access(user: User, managed: list[int], chosen_ids: list[int], default_id: int) -> None:
    """Replace the user's access to the clinics the acting user manages (access to other clinics stays)
    and move the default. The old default is cleared and flushed first, so the one-default unique index
    never sees two defaults at once."""
    existing = {a.clinic_id: a for a in user.clinic_access}
    if any(a.is_default and a.clinic_id != default_id for a in user.clinic_access):
        for access in user.clinic_access:
            access.is_default = False
        db.session.flush()
    kept = [a for a in user.clinic_access if a.clinic_id not in managed]
    chosen = [existing.get(cid) or ClinicAccess(clinic_id=cid) for cid in chosen_ids]
    user.clinic_access = kept + chosen
    for access in user.clinic_access:
        access.is_default = access.clinic_id == default_id


def _snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "status": user.status.value,
        "admin": user.is_admin,
        "permissions": sorted(p.permission.value for p in user.permissions),
        "clinics": sorted(a.clinic_id for a in user.clinic_access),
        "default_clinic": next((a.clinic_id for a in user.clinic_access if a.is_default), None),
        "npi": user.npi,
        "alternate_id": user.alternate_id,
    }


def _show_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        form[name].errors = list(form[name].errors) + [message]


@bp.route("/new", methods=["GET", "POST"])
def add_user():
    clinic = current_clinic()
    form = AddUserForm()
    form.set_clinic_choices(_company_clinics_for_forms(clinic))
    if request.method == "GET":
        asked = request.args.get("user_type")
        user_type = UserType(asked) if asked in {t.value for t in UserType} else UserType.PT
        form.user_type.data = user_type.value
        form.clinics.data = [clinic.id]
        form.default_clinic.data = clinic.id
        form.permissions.data = [p.value for p in default_permissions(user_type) & current_user.permission_set]
        if is_htmx() and request.args.get("user_type"):
            # The user type changed: refresh the permission defaults only.
            return _form_context(form, clinic, user_type=user_type)
        return _form_context(form, clinic, user_type=user_type)
    if form.validate_on_submit():
        user = User(user_type=UserType(form.user_type.data), password_hash="", status=UserStatus.INACTIVE)
        errors = _apply_profile(form, user, clinic, creating=True)
        if errors is None:
            db.session.commit()
            flash(f"{user.name} was added.", "success")
            return redirect(url_for(".show", user_id=user.id), code=303)
        db.session.rollback()
        form.set_clinic_choices(_company_clinics_for_forms(clinic))
        _show_errors(form, errors)
    return _form_context(form, clinic, status=422)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    require(Permission.EDIT_USERS)
    clinic = current_clinic()
    user = get_clinic_user_or_404(user_id)
    require_authority_over(current_user, user)
    if request.method == "POST" and request.form.get("user_type") not in (None, user.user_type.value):
        abort(_type_change_refused(user, clinic))
    form = EditUserForm(obj=None if request.method == "POST" else user)
    form.set_clinic_choices(_company_clinics_for_forms(clinic))
    if request.method == "GET":
        form.status.data = user.status.value
        form.clinics.data = [a.clinic_id for a in user.clinic_access]
        form.default_clinic.data = user.default_clinic_id
        form.permissions.data = [p.permission.value for p in user.permissions]
        return _form_context(form, clinic, user=user)
    if form.validate_on_submit():
        errors = _apply_profile(form, user, clinic, creating=False)
        if errors is None:
            db.session.commit()
            flash(f"{user.name} was updated.", "success")
            return redirect(url_for(".show", user_id=user.id), code=303)
        db.session.rollback()
        user = get_clinic_user_or_404(user_id)
        form.set_clinic_choices(_company_clinics_for_forms(clinic))
        _show_errors(form, errors)
    return _form_context(form, clinic, user=user, status=422)


def _type_change_refused(user, clinic):
    response = render(
        "error.html",
        status=422,
        code=422,
        title="A user's type cannot be changed",
        message=(
            f"{user.name} is a {user.user_type.value} profile. User types never change: use Change User Type to "
            "create a new profile of the new type and inactivate this one."
        ),
    )
    return response


# -- change user type ----------------------------------------------------------------------------
def _free_x_email(email: str) -> str:
    candidate = "x" + email
    while find_user_by_email(candidate) is not None:
        candidate = "x" + candidate
    return candidate


@bp.route("/<int:user_id>/change-type", methods=["GET", "POST"])
def change_type(user_id: int):
    """WebPT's documented way: a new profile of the new type gets the email; the old one is inactivated
    with its email marked by an "x" prefix. One transaction: all of it happens or none of it."""
    require(Permission.EDIT_USERS)
    clinic = current_clinic()
    old = get_clinic_user_or_404(user_id)
    require_authority_over(current_user, old)
    form = ChangeTypeForm()
    form.new_type.choices = [(t.value, t.value) for t in UserType if t is not old.user_type]
    status = 200
    if form.validate_on_submit() and is_last_active_admin(old):
        form.new_type.errors = [LAST_ADMIN.format(name=old.name)]
        return render("accounts/user_manager/change_type.html", status=422, form=form, user=old, clinic=clinic)
    if form.validate_on_submit():
        new_type = UserType(form.new_type.data)
        default_id = old.default_clinic_id
        default_clinic = db.session.get(Clinic, default_id)
        try:
            claim_license(default_id, new_type, default_clinic.name)
        except LicenseUnavailable as exc:
            db.session.rollback()
            form.new_type.errors = [str(exc)]
            return render("accounts/user_manager/change_type.html", status=422, form=form, user=old, clinic=clinic)
        email = old.email
        old.email = _free_x_email(email)
        old.status = UserStatus.INACTIVE
        end_all_sessions(old, "user type changed")
        db.session.flush()
        new = User(
            email=email,
            first_name=old.first_name,
            last_name=old.last_name,
            user_type=new_type,
            status=UserStatus.ACTIVE,
            password_hash=old.password_hash,
            npi=old.npi if new_type.is_therapist else None,
            alternate_id=old.alternate_id if new_type.is_therapist else None,
        )
        new.set_permissions(default_permissions(new_type) & current_user.permission_set)
        new.clinic_access = [ClinicAccess(clinic_id=a.clinic_id, is_default=a.is_default) for a in old.clinic_access]
        db.session.add(new)
        db.session.flush()
        old.replaced_by_id = new.id
        record("user.change_type", "user", old.id, clinic_id=clinic.id,
               summary=f"replaced by {new_type.value} profile #{new.id}; inactivated",
               changes={"status": ["active", "inactive"], "email": [email, old.email], "replaced_by": new.id})
        record("user.create", "user", new.id, clinic_id=clinic.id,
               summary=f"{new_type.value} profile created from {old.user_type.value} profile #{old.id}",
               changes={"after": _snapshot(new)})
        db.session.commit()
        flash(f"{new.name} now has a {new_type.value} profile; the {old.user_type.value} profile is inactive.", "success")
        return redirect(url_for(".show", user_id=new.id), code=303)
    if request.method == "POST":
        status = 422
    return render("accounts/user_manager/change_type.html", status=status, form=form, user=old, clinic=clinic)


# -- the user's page -----------------------------------------------------------------------------
@bp.get("/<int:user_id>")
def show(user_id: int):
    clinic = current_clinic()
    user = get_clinic_user_or_404(user_id)
    history = paginate(
        select(AuditEvent)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id), AuditEvent.action != "auth.login",
               # Only what happened in clinics the viewer has access to (a user may work in several).
               AuditEvent.clinic_id.in_(accessible_clinic_ids(current_user)))
        .order_by(AuditEvent.id.desc()),
        options=(db.selectinload(AuditEvent.actor),),
    )
    clinics = {c.id: c for c in db.session.scalars(select(Clinic).where(Clinic.id.in_([a.clinic_id for a in user.clinic_access])))}
    attestations = db.session.scalars(
        select(PermissionAttestation).where(PermissionAttestation.user_id == user.id).order_by(PermissionAttestation.id.desc())
    ).all()
    return render(
        "accounts/user_manager/show.html",
        "accounts/user_manager/_history.html",
        user=user,
        clinic=clinic,
        clinics=clinics,
        history=history,
        attestations=attestations,
        args=request.args,
        limited=LIMITED_PERMISSIONS,
    )
