"""How the Audit Trail names notes: "Daily Note 11/30/2026 — Rivera, Maria", linked to the note."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.notes.models import Note
from core.patients import Patient

label_records(
    "note",
    lambda ids: (select(Note.id, Note.kind, Note.date_of_service, Patient.last_name, Patient.first_name)
                 .join(Patient, Patient.id == Note.patient_id).where(Note.id.in_(ids))),
    lambda nid, p: RecordLabel(f"{getattr(p[0], 'value', p[0])} {p[1]:%m/%d/%Y} — {p[2]}, {p[3]}",
                               url_for("notes.show", note_id=nid)),
)
