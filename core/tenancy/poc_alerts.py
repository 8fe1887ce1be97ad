"""Company Settings: Plan of Care Alerts. Which Medicare clocks the company sets as a warning or a hard
stop (the clocks themselves are ``core.notes.alerts``; their numbers ``core.notes.rules``)."""
from __future__ import annotations

from dataclasses import dataclass

WARNING, HARD_STOP = "warning", "hard_stop"
LEVELS = ((WARNING, "Warning"), (HARD_STOP, "Hard stop"))


@dataclass(frozen=True)
class AlertKind:
    key: str
    label: str
    default: str
    help: str


POC_ALERTS = (
    AlertKind("certification", "Plan of care expired", HARD_STOP,
              "A daily note dated after the certification period ends (the plan's end date or 90 days)."),
    AlertKind("signature", "Physician signature overdue", WARNING,
              "The signed plan of care has not come back within 30 days of the first treatment (14 for a verbal order)."),
    AlertKind("progress_report", "Progress report due", WARNING,
              "A daily note past the 10th treatment day since the last progress report."),
)


def alert_levels(company) -> dict[str, str]:
    """The company's level for each clock (its choice, or the default)."""
    chosen = company.poc_alerts or {}
    return {a.key: chosen[a.key] if chosen.get(a.key) in (WARNING, HARD_STOP) else a.default for a in POC_ALERTS}
