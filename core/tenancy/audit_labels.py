"""How the Audit Trail names clinics and companies."""
from __future__ import annotations

from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.tenancy.models import Clinic, Company

for _name, _model in (("clinic", Clinic), ("company", Company)):
    label_records(_name, lambda ids, model=_model: select(model.id, model.name).where(model.id.in_(ids)),
                  lambda row_id, p: RecordLabel(p[0]))
