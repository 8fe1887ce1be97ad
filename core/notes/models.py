"""Notes on a case: SOAP content, the plan of care (diagnoses, goals, frequency, duration, dates) on
evaluative notes, signatures, addenda and the physician's certification of the plan.

A note's content is locked once finalized: ``content_sha256`` is the SHA-256 of its canonical content
(``core.notes.content.canonical_content``), so a change made behind the application's back shows.
``version`` is SQLAlchemy's version counter: a save made from an older version is refused, never merged.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts import User
from core.cases import Case
from core.extensions import db, utcnow
from core.extensions import enum_column as _enum
from core.notes.workflow import NoteKind, NoteStatus
from core.patients import Patient

TEXT_LIMIT = 20_000
"""The most characters a SOAP section, an addendum or a comment may hold."""
MAX_DIAGNOSES = 12


class GoalStatus:
    CHOICES = ("progressing", "met", "not met", "discontinued")


class Note(db.Model):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"))
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind, 40))
    status: Mapped[NoteStatus] = mapped_column(_enum(NoteStatus, 25), default=NoteStatus.DRAFT)
    date_of_service: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The therapist a note is forwarded to for co-signature, and an assistant's supervising therapist.
    cosigner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The editor (one open page, ``editor`` in its form) that saved last and its save counter: that page's
    # own later saves are never a conflict, whatever version they carry; another page's are.
    editor_token: Mapped[str] = mapped_column(String(32), default="")
    editor_seq: Mapped[int] = mapped_column(Integer, default=0)
    # SOAP.
    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    measurements: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind", "site", "value"}]
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    # Plan of care (evaluative notes).
    goals: Mapped[list] = mapped_column(JSON, default=list)  # [{"term": "short"|"long", "text", "status"}]
    frequency_per_week: Mapped[int | None] = mapped_column(Integer)
    duration_weeks: Mapped[int | None] = mapped_column(Integer)
    interventions: Mapped[str] = mapped_column(Text, default="")
    plan_start: Mapped[date | None] = mapped_column(Date)
    plan_end: Mapped[date | None] = mapped_column(Date)
    # Plugins' note sections: {plugin name: {key: value}}.
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    do_not_bill: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Charge Summary's totals and unit method as last computed (its lines: core.billing.ChargeLine).
    total_timed_minutes: Mapped[int] = mapped_column(Integer, default=0)
    total_treatment_minutes: Mapped[int] = mapped_column(Integer, default=0)
    unit_method: Mapped[str] = mapped_column(String(20), default="")
    unit_method_reason: Mapped[str] = mapped_column(String(400), default="")
    unit_choice: Mapped[int] = mapped_column(Integer, default=0)  # a CMS tie: 0 the default, k the k-th alternative
    return_comment: Mapped[str] = mapped_column(Text, default="")
    assistant_verbiage: Mapped[str] = mapped_column(String(500), default="")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    # Finalize & Rebill on an addendum: the note's charges wait for a charge update (the feed's corrected claim).
    charges_need_update: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column()
    finalized_at: Mapped[datetime | None] = mapped_column()
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    content_sha256: Mapped[str | None] = mapped_column(String(64))

    patient: Mapped[Patient] = relationship()
    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    cosigner: Mapped[User | None] = relationship(foreign_keys=[cosigner_id])
    supervised_by: Mapped[User | None] = relationship(foreign_keys=[supervised_by_id])
    diagnoses: Mapped[list["NoteDiagnosis"]] = relationship(
        cascade="all, delete-orphan", order_by="NoteDiagnosis.position", back_populates="note")
    signatures: Mapped[list["NoteSignature"]] = relationship(
        cascade="all, delete-orphan", order_by="NoteSignature.id", back_populates="note")
    addenda: Mapped[list["Addendum"]] = relationship(
        cascade="all, delete-orphan", order_by="Addendum.id", back_populates="note")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_note_case_date", "case_id", "date_of_service"),
        Index("ix_note_patient_date", "patient_id", "date_of_service"),
        Index("ix_note_author_status", "author_id", "status"),
        Index("ix_note_cosigner_status", "cosigner_id", "status"),
        Index("ix_note_clinic_status", "clinic_id", "status"),
    )

    @property
    def is_finalized(self) -> bool:
        return self.status is NoteStatus.FINALIZED

    @property
    def is_editable(self) -> bool:
        return self.status in (NoteStatus.DRAFT, NoteStatus.RETURNED, NoteStatus.PENDING_COSIGNATURE)

    @property
    def treating_diagnosis(self) -> "NoteDiagnosis | None":
        return next((d for d in self.diagnoses if d.is_treating), None)

    @property
    def goes_to_billing(self) -> bool:
        """Whether this finalized note sends the case and its charges to billing: a billable note (not a
        placeholder evaluation, not Do Not Bill) finalized by a therapist, not an assistant alone."""
        if not self.is_finalized or self.do_not_bill or not self.kind.is_billable:
            return False
        finalizer = next((s for s in reversed(self.signatures)), None)
        return finalizer is not None and finalizer.is_therapist


class NoteDiagnosis(db.Model):
    """An ICD-10-CM diagnosis of a plan of care, in claim order (at most 12); one is the treating one."""

    __tablename__ = "note_diagnosis"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(300))
    is_treating: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[Note] = relationship(back_populates="diagnoses")
    __table_args__ = (UniqueConstraint("note_id", "position"),)


class NoteSignature(db.Model):
    """The signature a note carries: a copy taken at finalize (a later change of the provider's signature
    or name does not change a signed note)."""

    __tablename__ = "note_signature"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # "provider" | "co-signer"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(201))
    credentials: Mapped[str] = mapped_column(String(10))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str | None] = mapped_column(String(10))  # the ProviderSignature kind, None: no signature on file
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    mime: Mapped[str | None] = mapped_column(String(20))
    typed_text: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[Note] = relationship(back_populates="signatures")

    @property
    def is_therapist(self) -> bool:
        return self.credentials in ("PT", "OT", "SLP")


class Addendum(db.Model):
    """A change to a finalized note, with its own text, author and date; shown under the original."""

    __tablename__ = "note_addendum"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finalized_at: Mapped[datetime | None] = mapped_column()
    rebill: Mapped[bool] = mapped_column(Boolean, default=False)  # Finalize & Rebill: claim impact
    signed_name: Mapped[str] = mapped_column(String(201), default="")
    signed_credentials: Mapped[str] = mapped_column(String(10), default="")
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[Note] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()

    @property
    def is_finalized(self) -> bool:
        return self.finalized_at is not None


class PlanCertification(db.Model):
    """The physician's certification of an evaluative note's plan of care: changes after the note is
    finalized (sent, signed copy received), so it is kept apart from the note's locked content."""

    __tablename__ = "plan_certification"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), unique=True)
    sent_on: Mapped[date | None] = mapped_column(Date)  # the documented transmission of the POC
    verbal_order_on: Mapped[date | None] = mapped_column(Date)
    order_signed_on: Mapped[date | None] = mapped_column(Date)  # a signed, dated order or referral (2025 rule)
    signed_on: Mapped[date | None] = mapped_column(Date)  # the physician's signature date on the POC
    received_on: Mapped[date | None] = mapped_column(Date)
    signed_copy: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signed_copy_mime: Mapped[str | None] = mapped_column(String(40))
    signed_copy_name: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[Note] = relationship()


class RefusedSave(db.Model):
    """A save refused because someone saved the note first: the refused text is kept for its writer."""

    __tablename__ = "note_refused_save"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
