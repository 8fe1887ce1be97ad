"""MIPS: Merit-based Incentive Payment System reporting for eligible therapists.

When MIPS is on for a clinic, the clinic chooses a reporting mode on the Features page (individual or
group) and the User Manager gains a MIPS column: in individual mode a checkbox per therapist (PT, OT,
SLP) marks who takes part, in group mode every therapist's cell says "Group".

The hook implementations live in :mod:`plugins.mips.hooks` and are imported here, because the entry
point registers this package module with the plugin manager.
"""
from . import models  # noqa: F401  (registers the plugin's tables with the metadata)
from .hooks import caseload_blueprints, caseload_clinic_settings_fields, caseload_user_manager_columns

TITLE = "MIPS"
DESCRIPTION = "MIPS quality reporting for eligible therapists (individual or group reporting)."

__all__ = [
    "TITLE",
    "DESCRIPTION",
    "caseload_blueprints",
    "caseload_clinic_settings_fields",
    "caseload_user_manager_columns",
]
