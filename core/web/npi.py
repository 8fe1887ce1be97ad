"""National Provider Identifier check (CMS "Requirements for NPI Check Digit").

An NPI is 10 digits starting with 1 or 2; its last digit is a Luhn check digit computed as if the
prefix 80840 came first (see shared reference billing-rules.md §5).
"""


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def npi_error(npi: str) -> str | None:
    """The reason ``npi`` is not a valid NPI, or None when it is."""
    if len(npi) != 10 or not npi.isdigit():
        return "An NPI is exactly 10 digits."
    if npi[0] not in "12":
        return "An NPI starts with 1 or 2."
    if not luhn_valid("80840" + npi):
        return "This NPI's check digit is wrong; check the number for a typing mistake."
    return None
