"""MIPS's hook implementations (imported into :mod:`plugins.mips`, which is what gets registered)."""
from __future__ import annotations

from core.plugin_api import Column, SettingField, hookimpl
from core.web import Permission

from .models import participation_by_user
from .participation import GROUP, INDIVIDUAL, REPORTING_CHOICES, group_cell, participation_cell, reporting_mode
from .views import make_blueprint


@hookimpl
def caseload_clinic_settings_fields(clinic):
    """MIPS's one clinic setting: whether the clinic's therapists report individually or as a group."""
    return [
        SettingField(
            "reporting",
            "Reporting mode",
            default=INDIVIDUAL,
            kind="choice",
            choices=REPORTING_CHOICES,
            help="Individual: choose in the User Manager which therapists take part. Group: all therapists report together.",
        )
    ]


@hookimpl
def caseload_user_manager_columns(clinic, viewer, users):
    """The MIPS column, with cells for therapists (PT, OT, SLP) only.

    Individual mode: a checkbox per therapist, all of the page's participation loaded in one query.
    Group mode: the word "Group" and no query at all.
    """
    therapists = [u for u in users if u.user_type.is_therapist]
    if reporting_mode(clinic) == GROUP:
        cells = {u.id: group_cell() for u in therapists}
    else:
        participating = participation_by_user(clinic.id, [u.id for u in therapists])
        can_edit = viewer.can(Permission.EDIT_USERS)
        cells = {u.id: participation_cell(participating.get(u.id, False), can_edit) for u in therapists}
    return Column(key="mips", header="MIPS", cells=cells, order=30)


@hookimpl
def caseload_blueprints():
    """MIPS's routes under ``/mips`` (core answers 404 there in clinics where MIPS is off)."""
    return [make_blueprint()]
