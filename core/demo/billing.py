"""Demo billing data: the company's fee schedule and custom codes, 59 among the Additional Modifiers (enabled on
Blue Cross Blue Shield), and the Charge Summary each demo note documents (``charges_for``)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.billing import CustomCode, FeeScheduleEntry
from core.extensions import db
from core.notes.workflow import NoteKind
from core.payers import Insurance

FEES = {
    "97161": "125.00", "97162": "150.00", "97163": "175.00", "97164": "95.00", "97165": "125.00", "97166": "150.00",
    "97167": "175.00", "97168": "95.00", "97110": "42.00", "97112": "44.00", "97116": "40.00", "97140": "41.00",
    "97530": "46.00", "97535": "43.00", "97035": "22.00", "97010": "15.00", "G0283": "18.00", "97150": "30.00",
    "92507": "110.00", "92526": "115.00", "92521": "160.00", "92522": "160.00", "92523": "190.00", "92524": "160.00",
    "97032": "24.00", "97033": "26.00", "97542": "40.00", "97750": "45.00", "97760": "48.00", "97763": "48.00",
}
"""A charge per unit for every catalogue code (a Phoenix private practice's list prices)."""

CUSTOM_CODES = (
    ("SPTX", "Self-pay treatment session (45 minutes)", "85.00", "97110"),
    ("BRACE", "Hinged knee brace (supply)", "45.00", ""),
    ("WELL30", "Wellness program session (30 minutes)", "30.00", ""),
    ("GYM", "Gym membership, one month", "49.00", ""),
)


def seed_billing(company) -> None:
    """The fee schedule (from Jan 1 of last year), custom codes and 59 for BCBS; nothing twice."""
    if db.session.scalar(select(FeeScheduleEntry.id).where(FeeScheduleEntry.company_id == company.id).limit(1)) is None:
        start = date(date.today().year - 1, 1, 1)
        db.session.add_all(FeeScheduleEntry(company_id=company.id, code=code, amount=Decimal(amount), effective_from=start)
                           for code, amount in FEES.items())
    known = set(db.session.scalars(select(CustomCode.code).where(CustomCode.company_id == company.id)))
    db.session.add_all(CustomCode(company_id=company.id, code=code, description=text, amount=Decimal(amount),
                                  comparative_code=compared) for code, text, amount, compared in CUSTOM_CODES if code not in known)
    if "59" not in (company.additional_modifiers or []):
        company.additional_modifiers = [*(company.additional_modifiers or []), "59"]
    bcbs = db.session.scalar(select(Insurance).where(Insurance.company_id == company.id,
                                                     Insurance.name == "Blue Cross Blue Shield of Arizona"))
    if bcbs is not None and "59" not in (bcbs.enabled_modifiers or []):
        bcbs.enabled_modifiers = [*(bcbs.enabled_modifiers or []), "59"]


EVALUATIONS = {"PT": "97162", "OT": "97166", "SLP": "92523"}


def charges_for(kind: NoteKind, discipline: str, i: int = 0, *, assistant: bool = False) -> tuple:
    """The demo's services for the ``i``-th note of ``kind``: ``(code, minutes, furnished_by, assistant minutes)``."""
    by = "assistant" if assistant else "therapist"
    if kind is NoteKind.INITIAL_EVALUATION:
        return ((EVALUATIONS[discipline], 40, "therapist", 0), ("97110" if discipline == "PT" else "97535", 15, "therapist", 0))
    if kind is NoteKind.PROGRESS_NOTE:
        return (("97164" if discipline == "PT" else "97168", 25, "therapist", 0), ("97110", 20, "therapist", 0))
    if kind is NoteKind.DISCHARGE_SUMMARY:
        return (("97110", 25, "therapist", 0), ("97112", 10, "therapist", 0))
    if discipline == "OT":
        return (("97535", 23, by, 0), ("97110", 15, by, 0))
    plans = ((("97140", 24, by, 0), ("97110", 23, by, 0)),  # CMS example 1: 47 minutes → 3 units
             (("97110", 30, by, 0), ("97112", 15, by, 0)),
             (("97110", 20, by, 0), ("97112", 20, by, 0)))  # a CMS tie: either code takes the third unit
    return plans[i % len(plans)]


def charge_rows(services: tuple, *, ncci_confirmed: tuple[str, ...] = ()) -> dict[str, str]:
    """The editor's Charge Summary fields for ``services``, each pointing to diagnosis 1."""
    form = {"charges_present": "1"}
    for n, (code, minutes, by, assistant) in enumerate(services):
        form.update({f"c_code-{n}": code, f"c_minutes-{n}": str(minutes), f"c_by-{n}": by, f"c_asst-{n}": str(assistant),
                     f"c_dx-{n}": "1"})
        if code in ncci_confirmed:
            form[f"c_ncci-{n}"] = "on"
    return form


def seed_copays(case, amount: str = "30.00") -> None:
    """A $30 copay paid at each of the case's finalized visits but the last (still owed), by card or cash."""
    from core.billing import Payment, PaymentKind, PaymentMethod
    from core.notes.models import Note
    from core.notes.workflow import NoteStatus

    notes = list(db.session.scalars(select(Note).where(Note.case_id == case.id, Note.status == NoteStatus.FINALIZED)
                                    .order_by(Note.date_of_service)))
    for n, note in enumerate(notes[:-1]):
        db.session.add(Payment(clinic_id=case.clinic_id, patient_id=case.patient_id, case_id=case.id, note_id=note.id,
                               kind=PaymentKind.COPAY, method=PaymentMethod.CARD if n % 2 else PaymentMethod.CASH,
                               amount=Decimal(amount), paid_on=note.date_of_service, reference=f"R{1000 + note.id}",
                               created_by_id=note.author_id))
    db.session.commit()
