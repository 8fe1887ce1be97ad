"""Medicare's therapy thresholds by calendar year, as data: above the KX threshold every therapy line
needs KX; above the targeted medical review line claims may be reviewed. PT and SLP share one amount, OT
has its own. Source: ../shared/reference/billing-rules.md §4 (MLN MM11055, Noridian, NGS; 2025-2026 from
secondary sources)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.web import in_force


@dataclass(frozen=True)
class Thresholds:
    year: int
    kx_pt_slp: Decimal
    kx_ot: Decimal
    targeted_review: Decimal | None  # per group (PT+SLP, OT); None after the review line ends


MEDICARE_THRESHOLDS = (
    Thresholds(2019, Decimal("2040"), Decimal("2040"), Decimal("3000")),
    # 2020: not in the reference table; CY 2021 was "a 1.4 percent increase" over it (AAPC, coding-online.net).
    Thresholds(2020, Decimal("2080"), Decimal("2080"), Decimal("3000")),
    Thresholds(2021, Decimal("2110"), Decimal("2110"), Decimal("3000")),
    Thresholds(2022, Decimal("2150"), Decimal("2150"), Decimal("3000")),
    Thresholds(2023, Decimal("2230"), Decimal("2230"), Decimal("3000")),
    Thresholds(2024, Decimal("2330"), Decimal("2330"), Decimal("3000")),
    Thresholds(2025, Decimal("2410"), Decimal("2410"), Decimal("3000")),
    Thresholds(2026, Decimal("2480"), Decimal("2480"), Decimal("3000")),
)


def thresholds_for(year: int) -> Thresholds:
    """The thresholds of calendar ``year`` (a year after the table's last uses its last row until updated)."""
    return in_force(MEDICARE_THRESHOLDS, year, start=lambda t: t.year, what="Medicare therapy thresholds")
