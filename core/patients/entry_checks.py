"""The billing system's rules for patient, case and insurance data, checked where the data is entered.

Each function takes the entered value(s) and returns the message to show at the field, or None. The
words are for the front desk; the rules come from WebPT Billing's "Required Patient Information" and the
claim rules in the shared reference (billing-rules.md §6).
"""
from __future__ import annotations

import re
from datetime import date

US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI"
).split()

_EXTENSION = re.compile(r"(ext\.?|extension|x|#)\s*\d+\s*$", re.I)


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def phone_error(raw: str | None) -> str | None:
    """A billing phone: exactly 10 digits, no extension; area code and exchange do not start with 0 or 1."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if _EXTENSION.search(raw):
        return ("Leave out the extension: the billing system rejects a phone number with an extension "
                "(\"Invalid Billing Phone Number\"). Enter only the 10-digit number.")
    if re.search(r"[^\d\s().+-]", raw):
        return "Enter a 10-digit phone number, digits only (spaces, dashes and brackets are fine)."
    number = digits(raw)
    if len(number) == 11 and number.startswith("1"):
        number = number[1:]
    if len(number) != 10:
        return "Enter a 10-digit phone number with its area code."
    if number[0] in "01" or number[3] in "01":
        return "This is not a valid US phone number: the area code and exchange cannot start with 0 or 1."
    return None


def normalise_phone(raw: str | None) -> str:
    number = digits(raw)
    return number[1:] if len(number) == 11 and number.startswith("1") else number


def postal_code_error(raw: str | None, nine_required: bool = False) -> str | None:
    """A ZIP code of 5 or 9 digits; 9 (ZIP+4) when the patient has a Medicare insurance."""
    raw = (raw or "").strip()
    if not raw:
        return "Enter the ZIP code."
    if not re.fullmatch(r"\d{5}(-?\d{4})?", raw):
        return "Enter a ZIP code of 5 digits or 9 digits (ZIP+4, e.g. 85018-1234)."
    if nine_required and len(digits(raw)) != 9:
        return "Medicare patients need the 9-digit ZIP code (ZIP+4, e.g. 85018-1234)."
    return None


def primary_address_error(address_type: str | None) -> str | None:
    if address_type != "Home":
        return ("The primary address must be of type Home: it is the address the billing system uses for "
                "statements, and any other type lands the patient on Billing Exceptions.")
    return None


def ssn_error(raw: str | None, required: bool = False) -> str | None:
    number = digits(raw)
    if not number:
        return "Workers' Comp needs the patient's Social Security Number." if required else None
    if len(number) != 9 or re.search(r"[^\d\s-]", raw or ""):
        return "Enter the 9-digit Social Security Number."
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


def state_error(raw: str | None) -> str | None:
    if (raw or "").upper() not in US_STATES:
        return "Choose a US state."
    return None
