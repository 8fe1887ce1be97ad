"""How the Audit Trail names fee schedule entries and custom codes, linked to their edit pages."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.audit import RecordLabel, label_records
from core.billing.models import CustomCode, FeeScheduleEntry

label_records(
    "fee_schedule_entry",
    lambda ids: (select(FeeScheduleEntry.id, FeeScheduleEntry.code, FeeScheduleEntry.effective_from)
                 .where(FeeScheduleEntry.id.in_(ids))),
    lambda eid, p: RecordLabel(f"Fee schedule {p[0]} from {p[1]}", url_for("billing.edit_entry", entry_id=eid)),
)
label_records(
    "custom_code",
    lambda ids: select(CustomCode.id, CustomCode.code).where(CustomCode.id.in_(ids)),
    lambda cid, p: RecordLabel(f"Custom code {p[0]}", url_for("billing.edit_custom_code", custom_code_id=cid)),
)
