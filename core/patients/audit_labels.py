"""How the Audit Trail names patients: "Rivera, Maria (chart #000054)", linked to the chart."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.patients.models import Patient

label_records(
    "patient",
    lambda ids: select(Patient.id, Patient.last_name, Patient.first_name, Patient.chart_number).where(Patient.id.in_(ids)),
    lambda pid, p: RecordLabel(f"{p[0]}, {p[1]} (chart #{p[2]})", url_for("patients.chart", patient_id=pid)),
)
