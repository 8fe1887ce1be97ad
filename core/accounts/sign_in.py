"""Sign-in, sign-out and the clinic switcher.

Throttling: after ``LOGIN_MAX_FAILURES`` (5) consecutive wrong passwords an account is locked for
``LOGIN_LOCK_SECONDS`` (15 minutes); a correct password during the lock is refused too. Inactive
users cannot sign in, and a signed-in user made inactive is signed out at the next request (the
user loader refuses inactive users, and inactivating rotates the session nonce).
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length

from core.accounts.models import User, UserStatus, find_user_by_email
from core.accounts.passwords import hash_password, needs_rehash, verify_password
from core.audit import record
from core.extensions import db, login_manager, utcnow
from core.tenancy import accessible_clinic_ids
from core.web import is_htmx, render

bp = Blueprint("auth", __name__)

INACTIVE_MESSAGE = "This account is inactive. Ask your clinic's administrator to reactivate it."
INVALID_MESSAGE = "The email or password is not right."
LOCKED_MESSAGE = "Too many failed sign-ins. This account is locked for {minutes} minutes; try again later."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class SwitchClinicForm(FlaskForm):
    clinic_id = IntegerField("Clinic", validators=[InputRequired()])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, nonce = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce or not user.is_active:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get ``HX-Redirect`` (a 302 would put the login page inside a fragment)."""
    login_url = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(login_url)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        now = utcnow()
        if user is not None and user.locked_until and user.locked_until > now:
            minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
            error = LOCKED_MESSAGE.format(minutes=minutes)
        elif not verify_password(user.password_hash if user else None, form.password.data) or user is None:
            error = INVALID_MESSAGE
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                    user.locked_until = now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])
                    user.failed_logins = 0
                    record("auth.locked", "user", user.id, clinic_id=user.default_clinic_id, actor=user)
                    error = LOCKED_MESSAGE.format(minutes=current_app.config["LOGIN_LOCK_SECONDS"] // 60)
                db.session.commit()
        elif user.status is not UserStatus.ACTIVE:
            error = INACTIVE_MESSAGE
        else:
            user.failed_logins = 0
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            session.clear()
            login_user(user)
            session["clinic_id"] = user.default_clinic_id
            record("auth.login", "user", user.id, clinic_id=user.default_clinic_id, actor=user)
            db.session.commit()
            from core.tenancy import flash_fee_schedule_alert

            flash_fee_schedule_alert(user.default_clinic_id)
            return redirect(_safe_next(form.next.data) or url_for("home.index"), code=303)
    status = 422 if (error or form.errors) else 200
    return render("accounts/sign_in/login.html", form=form, error=error, status=status)


@bp.post("/logout")
@login_required
def logout():
    record("auth.logout", "user", current_user.id, clinic_id=session.get("clinic_id"))
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/clinic/switch")
@login_required
def switch_clinic():
    form = SwitchClinicForm()
    if not form.validate_on_submit() or form.clinic_id.data not in accessible_clinic_ids(current_user):
        # Never reveal whether a clinic the user has no access to exists.
        flash("You do not have access to that clinic.", "error")
        return redirect(url_for("home.index"), code=303)
    session["clinic_id"] = form.clinic_id.data
    record("auth.switch_clinic", "clinic", form.clinic_id.data, clinic_id=form.clinic_id.data)
    db.session.commit()
    from core.tenancy import flash_fee_schedule_alert

    flash_fee_schedule_alert(form.clinic_id.data)
    return redirect(url_for("home.index"), code=303)
