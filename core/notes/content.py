"""What a note says, as one canonical document: the SHA-256 that locks a finalized note is taken over
it, the print view and the copy into a new case (Initial Exam Case Copy) read it."""
from __future__ import annotations

import hashlib
import json

SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
PLAN_FIELDS = ("frequency_per_week", "duration_weeks", "interventions", "plan_start", "plan_end")
COPIED_FIELDS = SOAP_FIELDS + ("measurements", "goals", "interventions", "frequency_per_week", "duration_weeks", "sections")
"""What Initial Exam Case Copy carries into the new case's draft (never dates or signatures)."""

MEASUREMENT_KINDS = ("Range of motion (degrees)", "Strength (0-5)", "Pain (0-10)", "Other")


def canonical_content(note) -> dict:
    """The note's locked content: kind, date, patient, case, author, SOAP, measurements, plan of care,
    diagnoses, plugin sections and the billing choice. Not the physician's certification, which
    changes after finalize, nor the signatures, which are taken at finalize."""
    return {
        "note_id": note.id, "kind": note.kind.value, "date_of_service": note.date_of_service.isoformat(),
        "patient_id": note.patient_id, "case_id": note.case_id, "author_id": note.author_id,
        "supervised_by_id": note.supervised_by_id, "do_not_bill": bool(note.do_not_bill),
        **{f: getattr(note, f) or "" for f in SOAP_FIELDS},
        "measurements": list(note.measurements or []), "goals": list(note.goals or []),
        "frequency_per_week": note.frequency_per_week, "duration_weeks": note.duration_weeks,
        "interventions": note.interventions or "",
        "plan_start": note.plan_start.isoformat() if note.plan_start else None,
        "plan_end": note.plan_end.isoformat() if note.plan_end else None,
        "diagnoses": [{"code": d.code, "treating": bool(d.is_treating)} for d in note.diagnoses],
        "sections": dict(note.sections or {}), "assistant_verbiage": note.assistant_verbiage or "",
    }


def content_sha256(document: dict) -> str:
    """SHA-256 (hex) of ``document`` serialised canonically (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_sha256(note) -> str:
    return content_sha256(canonical_content(note))


def addendum_sha256(addendum) -> str:
    return content_sha256({"note_id": addendum.note_id, "addendum_id": addendum.id, "author_id": addendum.author_id,
                           "text": addendum.text, "rebill": bool(addendum.rebill)})


def is_intact(note) -> bool:
    """Whether a finalized note's content still matches the SHA-256 stored when it was finalized."""
    return note.content_sha256 is not None and note.content_sha256 == note_sha256(note)
