"""Documentation: note kinds, the Start / Forward / Finish state machine, the Medicare clocks.

Modules, one concept each:

* ``workflow``: the rules of Start / Forward / Finish (``decide``, ``may_finalize_alone``), pure.
* ``clocks`` and ``rules``: the treatment-day count, the certification window and signature due dates,
  over the effective-dated Medicare numbers; ``alerts``: a case's clocks and the company's warning or
  hard stop for each (Company Settings: Plan of Care Alerts).
* ``models``: notes, diagnoses, signatures, addenda, the physician's certification, refused saves.
* ``editing`` (reading the editor's form), ``diagnoses`` (ICD-10-CM via simple-icd-10-cm), ``content``
  (the canonical content and its SHA-256), ``sections`` (plugins' note sections), ``checks`` (what
  finalize checks), ``actions`` (every change, through ``decide``), ``lists`` (the note lists),
  ``views`` (the screens).
"""
from core.notes import audit_labels as _audit_labels  # noqa: F401  (registers how the trail names its records)
from core.notes.actions import FinalizeBlocked, NoteRefused, VersionConflict, finalize_note, start_note
from core.notes.alerts import POC_ALERTS, CaseClocks, alert_levels, case_clocks
from core.notes.clocks import ProgressClock, certification_end, progress_clock, signature_due, treatment_days_since
from core.notes.models import Addendum, Note, NoteDiagnosis, NoteSignature, PlanCertification
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
    "POC_ALERTS", "Addendum", "CaseClocks", "FinalizeBlocked", "Note", "NoteDiagnosis", "NoteRefused", "NoteSignature",
    "PlanCertification", "VersionConflict", "alert_levels", "case_clocks", "finalize_note", "start_note",
    "Action", "Actor", "ClockRules", "Decision", "NoteFacts", "NoteKind", "NoteStatus", "ProgressClock",
    "assistant_finalization_allowed", "certification_end", "clock_rules_on", "decide", "may_finalize_alone",
    "progress_clock", "signature_due", "treatment_days_since",
]
