"""US formats every screen checks at the field: states, phone numbers, ZIP codes, digits.

Each ``*_error`` function takes the entered value and returns the message to show at the field, or None.
The rules come from the billing system's requirements (the shared reference, billing-rules.md §6); the
checks that belong to one domain (the patient's primary address, SSN, authorization numbers) live in
that domain's package.
"""
from __future__ import annotations

import re

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


def state_error(raw: str | None) -> str | None:
    if (raw or "").upper() not in US_STATES:
        return "Choose a US state."
    return None


STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "AS": "American Samoa", "GU": "Guam",
    "MP": "Northern Mariana Islands", "PR": "Puerto Rico", "VI": "U.S. Virgin Islands",
}
"""Full names of the states and territories in :data:`US_STATES`."""

STATE_CHOICES = [("", "Choose a state")] + [(code, f"{code} – {STATE_NAMES[code]}") for code in US_STATES]


def format_phone(number: str | None) -> str:
    """A stored 10-digit phone as people read it: ``(602) 555-0100`` (anything else as stored)."""
    number = number or ""
    return f"({number[:3]}) {number[3:6]}-{number[6:]}" if len(number) == 10 and number.isdigit() else number


def format_zip(postal_code: str | None) -> str:
    """A stored ZIP code as people read it: ``85018`` or ``85018-1234``."""
    code = postal_code or ""
    return f"{code[:5]}-{code[5:]}" if len(code) == 9 and code.isdigit() else code
