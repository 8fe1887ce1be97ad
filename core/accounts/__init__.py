"""Users and what they may do: user types, permissions held, sign-in and throttling, passwords, licenses
and license requests, provider signatures and NPIs, and the User Manager.

Screens: the User Manager (``/users``, ``user_manager``), sign-in (``/login``, ``sign_in``), License
requests (``/licenses``, ``license_views``) and provider signatures (``signatures``). The permission
names themselves are ``core.web.permissions`` (every screen names the one it needs); this package
decides who holds them.
"""
from core.accounts import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.accounts.licenses import (
    ClinicLicense,
    LicenseAdjustmentRequest,
    LicenseUnavailable,
    claim_license,
    license_counts,
    set_seats,
)
from core.accounts.models import (
    LicenseCategory,
    PermissionAttestation,
    User,
    UserStatus,
    UserType,
    clinic_user_or_404,
    default_permissions,
    find_user_by_email,
    normalise_email,
)
from core.accounts.passwords import hash_password, verify_password
from core.accounts.sessions import UserSession, end_all_sessions
from core.accounts.signatures import ProviderSignature, signature_for
from core.web.permissions import Permission

__all__ = [
    "ClinicLicense", "LicenseAdjustmentRequest", "LicenseCategory", "LicenseUnavailable", "Permission",
    "PermissionAttestation", "ProviderSignature", "User", "UserSession", "UserStatus", "UserType",
    "claim_license", "clinic_user_or_404", "default_permissions", "end_all_sessions", "find_user_by_email",
    "hash_password", "license_counts", "normalise_email", "set_seats", "signature_for", "verify_password",
]
