"""How the Audit Trail names users: "Ada Quinn (PT)", linked to the user's page."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.accounts.models import User
from core.audit import RecordLabel, label_records
from core.extensions import db


def _user_labels(ids: list[str]) -> dict[str, RecordLabel]:
    rows = db.session.execute(select(User.id, User.first_name, User.last_name, User.user_type)
                              .where(User.id.in_([int(i) for i in ids])))
    return {str(uid): RecordLabel(f"{first} {last} ({kind.value})", url_for("user_manager.show", user_id=uid))
            for uid, first, last, kind in rows}


label_records("user", _user_labels)
