"""How the Audit Trail names users: "Ada Quinn (PT)", linked to the user's page."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.accounts.models import User
from core.audit import RecordLabel, label_records

label_records(
    "user",
    lambda ids: select(User.id, User.first_name, User.last_name, User.user_type).where(User.id.in_(ids)),
    lambda uid, p: RecordLabel(f"{p[0]} {p[1]} ({p[2]})", url_for("user_manager.show", user_id=uid)),
)
