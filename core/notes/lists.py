"""The note lists: the chart's and the case's (filterable by type and status), My notes (the provider's
drafts, returned and pending notes) and Incomplete Cosign Docs (notes forwarded to the signed-in
therapist). Each is one prebuilt statement (authors and co-signers joined, the total counted in the same
statement): a constant number of queries whatever the number of notes or plugins."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from core.accounts import User
from core.cases import Case
from core.notes.models import Note
from core.notes.workflow import NoteKind, NoteStatus
from core.patients import Patient
from core.web import paginate

NAMES = (User.first_name, User.last_name, User.user_type)
LIST_LOADERS = (
    joinedload(Note.author).load_only(*NAMES),
    joinedload(Note.cosigner).load_only(*NAMES),
)
QUEUE_LOADERS = LIST_LOADERS + (
    joinedload(Note.patient).load_only(Patient.first_name, Patient.last_name, Patient.date_of_birth),
    joinedload(Note.case).load_only(Case.title, Case.discipline),
)
OPEN = (NoteStatus.DRAFT, NoteStatus.RETURNED, NoteStatus.PENDING_COSIGNATURE)


def filters_from(args) -> dict:
    """The list filters from the query string: ``kind`` and ``status`` (unknown values ignored)."""
    kinds = {k.value for k in NoteKind}
    statuses = {s.value for s in NoteStatus}
    return {"kind": args.get("kind") if args.get("kind") in kinds else None,
            "status": args.get("status") if args.get("status") in statuses else None}


@cache
def _scoped_statement(scope: str, kind: bool, status: bool):
    column = Note.patient_id if scope == "patient" else Note.case_id
    statement = select(Note).where(column == bindparam("owner"), Note.clinic_id == bindparam("clinic_id"))
    if kind:
        statement = statement.where(Note.kind == bindparam("kind"))
    if status:
        statement = statement.where(Note.status == bindparam("status"))
    return statement.order_by(Note.date_of_service.desc(), Note.id.desc())


def notes_page(scope: str, owner_id: int, clinic_id: int, filters: dict, size: int = 20):
    """One page of a patient's (``scope="patient"``) or a case's (``"case"``) notes, newest first."""
    statement = _scoped_statement(scope, bool(filters.get("kind")), bool(filters.get("status")))
    params = {"owner": owner_id, "clinic_id": clinic_id}
    if filters.get("kind"):
        params["kind"] = NoteKind(filters["kind"])
    if filters.get("status"):
        params["status"] = NoteStatus(filters["status"])
    return paginate(statement, LIST_LOADERS + (joinedload(Note.case).load_only(Case.title),), size=size,
                    count="window", params=params)


@cache
def _mine_statement():
    return (select(Note).where(Note.clinic_id == bindparam("clinic_id"), Note.status.in_(OPEN),
                               Note.author_id == bindparam("user_id"))
            .order_by(Note.date_of_service.desc(), Note.id.desc()))


@cache
def _cosign_statement():
    return (select(Note).where(Note.clinic_id == bindparam("clinic_id"), Note.cosigner_id == bindparam("user_id"),
                               Note.status == NoteStatus.PENDING_COSIGNATURE)
            .order_by(Note.forwarded_at, Note.id))


def my_notes_page(user_id: int, clinic_id: int, size: int = 25):
    return paginate(_mine_statement(), QUEUE_LOADERS, size=size, count="window",
                    params={"clinic_id": clinic_id, "user_id": user_id})


def cosign_page(user_id: int, clinic_id: int, size: int = 25):
    return paginate(_cosign_statement(), QUEUE_LOADERS, size=size, count="window",
                    params={"clinic_id": clinic_id, "user_id": user_id})
