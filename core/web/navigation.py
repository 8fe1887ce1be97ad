"""The main navigation: core's links plus those of the registered sources, filtered by permission.

Core's links are data (endpoint names, not imports). Anything else that adds links, the plugin host
above all, registers a source with ``add_nav_source(app, source)``; ``source(user)`` returns
:class:`~core.plugin_api.NavItem` objects for the signed-in user in the current clinic.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app, url_for
from flask_login import current_user

from core.plugin_api import NavItem
from core.web.permissions import Permission

CORE_ITEMS = (
    NavItem("Home", "home.index", order=10),
    NavItem("Patient Manager", "patients.index", order=20, permission=Permission.VIEW_PATIENTS),
    NavItem("My Notes", "notes.mine", order=30, permission=Permission.START_NOTES),
    NavItem("Incomplete Cosign Docs", "notes.cosign_queue", order=32, permission=Permission.FINISH_NOTES),
    NavItem("Insurances", "insurances.index", order=70, permission=Permission.INSURANCE_ADMIN),
    NavItem("Referring Physicians", "insurances.physicians", order=72, permission=Permission.VIEW_PATIENTS),
    NavItem("Company Settings", "settings.company", order=92, permission=Permission.COMPANY_ADMIN),
    NavItem("User Manager", "user_manager.index", order=80, permission=Permission.VIEW_USERS),
    NavItem("Clinic Settings", "clinic_settings.features", order=90, permission=Permission.CLINIC_ADMIN),
    NavItem("Audit Trail", "audit.index", order=95, permission=Permission.CLINIC_ADMIN),
)

NavSource = Callable[[object], Iterable[NavItem]]


def add_nav_source(app, source: NavSource) -> None:
    """Let ``source(user)`` add links to the main navigation of ``app``."""
    app.extensions.setdefault("caseload.nav_sources", []).append(source)


def nav_items() -> list[dict]:
    """Links for the signed-in user in the current clinic, sorted by order then label."""
    items = list(CORE_ITEMS)
    for source in current_app.extensions.get("caseload.nav_sources", ()):
        items.extend(source(current_user))
    visible = [i for i in items if i.permission is None or current_user.can(i.permission)]
    return [
        {"label": i.label, "url": url_for(i.endpoint)}
        for i in sorted(visible, key=lambda i: (i.order, i.label))
    ]
