"""How the Audit Trail names insurances and referring physicians, linked to their pages."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.extensions import db
from core.payers.models import Insurance, ReferringPhysician


def _insurance_labels(ids: list[str]) -> dict[str, RecordLabel]:
    rows = db.session.execute(select(Insurance.id, Insurance.name).where(Insurance.id.in_([int(i) for i in ids])))
    return {str(iid): RecordLabel(name, url_for("insurances.edit", insurance_id=iid)) for iid, name in rows}


def _physician_labels(ids: list[str]) -> dict[str, RecordLabel]:
    rows = db.session.execute(select(ReferringPhysician.id, ReferringPhysician.last_name, ReferringPhysician.first_name)
                              .where(ReferringPhysician.id.in_([int(i) for i in ids])))
    return {str(pid): RecordLabel(f"Dr. {first} {last}", url_for("insurances.physician", physician_id=pid))
            for pid, last, first in rows}


label_records("insurance", _insurance_labels)
label_records("referring_physician", _physician_labels)
