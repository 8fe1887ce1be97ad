"""Companies, clinics and who may work where, clinics' time zones; the scoping helpers; Company Settings
and Clinic Settings.

``current_clinic()`` is the clinic the signed-in user works in; ``get_in_clinic_or_404`` and
``get_in_company_or_404`` load one row or answer 404 when it belongs elsewhere. Company Settings
(``/settings/company``) and Clinic Settings (``/settings/clinic``) are ``settings_views``. Packages above
that must react to a settings change connect to the signals in ``signals``.
"""
from core.tenancy import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.tenancy.models import Clinic, ClinicAccess, Company
from core.tenancy.scoping import (
    accessible_clinic_ids,
    add_clinic_extra,
    clinic_columns,
    clinic_loader_options,
    current_clinic,
    get_in_clinic_or_404,
    get_in_company_or_404,
    in_current_clinic,
    my_clinics,
    remember_my_clinics,
)
from core.tenancy.settings_views import flash_fee_schedule_alert
from core.tenancy.signals import company_modifiers_removed
from core.tenancy.time_zones import US_TIME_ZONES, clinic_zone, zone_for_state

__all__ = [
    "Clinic", "ClinicAccess", "Company", "US_TIME_ZONES", "accessible_clinic_ids", "add_clinic_extra", "clinic_columns", "clinic_loader_options",
    "clinic_zone", "company_modifiers_removed", "current_clinic", "flash_fee_schedule_alert",
    "get_in_clinic_or_404", "get_in_company_or_404", "in_current_clinic", "my_clinics",
    "remember_my_clinics", "zone_for_state",
]
