"""Which modifiers a therapy line carries, and why: pure rules over a line's facts (no database).

* GP / GO / GN from the case's discipline, on every therapy line (MCPM Ch. 5 §20.1).
* CQ / CO on Medicare lines an assistant furnished in whole or in part, past the 10% de minimis rule
  (the assistant's minutes independent of the therapist); cases the rule leaves open are flagged for
  review, never guessed.
* KX on Medicare lines once the year's therapy spend (PT+SLP together, OT apart) passes the threshold, or
  when the case says Apply Modifier: KX; a warning before the targeted medical review line.
Source: ../shared/reference/billing-rules.md §4; the amounts are ``core.billing.thresholds`` data.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.billing.thresholds import thresholds_for

DISCIPLINE_MODIFIERS = {"PT": "GP", "OT": "GO", "SLP": "GN"}
ASSISTANT_MODIFIERS = {"PT": "CQ", "OT": "CO"}  # SLP assistants have no payment modifier
DE_MINIMIS = Decimal("0.10")  # an assistant's share above this brings CQ/CO
MODIFIER_ORDER = ("59", "XE", "XS", "XP", "XU", "GP", "GO", "GN", "CQ", "CO", "KX")
"""The order modifiers are listed on a line (pricing first, then the therapy and informational ones)."""
MAX_MODIFIERS = 4

THERAPIST, ASSISTANT, TOGETHER = "therapist", "assistant", "together"


@dataclass(frozen=True)
class ModifierCall:
    """A modifier decision: the modifier (or None), why, and whether a person must look at it."""

    modifier: str | None
    reason: str
    review: bool = False


def discipline_modifier(discipline: str) -> ModifierCall:
    modifier = DISCIPLINE_MODIFIERS[discipline]
    return ModifierCall(modifier, f"{modifier}: the service is under the {discipline} plan of care.")


def assistant_modifier(discipline: str, furnished_by: str, minutes: int, assistant_minutes: int = 0, *,
                       timed: bool, medicare: bool) -> ModifierCall:
    """CQ (PTA) or CO (OTA) for one line.

    :param furnished_by: ``"therapist"`` (alone), ``"assistant"`` (alone) or ``"together"``.
    :param minutes: the service's minutes.
    :param assistant_minutes: for ``"together"``, the assistant's minutes independent of the therapist
        (minutes spent together count as the therapist's).
    """
    modifier = ASSISTANT_MODIFIERS.get(discipline)
    if not medicare or modifier is None or furnished_by == THERAPIST:
        return ModifierCall(None, "No assistant modifier: " + (
            "not a Medicare line." if not medicare else "no PTA/OTA modifier for this discipline." if modifier is None
            else "furnished by the therapist."))
    if furnished_by == ASSISTANT:
        return ModifierCall(modifier, f"{modifier}: furnished by the assistant alone.")
    if assistant_minutes < 0 or assistant_minutes > minutes:
        raise ValueError("the assistant's independent minutes must be from 0 to the service's minutes")
    if minutes == 0 or Decimal(assistant_minutes) <= DE_MINIMIS * minutes:
        return ModifierCall(None, f"No {modifier}: the assistant's independent minutes ({assistant_minutes} of {minutes}) "
                                  "are not more than 10% of the service.")
    share = f"{assistant_minutes} of {minutes} minutes"
    if not timed:
        return ModifierCall(modifier, f"{modifier}: the assistant furnished more than 10% of the service ({share}).")
    return ModifierCall(modifier, (f"{modifier}: the assistant furnished more than 10% of the service ({share}); how CMS "
                                   "splits a unit between therapist and assistant is not settled: review this line."),
                        review=True)


def kx_modifier(year: int, discipline: str, spent: Decimal, line_amount: Decimal, *, medicare: bool,
                case_applies_kx: bool = False) -> tuple[ModifierCall, str | None]:
    """KX for one line, and a warning near the targeted medical review line.

    :param spent: the patient's Medicare therapy charges of ``year`` in the discipline's group (PT+SLP, or OT)
        before this line, including what was spent elsewhere.
    :param line_amount: this line's charge.
    :return: (the KX decision, a warning or None).
    """
    if not medicare:
        return ModifierCall(None, "No KX: not a Medicare line."), None
    limits = thresholds_for(year)
    group = "OT" if discipline == "OT" else "PT and SLP"
    threshold = limits.kx_ot if discipline == "OT" else limits.kx_pt_slp
    after = spent + line_amount
    warning = None
    if limits.targeted_review is not None and after >= limits.targeted_review:
        warning = (f"{group} therapy this year reaches ${after:,.2f}, at or past the ${limits.targeted_review:,.0f} "
                   "targeted medical review line: claims may be reviewed.")
    if case_applies_kx:
        return ModifierCall("KX", "KX: the case says Apply Modifier: KX."), warning
    if after > threshold:
        return ModifierCall("KX", (f"KX: {group} therapy this year reaches ${after:,.2f}, past the {year} threshold of "
                                   f"${threshold:,.0f}.")), warning
    return ModifierCall(None, f"No KX: {group} therapy this year is ${after:,.2f}, within the ${threshold:,.0f} threshold."), warning


def ordered(modifiers) -> list[str]:
    """``modifiers`` without repeats in the line order (``MODIFIER_ORDER``, then the others as given); raises
    ValueError past four."""
    unique = list(dict.fromkeys(m for m in modifiers if m))
    rank = {m: i for i, m in enumerate(MODIFIER_ORDER)}
    result = sorted(unique, key=lambda m: (rank.get(m, len(rank)), unique.index(m)))
    if len(result) > MAX_MODIFIERS:
        raise ValueError(f"a line carries at most {MAX_MODIFIERS} modifiers, not {len(result)}: {', '.join(result)}")
    return result
