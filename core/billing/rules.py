"""The numbers of therapy unit billing, as effective-dated data (one place; CMS and the AMA change them).

Sources: CMS Pub. 100-04 Ch. 5 §20.2 (the 8-minute rule's unit table); CPT's midpoint rule (the Rule of
8s); see ``../shared/reference/billing-rules.md`` §2–3.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.web import in_force


@dataclass(frozen=True)
class UnitRules:
    """The unit numbers in force from ``effective``."""

    effective: date
    unit_minutes: int  # a timed code's unit is this many minutes
    first_unit_minutes: int  # total timed minutes (CMS) or a code's minutes (Rule of 8s) that make the first unit
    max_daily_minutes: int  # the most minutes one code, or one day's total, may be documented with


UNIT_RULES = (
    # CMS 8-minute rule (total time, 8-22 = 1 unit, then every 15 minutes) and CPT's midpoint rule alike.
    UnitRules(date(2000, 1, 1), 15, 8, 16 * 60),
)


def unit_rules_on(day: date) -> UnitRules:
    """The rules in force on ``day``."""
    return in_force(UNIT_RULES, day, what="unit rules")
