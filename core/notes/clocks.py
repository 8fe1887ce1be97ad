"""The treatment-day count and the certification window: pure functions over dates (no database).

A treatment day is a calendar day with a finalized treatment of the discipline; two visits of one
discipline on one day count once; the count starts on day 1 of the episode (even when that day was only
the evaluation) and restarts after each progress report. WebPT counts notes instead; this counts days.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from core.notes.rules import clock_rules_on


@dataclass(frozen=True)
class ProgressClock:
    treatment_days: int  # since the last progress report (or the start of the episode)
    due_at: int  # the treatment day on which a progress report is due

    @property
    def progress_report_due(self) -> bool:
        return self.treatment_days >= self.due_at


def treatment_days_since(visit_days: Iterable[date], episode_start: date, last_progress_report: date | None = None) -> int:
    """The number of distinct treatment days counted for the next progress report.

    :param visit_days: dates of service of the discipline's finalized treatment notes (duplicates allowed).
    :param episode_start: day 1 of the episode (the initial evaluation's date of service), counted.
    :param last_progress_report: the date of service of the last progress report, if any: the count
        restarts on the day after it.
    """
    start = last_progress_report + timedelta(days=1) if last_progress_report else episode_start
    days = {d for d in visit_days if d >= start}
    if last_progress_report is None:
        days.add(episode_start)
    return len(days)


def progress_clock(visit_days: Iterable[date], episode_start: date, last_progress_report: date | None, today: date) -> ProgressClock:
    """The progress-report clock with the rules in force ``today``."""
    rules = clock_rules_on(today)
    return ProgressClock(treatment_days_since(visit_days, episode_start, last_progress_report),
                         rules.progress_report_treatment_days)


def certification_end(start: date, plan_end: date | None) -> date:
    """The last day the plan of care certifies: its end date or the maximum window, whichever is first
    (day 1 is ``start``, the initial evaluation's date)."""
    window_end = start + timedelta(days=clock_rules_on(start).certification_max_days - 1)
    return min(window_end, plan_end) if plan_end else window_end


def signature_due(first_treatment: date, verbal_order: bool = False) -> date:
    """The day by which the physician's signature on the plan of care is due."""
    rules = clock_rules_on(first_treatment)
    return first_treatment + timedelta(days=rules.verbal_order_signature_days if verbal_order else rules.signature_due_days)
