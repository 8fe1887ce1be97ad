"""Scoping: the clinic the signed-in user works in, and the helpers that keep queries inside it.

Every clinic belongs to a company; every clinical and billing row belongs to a clinic (a ``clinic_id``
column). Views ask ``current_clinic()`` for the clinic they act in, and load objects with
``get_in_clinic_or_404`` so that a user of clinic A asking for clinic B's object gets 404.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import abort, g, session
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.tenancy.models import Clinic, ClinicAccess

_CLINIC_EXTRAS: dict[str, tuple[Callable[[], Any], Callable[[int, Any], None]]] = {}


def add_clinic_extra(name: str, column: Callable[[], Any], receive: Callable[[int, Any], None]) -> None:
    """Have every request's clinics statement (``my_clinics``) carry one more value per clinic.

    For what a package above needs on every page of a clinic (the plugin host: which plugins are on):
    ``column()`` returns a scalar subquery correlated to ``Clinic``, and ``receive(clinic_id, value)`` is
    called with each clinic's value, for the package to keep in its request cache. Register at import.
    """
    _CLINIC_EXTRAS[name] = (column, receive)


def _remember_accessible_clinics(user_id: int, clinic_ids: set[int]) -> None:
    """Prime the request's cache of ``accessible_clinic_ids`` (the user loader reads them with the user)."""
    g.setdefault("_accessible_clinics", {})[user_id] = set(clinic_ids)


def accessible_clinic_ids(user) -> set[int]:
    """The ids of the clinics ``user`` has access to (cached for the request)."""
    cache = g.setdefault("_accessible_clinics", {})
    if user.id not in cache:
        cache[user.id] = set(
            db.session.scalars(select(ClinicAccess.clinic_id).where(ClinicAccess.user_id == user.id))
        )
    return cache[user.id]


def clinic_columns() -> list:
    """What a clinic row of ``my_clinics`` holds: the clinic, then each registered extra (labelled)."""
    return [Clinic, *[column().label(name) for name, (column, _) in _CLINIC_EXTRAS.items()]]


def clinic_loader_options() -> tuple:
    """Loader options of the clinic rows: the company with its clinic (Home, Company Settings, insurances)."""
    return (joinedload(Clinic.company),)


@cache
def _clinics_statement():
    """``my_clinics``' statement, built once, at the first request (every extra is registered by then)."""
    return (select(*clinic_columns()).where(Clinic.id.in_(bindparam("ids", expanding=True)))
            .options(*clinic_loader_options()).order_by(Clinic.name, Clinic.id))


def remember_my_clinics(user_id: int, rows: list[tuple]) -> None:
    """Keep for the request the clinics of ``user_id`` read elsewhere (the user loader reads them with the
    user): ``rows`` are ``clinic_columns()`` tuples, by name. Their extras go to their receivers."""
    for row in rows:
        for (_, receive), value in zip(_CLINIC_EXTRAS.values(), row[1:], strict=True):
            receive(row[0].id, value)
    g._my_clinics = [row[0] for row in rows]
    g._my_clinics_user = user_id
    _remember_accessible_clinics(user_id, {row[0].id for row in rows})


def my_clinics() -> list[Clinic]:
    """The clinics the signed-in user may work in, by name, with their company and the registered extras:
    read with the user (``remember_my_clinics``), or in one statement of its own."""
    if g.get("_my_clinics_user") != current_user.id:
        ids = accessible_clinic_ids(current_user)
        rows = db.session.execute(_clinics_statement(), {"ids": sorted(ids)}).all() if ids else []
        remember_my_clinics(current_user.id, [tuple(row) for row in rows])
    return g._my_clinics


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
    g._current_clinic = next((c for c in my_clinics() if c.id == clinic_id), None) or db.session.get(Clinic, clinic_id)
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
