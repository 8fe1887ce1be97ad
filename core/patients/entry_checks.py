"""The billing system's rules for patient, case and insurance data, checked where the data is entered.

Each function takes the entered value(s) and returns the message to show at the field, or None. The
words are for the front desk; the rules come from WebPT Billing's "Required Patient Information" and the
claim rules in the shared reference (billing-rules.md §6).
"""
from __future__ import annotations

import re
from datetime import date

from core.web import digits


def primary_address_error(address_type: str | None) -> str | None:
    if address_type != "Home":
        return ("The primary address must be of type Home: it is the address the billing system uses for "
                "statements, and any other type lands the patient on Billing Exceptions.")
    return None


SSN_REMOVE = "remove"
"""What the front desk types in the SSN field to take a stored number off the profile."""


def ssn_error(raw: str | None, required: bool = False) -> str | None:
    """9 digits (dashes allowed: 123-45-6789), blank, or ``remove``; nothing else is taken (a typed word
    such as "unknown" would otherwise erase the stored number)."""
    value = (raw or "").strip()
    if not value or value.lower() == SSN_REMOVE:
        return "Workers' Comp needs the patient's Social Security Number." if required else None
    if not re.fullmatch(r"\d{3}-?\d{2}-?\d{4}", value):
        return "Enter the 9-digit Social Security Number (dashes are fine), leave it blank, or type remove to take it off."
    number = digits(value)
    if number.startswith(("000", "666", "9")) or number[3:5] == "00" or number[5:] == "0000":
        return "This is not a valid Social Security Number."
    return None


def authorization_number_error(raw: str | None) -> str | None:
    """Digits only, no spaces or punctuation; "0000" is the accepted placeholder."""
    raw = raw or ""
    if not raw:
        return "Enter the authorization number, or 0000 as a placeholder."
    if not raw.isascii() or not raw.isdigit():
        return ("Use digits only, with no spaces, periods or other characters (0000 is the placeholder): "
                "any extra character causes a Pending Authorization rejection.")
    if len(raw) > 50:
        return "An authorization number has at most 50 digits."
    return None


def date_range_error(start: date | None, end: date | None, what: str = "policy") -> str | None:
    if start is None or end is None:
        return f"Enter the {what} start and end dates."
    if end < start:
        return f"The {what} end date is before its start date."
    return None

