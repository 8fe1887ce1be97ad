"""Scoping: the clinic the signed-in user works in, and the helpers that keep queries inside it.

Every clinic belongs to a company; every clinical and billing row belongs to a clinic (a ``clinic_id``
column). Views ask ``current_clinic()`` for the clinic they act in, and load objects with
``get_in_clinic_or_404`` so that a user of clinic A asking for clinic B's object gets 404.
"""
from __future__ import annotations

from flask import abort, g, session
from flask_login import current_user
from sqlalchemy import select

from core.extensions import db
from core.tenancy.models import Clinic, ClinicAccess


def accessible_clinic_ids(user) -> set[int]:
    """The ids of the clinics ``user`` has access to (cached for the request)."""
    cache = g.setdefault("_accessible_clinics", {})
    if user.id not in cache:
        cache[user.id] = set(
            db.session.scalars(select(ClinicAccess.clinic_id).where(ClinicAccess.user_id == user.id))
        )
    return cache[user.id]


def current_clinic() -> Clinic:
    """The clinic the signed-in user is working in (chosen at sign-in or with the clinic switcher).

    Falls back to the user's default clinic when the session names a clinic the user no longer has
    access to. Raises 403 for a user with no clinic at all.
    """
    if "_current_clinic" in g:
        return g._current_clinic
    clinic_ids = accessible_clinic_ids(current_user)
    clinic_id = session.get("clinic_id")
    if clinic_id not in clinic_ids:
        clinic_id = current_user.default_clinic_id
        session["clinic_id"] = clinic_id
    if clinic_id is None:
        abort(403)
    g._current_clinic = db.session.get(Clinic, clinic_id)
    return g._current_clinic


def in_current_clinic(model):
    """A ``select`` of ``model`` limited to rows of the current clinic: the scoping helper for lists."""
    return select(model).where(model.clinic_id == current_clinic().id)


def get_in_clinic_or_404(model, object_id):
    """Load one clinic-owned row by id, or answer 404 when it belongs to another clinic or none."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.clinic_id != current_clinic().id:
        abort(404)
    return obj


def get_in_company_or_404(model, object_id):
    """Load one company-owned row (insurances, referring physicians) by id, or answer 404 when it belongs
    to another company than the current clinic's."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.company_id != current_clinic().company_id:
        abort(404)
    return obj
