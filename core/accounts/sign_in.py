"""Sign-in, sign-out, "Sign out everywhere" and the clinic switcher.

Throttling: after ``LOGIN_MAX_FAILURES`` (5) consecutive wrong passwords an account is locked for
``LOGIN_LOCK_SECONDS`` (15 minutes); a correct password during the lock is refused too. Every attempt
is counted with one atomic UPDATE before its password is checked, so parallel attempts cannot slip
past the limit; and each client address may try ``LOGIN_RATE_LIMIT`` times (Flask-Limiter), so one
address cannot lock out every account. A wrong password, an unknown email and a locked account get
the same answer (no account enumeration). Inactive users cannot sign in. Sessions live server-side
(``sessions``): sign-out ends this one, a password change or inactivation every one.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import update
from wtforms import EmailField, HiddenField, IntegerField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length

from core.accounts.models import User, UserStatus, find_user_by_email
from core.accounts.passwords import hash_password, needs_rehash, verify_password
from core.accounts.sessions import end_all_sessions, end_session, keep_open, load_signed_in, start_session
from core.audit import record
from core.extensions import db, limiter, login_manager, utcnow
from core.tenancy import accessible_clinic_ids
from core.web import CaseloadForm, is_htmx, render

bp = Blueprint("auth", __name__)

INACTIVE_MESSAGE = "This account is inactive. Ask your clinic's administrator to reactivate it."
# One answer for a wrong password, an unknown email and a locked account: it never tells which.
INVALID_MESSAGE = ("The email or password is not right. After 5 wrong tries in a row, signing in to an account "
                   "is locked for 15 minutes.")
IDLE_MESSAGE = "You were signed out after {minutes} minutes without activity. Sign in again to continue."


class LoginForm(CaseloadForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class SwitchClinicForm(CaseloadForm):
    clinic_id = IntegerField("Clinic", validators=[InputRequired()])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user: their nonce must match and their server-side session be open and not idle."""
    user_id, _, nonce = (session_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user, user_session = load_signed_in(int(user_id), nonce, session.get("sid"))
    if user is None:
        return None
    if user_session is None or not keep_open(user_session):
        session["_signed_out_idle"] = True
        return None
    return user


def _attempt(user: User, now: datetime) -> tuple[int, datetime | None]:
    """Count one sign-in attempt atomically (before its password is checked); return the count of
    consecutive failures including this attempt and the lock, if any. A lock that has run out is lifted."""
    db.session.execute(update(User).where(User.id == user.id, User.locked_until <= now)
                       .values(locked_until=None, failed_logins=0))
    count, locked_until = db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins, User.locked_until)
    ).one()
    db.session.commit()
    return count, locked_until


def _lock(user: User, now: datetime) -> None:
    """Lock the account (once: of parallel attempts only the first sets and audits the lock)."""
    locked = db.session.execute(update(User).where(User.id == user.id, User.locked_until.is_(None)).values(
        locked_until=now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])))
    if locked.rowcount:
        record("auth.locked", "user", user.id, clinic_id=user.default_clinic_id, actor=user)
    db.session.commit()


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get ``HX-Redirect`` (a 302 would put the login page inside a fragment)."""
    login_url = url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if is_htmx():
        # Back to the page the request came from after signing in (the note being written, say).
        came_from = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = _safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else "")) if came_from.path else None
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=back) if back else url_for("auth.login")
        return response
    return redirect(login_url)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if request.method == "GET" and session.pop("_signed_out_idle", None):
        flash(IDLE_MESSAGE.format(minutes=current_app.config["SESSION_IDLE_MINUTES"]), "info")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        now = utcnow()
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user is None:
            verify_password(None, form.password.data)  # the same work as for a real account
            error = INVALID_MESSAGE
        else:
            count, locked_until = _attempt(user, now)
            if locked_until is not None or count > limit:
                # Locked (or past the limit while a parallel attempt locks it): the password is not checked.
                if locked_until is None:
                    _lock(user, now)
                error = INVALID_MESSAGE
            elif not verify_password(user.password_hash, form.password.data):
                error = INVALID_MESSAGE
                if count >= limit:
                    _lock(user, now)
            elif user.status is not UserStatus.ACTIVE:
                _reset_failures(user)
                db.session.commit()
                error = INACTIVE_MESSAGE
            else:
                return _sign_in(user, form)
    status = 422 if (error or form.errors) else 200
    return render("accounts/sign_in/login.html", form=form, error=error, status=status)


def _reset_failures(user: User) -> None:
    db.session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None))


def _sign_in(user: User, form: LoginForm):
    _reset_failures(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(form.password.data)
    session.clear()
    login_user(user)
    session["sid"] = start_session(user)
    session["clinic_id"] = user.default_clinic_id
    record("auth.login", "user", user.id, clinic_id=user.default_clinic_id, actor=user)
    db.session.commit()
    from core.tenancy import flash_fee_schedule_alert

    flash_fee_schedule_alert(user.default_clinic_id)
    return redirect(_safe_next(form.next.data) or url_for("home.index"), code=303)


@bp.post("/logout")
@login_required
def logout():
    record("auth.logout", "user", current_user.id, clinic_id=session.get("clinic_id"))
    end_session(current_user.id, session.get("sid"))
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every session of the signed-in user: this browser's and any other computer's."""
    user = current_user._get_current_object()
    record("auth.logout_everywhere", "user", user.id, clinic_id=session.get("clinic_id"))
    end_all_sessions(user, "everywhere")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out on every computer.", "info")
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
