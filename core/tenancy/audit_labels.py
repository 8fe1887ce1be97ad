"""How the Audit Trail names clinics and companies."""
from __future__ import annotations

from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.extensions import db
from core.tenancy.models import Clinic, Company


def _labels(model):
    def load(ids: list[str]) -> dict[str, RecordLabel]:
        rows = db.session.execute(select(model.id, model.name).where(model.id.in_([int(i) for i in ids])))
        return {str(row_id): RecordLabel(name) for row_id, name in rows}

    return load


label_records("clinic", _labels(Clinic))
label_records("company", _labels(Company))
