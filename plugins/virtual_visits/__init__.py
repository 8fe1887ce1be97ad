"""Virtual Visits: telehealth visits, enabled per user.

When Virtual Visits is on for a clinic, the User Manager gains a Virtual Visits column: every user's
cell says Enabled or Disabled, and a Manage button opens a small inline form to change it.

The hook implementations live in :mod:`plugins.virtual_visits.hooks` and are imported here, because
the entry point registers this package module with the plugin manager.
"""
from . import models  # noqa: F401  (registers the plugin's tables with the metadata)
from .hooks import caseload_blueprints, caseload_user_manager_columns

TITLE = "Virtual Visits"
DESCRIPTION = "Telehealth (virtual) visits, enabled per user with the Manage action in the User Manager."

__all__ = ["TITLE", "DESCRIPTION", "caseload_blueprints", "caseload_user_manager_columns"]
