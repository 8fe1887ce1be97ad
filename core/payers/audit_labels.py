"""How the Audit Trail names insurances and referring physicians, linked to their pages."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.payers.models import Insurance, ReferringPhysician

label_records(
    "insurance",
    lambda ids: select(Insurance.id, Insurance.name).where(Insurance.id.in_(ids)),
    lambda iid, p: RecordLabel(p[0], url_for("insurances.edit", insurance_id=iid)),
)
label_records(
    "referring_physician",
    lambda ids: (select(ReferringPhysician.id, ReferringPhysician.last_name, ReferringPhysician.first_name)
                 .where(ReferringPhysician.id.in_(ids))),
    lambda pid, p: RecordLabel(f"Dr. {p[1]} {p[0]}", url_for("insurances.physician", physician_id=pid)),
)
