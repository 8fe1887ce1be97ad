"""Quick Add's own table: which patients were quick-added, in which clinic, when and by whom.

A row stays for good (it is history); whether the patient still counts as "incomplete" is decided
from the stored profile every time (:mod:`plugins.quick_add.profile`), never from a flag.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts import User
from core.patients import Patient
from core.plugin_api import db, utcnow


class QuickAddPatient(db.Model):
    """Patient ``patient_id`` was created with Quick Add Patient in clinic ``clinic_id``."""

    __tablename__ = "quick_add_patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship()
    added_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("patient_id"),
        Index("ix_quick_add_patient_clinic_added", "clinic_id", "added_at"),
    )


def mark_quick_added(clinic_id: int, patient_id: int, added_by_id: int | None) -> QuickAddPatient:
    """Record that a patient was quick-added (the caller commits)."""
    row = QuickAddPatient(clinic_id=clinic_id, patient_id=patient_id, added_by_id=added_by_id)
    db.session.add(row)
    return row


def quick_added_ids(clinic_id: int, patient_ids: list[int]) -> set[int]:
    """Which of ``patient_ids`` were quick-added in ``clinic_id``, in one query."""
    if not patient_ids:
        return set()
    return set(db.session.scalars(
        select(QuickAddPatient.patient_id).where(
            QuickAddPatient.clinic_id == clinic_id, QuickAddPatient.patient_id.in_(patient_ids)
        )
    ))
