"""Server-side sign-in sessions: what makes a session cookie worth anything.

The browser's (signed) session cookie carries a random token; this table holds its SHA-256 and the
session's life. A request is signed in only while its session row is open and has been used within
the idle timeout (``SESSION_IDLE_MINUTES``, 30 by default: clinic computers are shared). Sign-out ends
the row, so a copy of the cookie taken before is refused; a password change, inactivation, Change User
Type and "Sign out everywhere" end every row of the user.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, request
from sqlalchemy import ForeignKey, Index, String, and_, bindparam, cast, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db, utcnow
from core.tenancy import Clinic, ClinicAccess, clinic_columns, clinic_loader_options, remember_my_clinics
from core.web import Permission, commit_after_response

TOUCH_EVERY = timedelta(seconds=60)
"""How stale ``last_seen_at`` may get before a request writes it again (one write a minute, not per request)."""


class UserSession(db.Model):
    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_why: Mapped[str | None] = mapped_column(String(20))
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_user_session_user_open", "user_id", "ended_at"),)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def start_session(user) -> str:
    """Open a session for ``user``; return the token to keep in the browser's cookie (caller commits)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, remote_addr=request.remote_addr))
    return token


@cache
def _signed_in_statement():
    """The user loader's statement, built once (a statement built per request costs more Python than
    the database takes to answer it): the user, the open session of a token hash, the permissions, and
    one row per clinic the user may work in, with the clinic as ``core.tenancy.my_clinics`` reads it."""
    from core.accounts.models import User, UserPermission

    permissions = (select(func.aggregate_strings(cast(UserPermission.permission, String), ","))
                   .where(UserPermission.user_id == User.id).scalar_subquery())
    return (
        select(User, UserSession, permissions, ClinicAccess.clinic_id, ClinicAccess.is_default, *clinic_columns())
        .outerjoin(UserSession, and_(UserSession.user_id == User.id, UserSession.token_hash == bindparam("token_hash"),
                                     UserSession.ended_at.is_(None)))
        .outerjoin(ClinicAccess, ClinicAccess.user_id == User.id)
        .outerjoin(Clinic, Clinic.id == ClinicAccess.clinic_id)
        .options(*clinic_loader_options())
        .where(User.id == bindparam("user_id"))
        .order_by(Clinic.name, Clinic.id)
    )


def load_signed_in(user_id: int, nonce: str, token: str | None):
    """``(user, session)`` for a request, in one statement: the active user of ``user_id`` whose session
    nonce is ``nonce`` (else ``(None, None)``) and their open session for ``token`` (None when there is
    none). The statement also reads their permissions, kept on the user (``User.preload_access``), and
    their clinics, kept for the request (``core.tenancy.remember_my_clinics``): no other statement of the
    request reads them again."""
    rows = db.session.execute(_signed_in_statement(), {"user_id": user_id, "token_hash": _hash(token or "")}).all()
    if not rows:
        return None, None
    user, user_session, permission_text = rows[0][:3]
    if user.session_nonce != nonce or not user.is_active:
        return None, None
    access = [(clinic_id, bool(is_default)) for _, _, _, clinic_id, is_default, *_ in rows if clinic_id is not None]
    user.preload_access({Permission(p) for p in (permission_text or "").split(",") if p}, access)
    remember_my_clinics(user.id, [tuple(row[5:]) for row in rows if row[3] is not None])
    return user, (user_session if token else None)


def keep_open(row: UserSession) -> bool:
    """Whether the session ``row`` is still usable: an idle one is ended (and False returned); a used one
    has its ``last_seen_at`` moved on at most once a minute, written with the request's end."""
    now = utcnow()
    if now - row.last_seen_at > idle_limit():
        row.ended_at, row.ended_why = now, "idle"
        db.session.commit()
        return False
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        commit_after_response()
    return True


def end_session(user_id: int, token: str | None, why: str = "sign-out") -> None:
    """End the session of ``token`` (sign-out). The caller commits."""
    if token:
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == _hash(token), UserSession.user_id == user_id, UserSession.ended_at.is_(None)
        ).values(ended_at=utcnow(), ended_why=why))


def end_all_sessions(user, why: str, keep: str | None = None) -> None:
    """End every open session of ``user`` but the one of ``keep`` (a token), and rotate their session
    nonce; the caller commits (and signs the kept session in again, since the nonce is part of its id)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.token_hash != _hash(keep))
    db.session.execute(query.values(ended_at=utcnow(), ended_why=why))
    user.session_nonce = secrets.token_hex(8)
