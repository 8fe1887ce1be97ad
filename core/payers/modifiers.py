"""Keeping insurances' modifiers within the company's list: when Company Settings takes an Additional
Modifier off the list, it is taken off every insurance of the company that had it enabled."""
from __future__ import annotations

from sqlalchemy import select

from core.audit import record
from core.extensions import db
from core.payers.models import Insurance
from core.tenancy import company_modifiers_removed


@company_modifiers_removed.connect
def remove_modifiers_from_insurances(company, *, removed: set[str], clinic_id: int) -> int:
    """Take ``removed`` out of every company insurance's enabled modifiers; return how many changed."""
    changed = 0
    for insurance in db.session.scalars(select(Insurance).where(Insurance.company_id == company.id)):
        before = list(insurance.enabled_modifiers or [])
        after = [m for m in before if m not in removed]
        if after != before:
            insurance.enabled_modifiers = after
            record("insurance.update", "insurance", insurance.id, clinic_id=clinic_id,
                   summary="enabled_modifiers changed (modifier removed in Company Settings)",
                   changes={"enabled_modifiers": [before, after]})
            changed += 1
    return changed
