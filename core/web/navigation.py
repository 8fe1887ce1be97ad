"""The main navigation: core's links plus those plugins contribute, filtered by permission."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from .plugin_api import NavItem
from .plugins import flatten, hooks_for
from .tenancy import current_clinic
from .users import Permission

CORE_ITEMS = (
    NavItem("Home", "home.index", order=10),
    NavItem("Patient Manager", "patients.index", order=20, permission=Permission.VIEW_PATIENTS),
    NavItem("Insurances", "insurances.index", order=70, permission=Permission.INSURANCE_ADMIN),
    NavItem("Referring Physicians", "insurances.physicians", order=72, permission=Permission.VIEW_PATIENTS),
    NavItem("Company Settings", "settings.company", order=92, permission=Permission.COMPANY_ADMIN),
    NavItem("User Manager", "user_manager.index", order=80, permission=Permission.VIEW_USERS),
    NavItem("Clinic Settings", "clinic_settings.features", order=90, permission=Permission.CLINIC_ADMIN),
    NavItem("Audit Trail", "audit.index", order=95, permission=Permission.CLINIC_ADMIN),
)


def nav_items() -> list[dict]:
    """Links for the signed-in user in the current clinic, sorted by order then label."""
    clinic = current_clinic()
    items = list(CORE_ITEMS) + flatten(hooks_for(clinic).caseload_nav_items(clinic=clinic, user=current_user))
    visible = [i for i in items if i.permission is None or current_user.can(i.permission)]
    return [
        {"label": i.label, "url": url_for(i.endpoint)}
        for i in sorted(visible, key=lambda i: (i.order, i.label))
    ]
