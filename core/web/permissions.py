"""The permissions a route can require, as WebPT names them, and the guard views call.

The names are a vocabulary every package shares (a screen of any layer says which permission it needs);
who holds which permission, the defaults by user type and the User Manager's granting rules belong to
``core.accounts``. The guard relies only on the signed-in user's ``can()`` (Flask-Login's ``current_user``).
"""
from __future__ import annotations

import enum

from flask import abort
from flask_login import current_user


class Permission(str, enum.Enum):
    """Permissions as WebPT names them. The Admin checkbox on a user grants all of them."""

    VIEW_PATIENTS = "View Patients"
    EDIT_PATIENTS = "Edit Patients"
    EDIT_PATIENT_TRANSACTIONS = "Edit/Delete Patient Transactions"
    VIEW_USERS = "View Users"
    EDIT_USERS = "Edit Users"
    START_NOTES = "Start SOAP Notes"
    FORWARD_NOTES = "Forward SOAP Notes"
    FINISH_NOTES = "Finish SOAP Notes"
    CALENDAR_ADMIN = "Calendar Admin"
    CLINIC_ADMIN = "Clinic Admin"
    COMPANY_ADMIN = "Company Admin"
    BILLING_REPORT_ADMIN = "Billing Report Admin"
    INSURANCE_ADMIN = "Insurance Admin"
    ANALYTICS_ACCESS = "Analytics Access"


def require(permission: Permission) -> None:
    """Answer 403 unless the signed-in user holds ``permission`` (Admin holds every permission)."""
    if not current_user.can(permission):
        abort(403)
