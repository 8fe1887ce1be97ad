"""The Medicare documentation clocks' numbers, as effective-dated data (one place; CMS changes them).

Source: CMS Pub. 100-02 (Medicare Benefit Policy Manual) Ch. 15 §220; see
``../shared/reference/medicare-documentation-rules.md`` rules 2–5 for each number's citation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.web import in_force


@dataclass(frozen=True)
class ClockRules:
    """The numbers in force from ``effective``."""

    effective: date
    certification_max_days: int  # a plan of care certifies up to this many calendar days (or its end date)
    signature_due_days: int  # physician/NPP signature within this many days of the first treatment
    verbal_order_signature_days: int  # a verbal order needs its written signature within this many days
    progress_report_treatment_days: int  # a progress report at least every this many treatment days
    transmission_meets_initial_certification: bool  # signed order + documented POC transmission (2025)


MEDICARE_CLOCKS = (
    # 2013: the progress report every 10 treatment days (the "or 30 days" option dropped).
    ClockRules(date(2013, 1, 1), 90, 30, 14, 10, False),
    # 2025: a signed order plus one documented transmission of the POC within 30 days meets initial
    # certification (not recertification).
    ClockRules(date(2025, 1, 1), 90, 30, 14, 10, True),
)


def clock_rules_on(day: date) -> ClockRules:
    """The rules in force on ``day`` (a date of service)."""
    return in_force(MEDICARE_CLOCKS, day, what="Medicare clock rules")
