"""Request plumbing every screen uses, and nothing of any domain.

htmx partial-or-page rendering (``render``, ``is_htmx``), server-side pagination, form-error summaries,
the permission names and the view guard, the form base classes and text hygiene, US field formats (phone,
ZIP, state, NPI), times in the clinic's zone, the CSV writer, confirmations, effective-dated rule tables (``in_force``), bounded id converters,
security headers, log privacy, error pages, the main navigation and the health check. It imports no
other package of core.
"""
from core.web.confirm import confirmation_page, confirmed
from core.web.csv_export import csv_response, safe_cell
from core.web.deferred import commit_after_response
from core.web.effective import in_force
from core.web.fields import MultiCheckboxField
from core.web.form_errors import form_errors
from core.web.formats import (
    STATE_CHOICES,
    STATE_NAMES,
    US_STATES,
    digits,
    format_phone,
    format_zip,
    normalise_phone,
    phone_error,
    postal_code_error,
    state_error,
)
from core.web.htmx import is_htmx, render
from core.web.local_time import format_local_date, format_local_time, local_day_bounds_utc, local_today, to_local
from core.web.npi import npi_error
from core.web.pagination import Page, paginate
from core.web.permissions import Permission, require
from core.web.text import LIKE_ESCAPE, CaseloadForm, CaseloadSubForm, clean_line, clean_lines, escape_like, strip_controls

__all__ = [
    "LIKE_ESCAPE", "CaseloadForm", "CaseloadSubForm", "MultiCheckboxField", "Page", "Permission", "STATE_CHOICES",
    "STATE_NAMES", "US_STATES", "clean_line", "clean_lines",
    "commit_after_response", "confirmation_page", "confirmed", "csv_response", "digits", "escape_like",
    "form_errors", "format_local_date", "format_local_time", "format_phone", "format_zip", "in_force", "is_htmx",
    "local_day_bounds_utc", "local_today", "normalise_phone", "npi_error", "paginate", "phone_error",
    "postal_code_error", "render", "require", "safe_cell", "state_error", "strip_controls", "to_local",
]
