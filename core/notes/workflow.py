"""Start / Forward / Finish as one state machine: every route that changes a note's state asks
``decide(...)``, whatever screen the note was opened from, so the same state decides what can be done.

    Draft ──forward──▶ Pending co-signature ──co-sign & finalize──▶ Finalized
      ▲  └────────────────finalize (may finalize alone)────────────────▲
      └───────return (with a comment)──── Pending co-signature
    Returned behaves as Draft (the author edits and forwards or finalizes again). While a note is pending,
    only its co-signer may edit it (before co-signing).

Who may finalize alone: a therapist (PT, OT, SLP) with Finish SOAP Notes; an assistant (PTA, COTA, SLPA)
with Finish SOAP Notes and its attestation, for a note where assistant finalization is allowed (the
insurance's "Allow therapist assistants to finalize notes" when the case has one, which overrides the
clinic's Assistant Note Finalization; the clinic's otherwise), never for an evaluative note; a student
never. Pure rules: no database, no request.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from core.accounts import LicenseCategory, UserType
from core.web import Permission


class NoteKind(str, enum.Enum):
    INITIAL_EVALUATION = "Initial Evaluation"
    DAILY_NOTE = "Daily Note"
    PROGRESS_NOTE = "Progress Note / Re-Certification"
    DISCHARGE_SUMMARY = "Discharge Summary"
    PLACEHOLDER_EVALUATION = "Placeholder Initial Evaluation"

    @property
    def is_evaluative(self) -> bool:
        return self is not NoteKind.DAILY_NOTE

    @property
    def is_billable(self) -> bool:
        """A placeholder evaluation (done elsewhere or on paper) has no charges and is never billed."""
        return self is not NoteKind.PLACEHOLDER_EVALUATION


class NoteStatus(str, enum.Enum):
    DRAFT = "draft"
    RETURNED = "returned"
    PENDING_COSIGNATURE = "pending co-signature"
    FINALIZED = "finalized"


class Action(str, enum.Enum):
    SAVE = "save"
    FORWARD = "forward"
    RETURN = "return"
    FINALIZE = "finalize"
    COSIGN = "co-sign and finalize"


@dataclass(frozen=True)
class Actor:
    """Who asks: their id, user type, permissions and, for assistants, the Finish attestation."""

    user_id: int
    user_type: UserType
    permissions: frozenset
    attested: bool = False


@dataclass(frozen=True)
class NoteFacts:
    """What the rules need to know of a note."""

    kind: NoteKind
    status: NoteStatus
    author_id: int
    cosigner_id: int | None = None  # the therapist it is forwarded to
    clinic_allows_assistants: bool = False  # Clinic Settings: Assistant Note Finalization
    insurance_allows_assistants: bool | None = None  # the case's primary insurance's setting; None: no insurance


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    to: NoteStatus | None = None

    def __bool__(self) -> bool:
        return self.allowed


EDITABLE = (NoteStatus.DRAFT, NoteStatus.RETURNED)


def assistant_finalization_allowed(note: NoteFacts) -> bool:
    """The insurance's setting overrides the clinic's; without an insurance the clinic's applies."""
    if note.insurance_allows_assistants is not None:
        return note.insurance_allows_assistants
    return note.clinic_allows_assistants


def may_finalize_alone(note: NoteFacts, actor: Actor) -> Decision:
    """Whether ``actor`` may finalize ``note`` without a co-signature, and if not, why (the user's words)."""
    category = actor.user_type.license_category
    if Permission.FINISH_NOTES not in actor.permissions:
        return Decision(False, "You need the Finish SOAP Notes permission to finalize; forward the note for co-signature.")
    if category is LicenseCategory.STUDENT:
        return Decision(False, "A student's note needs a therapist's co-signature: forward it.")
    if category is LicenseCategory.THERAPIST:
        return Decision(True)
    if category is LicenseCategory.ASSISTANT:
        if note.kind.is_evaluative:
            return Decision(False, f"A {note.kind.value} is finalized by a PT, OT or SLP: forward it for co-signature.")
        if not actor.attested:
            return Decision(False, "Finish SOAP Notes for an assistant needs its attestation (User Manager).")
        if not assistant_finalization_allowed(note):
            where = ("the patient's insurance does not allow therapist assistants to finalize notes"
                     if note.insurance_allows_assistants is not None else "the clinic's Assistant Note Finalization is off")
            return Decision(False, f"This note needs a therapist's co-signature: {where}.")
        return Decision(True)
    return Decision(False, f"A {actor.user_type.value} profile does not document notes.")


def decide(action: Action, note: NoteFacts, actor: Actor, cosigner: Actor | None = None) -> Decision:
    """Whether ``actor`` may do ``action`` to ``note`` now, the state it leads to, or why not.

    :param cosigner: for FORWARD, the therapist the note is forwarded to.
    """
    if note.status is NoteStatus.FINALIZED:
        return Decision(False, "This note is finalized: change it with an addendum.")
    if action is Action.SAVE and note.status is NoteStatus.PENDING_COSIGNATURE:
        # The co-signer may edit what they are about to co-sign; the author waits.
        if actor.user_id != note.cosigner_id:
            return Decision(False, "This note is pending co-signature: only the co-signer can act on it now.")
        return Decision(True, to=note.status)
    if action in (Action.SAVE, Action.FORWARD, Action.FINALIZE):
        if note.status not in EDITABLE:
            return Decision(False, "This note is pending co-signature: only the co-signer can act on it now.")
        if actor.user_id != note.author_id:
            return Decision(False, "Only the note's author can change a draft.")
        if Permission.START_NOTES not in actor.permissions:
            return Decision(False, "You need the Start SOAP Notes permission to write notes.")
    if action is Action.SAVE:
        return Decision(True, to=note.status)
    if action is Action.FORWARD:
        if Permission.FORWARD_NOTES not in actor.permissions:
            return Decision(False, "You need the Forward SOAP Notes permission to forward a note.")
        if cosigner is None or cosigner.user_id == actor.user_id:
            return Decision(False, "Choose the therapist who will co-sign the note.")
        if not _may_cosign(cosigner):
            return Decision(False, "Only a PT, OT or SLP with Finish SOAP Notes can co-sign a note.")
        return Decision(True, to=NoteStatus.PENDING_COSIGNATURE)
    if action is Action.FINALIZE:
        alone = may_finalize_alone(note, actor)
        return Decision(True, to=NoteStatus.FINALIZED) if alone else alone
    # RETURN and COSIGN: the named co-signer, on a pending note
    if note.status is not NoteStatus.PENDING_COSIGNATURE:
        return Decision(False, "This note is not waiting for a co-signature.")
    if actor.user_id != note.cosigner_id:
        return Decision(False, "This note was forwarded to another therapist for co-signature.")
    if action is Action.RETURN:
        return Decision(True, to=NoteStatus.RETURNED)
    if not _may_cosign(actor):
        return Decision(False, "Only a PT, OT or SLP with Finish SOAP Notes can co-sign a note.")
    return Decision(True, to=NoteStatus.FINALIZED)


def _may_cosign(actor: Actor) -> bool:
    return actor.user_type.is_therapist and Permission.FINISH_NOTES in actor.permissions
