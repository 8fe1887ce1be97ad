"""Quick Add: register a patient with only first name, last name, date of birth and phone.

When Quick Add is on for a clinic, the Patient Manager offers Quick Add Patient beside Add Patient (Edit
Patients), the navigation gains Incomplete profiles (View Patients), the Patient Manager's Profile column
marks quick-added patients whose profile is incomplete, and their notes cannot be finalized until the
full profile passes every billing check (``core.patient_profile.profile_problems``).

The hook implementations live in :mod:`plugins.quick_add.hooks` and are imported here, because the
entry point registers this package module with the plugin manager.
"""
from . import models  # noqa: F401  (registers the plugin's table with the metadata)
from .hooks import (
    caseload_blueprints,
    caseload_demo_data,
    caseload_finalize_veto,
    caseload_nav_items,
    caseload_patient_manager_actions,
    caseload_patient_manager_columns,
)

TITLE = "Quick Add"
DESCRIPTION = "Quick Add Patient: register and schedule with name, date of birth and phone; finalizing waits for a complete profile."

__all__ = [
    "TITLE",
    "DESCRIPTION",
    "caseload_blueprints",
    "caseload_demo_data",
    "caseload_finalize_veto",
    "caseload_nav_items",
    "caseload_patient_manager_actions",
    "caseload_patient_manager_columns",
]
