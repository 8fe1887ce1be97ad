"""How the Audit Trail names cases: "Knee rehab — Rivera, Maria", linked to the case."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.cases.models import Case
from core.extensions import db
from core.patients import Patient


def _case_labels(ids: list[str]) -> dict[str, RecordLabel]:
    rows = db.session.execute(select(Case.id, Case.title, Case.patient_id, Patient.last_name, Patient.first_name)
                              .join(Patient, Patient.id == Case.patient_id).where(Case.id.in_([int(i) for i in ids])))
    return {str(cid): RecordLabel(f"{title} — {last}, {first}", url_for("cases.show", patient_id=pid, case_id=cid))
            for cid, title, pid, last, first in rows}


label_records("case", _case_labels)
