"""How the Audit Trail names cases: "Knee rehab — Rivera, Maria", linked to the case."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.cases.models import Case
from core.patients import Patient

label_records(
    "case",
    lambda ids: (select(Case.id, Case.title, Case.patient_id, Patient.last_name, Patient.first_name)
                 .join(Patient, Patient.id == Case.patient_id).where(Case.id.in_(ids))),
    lambda cid, p: RecordLabel(f"{p[0]} — {p[2]}, {p[3]}", url_for("cases.show", patient_id=int(p[1]), case_id=cid)),
)
