"""Documentation: note kinds, the Start / Forward / Finish state machine, the Medicare clocks.

This first part holds the rules only, as pure functions with no database or screen: ``workflow``
(``decide`` answers whether an action on a note is allowed and the state it leads to, or why not;
``may_finalize_alone``), ``clocks`` (treatment days since the last progress report, the certification
window, the signature due date) and ``rules`` (the clocks' numbers, effective-dated). The notes
themselves, their screens and the plugin note sections come next (issue 10).
"""
from core.notes.clocks import ProgressClock, certification_end, progress_clock, signature_due, treatment_days_since
from core.notes.rules import ClockRules, clock_rules_on
from core.notes.workflow import (
    Action,
    Actor,
    Decision,
    NoteFacts,
    NoteKind,
    NoteStatus,
    assistant_finalization_allowed,
    decide,
    may_finalize_alone,
)

__all__ = [
    "Action", "Actor", "ClockRules", "Decision", "NoteFacts", "NoteKind", "NoteStatus", "ProgressClock",
    "assistant_finalization_allowed", "certification_end", "clock_rules_on", "decide", "may_finalize_alone",
    "progress_clock", "signature_due", "treatment_days_since",
]
