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
    # parts come as text: the kind's value and the ISO date
    lambda nid, p: RecordLabel(f"{p[0]} {p[1][5:7]}/{p[1][8:10]}/{p[1][:4]} — {p[2]}, {p[3]}",
                               url_for("notes.show", note_id=nid)),
)
