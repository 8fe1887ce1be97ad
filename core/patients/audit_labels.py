"""How the Audit Trail names patients: "Rivera, Maria (chart #000054)", linked to the chart."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.extensions import db
from core.patients.models import Patient


def _patient_labels(ids: list[str]) -> dict[str, RecordLabel]:
    rows = db.session.execute(select(Patient.id, Patient.last_name, Patient.first_name, Patient.chart_number)
                              .where(Patient.id.in_([int(i) for i in ids])))
    return {str(pid): RecordLabel(f"{last}, {first} (chart #{chart})", url_for("patients.chart", patient_id=pid))
            for pid, last, first, chart in rows}


label_records("patient", _patient_labels)
