"""Money typed by a user: dollars and cents read as ``Decimal`` (never a float), with the words for a refusal.
One reader for every amount field (fee schedule, custom codes, payments)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("99999.99")
_AMOUNT = re.compile(r"\d+(\.\d*)?|\.\d+")


def parse_amount(text: str | None) -> Decimal:
    """``text`` as dollars and cents, or ``ValueError`` with the words for the user."""
    cleaned = (text or "").strip().removeprefix("$").replace(",", "").strip()
    if not cleaned:
        raise ValueError("Enter the amount.")
    if cleaned.startswith("-"):
        raise ValueError("The amount must be more than $0.00.")
    if not _AMOUNT.fullmatch(cleaned):
        raise ValueError("Enter the amount in dollars and cents, for example 25.00.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover (the pattern admits only numbers)
        raise ValueError("Enter the amount in dollars and cents, for example 25.00.") from error
    if amount <= 0:
        raise ValueError("The amount must be more than $0.00.")
    if "." in cleaned and len(cleaned.split(".", 1)[1]) > 2:
        raise ValueError("Use at most two decimal places (dollars and cents).")
    if amount > MAX_AMOUNT:
        raise ValueError("The amount can be at most $99,999.99.")
    return amount.quantize(Decimal("0.01"))
