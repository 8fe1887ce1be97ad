"""A clinic ready for documentation, shared by the notes tests (unit, contract and browser): a PT, an
OT, a PTA (Finish SOAP Notes attested), an SPT, a front-desk clerical user, a patient with a Medicare case
and a commercial case, and helpers to write and finalize notes directly."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.accounts import PermissionAttestation, User, UserType, default_permissions
from core.billing import FeeScheduleEntry
from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.notes import Note, NoteDiagnosis, NoteKind, NoteStatus
from core.patients import AddressType, PatientAddress, PhoneType, Sex, create_patient
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.web import Permission


@dataclass
class NotesWorld:
    clinic: object
    pt: User
    ot: User
    pta: User
    spt: User
    clerical: User
    patient: object
    medicare: Insurance
    commercial: Insurance
    case: Case  # Medicare, PT
    commercial_case: Case  # commercial, PT (assistant finalization off on the insurance)


def make_world(clinic, make_user, today: date | None = None) -> NotesWorld:
    today = today or date.today()
    pt = make_user([clinic], email="pt@example.test", user_type=UserType.PT, first_name="Paula",
                   last_name="Therapist", permissions=default_permissions(UserType.PT))
    ot = make_user([clinic], email="ot@example.test", user_type=UserType.OT, first_name="Otto",
                   last_name="Occupational", permissions=default_permissions(UserType.OT))
    pta = make_user([clinic], email="pta@example.test", user_type=UserType.PTA, first_name="Andy", last_name="Assistant",
                    permissions=default_permissions(UserType.PTA) | {Permission.FINISH_NOTES})
    db.session.add(PermissionAttestation(user_id=pta.id, permission=Permission.FINISH_NOTES, text="attested"))
    spt = make_user([clinic], email="spt@example.test", user_type=UserType.SPT, first_name="Sam", last_name="Student",
                    permissions=default_permissions(UserType.SPT))
    clerical = make_user([clinic], email="desk@example.test", user_type=UserType.CLERICAL, first_name="Dee",
                         last_name="Desk", permissions=default_permissions(UserType.CLERICAL))
    medicare = Insurance(company_id=clinic.company_id, name="Medicare Part B", insurance_type=InsuranceType.MEDICARE,
                         unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE)
    commercial = Insurance(company_id=clinic.company_id, name="Blue Plan", insurance_type=InsuranceType.COMMERCIAL,
                           unit_calculation=UnitCalculation.RULE_OF_EIGHTS, allow_assistant_finalize=False)
    db.session.add_all([medicare, commercial])
    patient = create_patient(clinic, first_name="Maria", last_name="Rivera", date_of_birth=date(1950, 3, 4),
                             phone="6025550142", phone_type=PhoneType.MOBILE)
    patient.sex = Sex.FEMALE
    pt.npi, ot.npi, pta.npi = "1234567893", "1245319599", "1679576722"
    for code, amount in FEES.items():
        db.session.add(FeeScheduleEntry(company_id=clinic.company_id, code=code, amount=Decimal(amount),
                                        effective_from=date(2020, 1, 1)))
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St", city="Phoenix",
                                        state="AZ", postal_code="850181234")]
    db.session.flush()
    case = _case(patient, pt, medicare, "Low back pain", today)
    commercial_case = _case(patient, pt, commercial, "Shoulder", today)
    db.session.commit()
    return NotesWorld(clinic, pt, ot, pta, spt, clerical, patient, medicare, commercial, case, commercial_case)


def _case(patient, therapist, insurance, title, today):
    case = Case(clinic_id=patient.clinic_id, patient_id=patient.id, title=title, discipline=Discipline.PT,
                therapist_id=therapist.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="1EG4TE5MK72",
                                start_date=today - timedelta(days=400), end_date=today + timedelta(days=365),
                                insured_relationship=InsuredRelationship.SELF)]
    case.authorizations = [Authorization(number="A100", start_date=today - timedelta(days=200),
                                         end_date=today + timedelta(days=200), visits_authorized=20)]
    db.session.add(case)
    return case


FEES = {"97110": "40.00", "97112": "42.00", "97140": "38.00", "97530": "45.00", "97116": "39.00", "97161": "120.00",
        "97162": "140.00", "97163": "160.00", "97164": "90.00", "97035": "20.00", "97010": "15.00"}
"""The test company's fee schedule (a charge per unit)."""

CHARGES = {"charges_present": "1", "c_code-0": "97110", "c_minutes-0": "30", "c_dx-0": "1"}
"""A Charge Summary row for the editor's form: 30 minutes of therapeutic exercise, pointing to diagnosis 1."""

COMPLETE_SOAP = {"subjective": "Low back pain 6/10 after lifting.", "objective": "Lumbar flexion 40 degrees.",
                 "assessment": "Limited lumbar mobility.", "plan": "Therapeutic exercise 2x/week."}


def complete_plan(note: Note, start: date) -> None:
    for name, value in COMPLETE_SOAP.items():
        setattr(note, name, value)
    note.goals = [{"term": "short", "text": "Pain below 3/10", "status": "progressing"},
                  {"term": "long", "text": "Lift 20 lb without pain", "status": "progressing"}]
    note.frequency_per_week, note.duration_weeks = 2, 6
    note.interventions = "Therapeutic exercise, manual therapy"
    note.plan_start, note.plan_end = start, start + timedelta(days=41)
    note.diagnoses = [NoteDiagnosis(position=0, code="M54.50", description="Low back pain, unspecified", is_treating=True)]


def finalized(case: Case, kind: NoteKind, day: date, author: User, **fields) -> Note:
    """A finalized note written straight to the database (for clocks and lists, not the workflow)."""
    note = Note(clinic_id=case.clinic_id, patient_id=case.patient_id, case_id=case.id, kind=kind, date_of_service=day,
                author_id=author.id, status=NoteStatus.FINALIZED, finalized_by_id=author.id, **COMPLETE_SOAP, **fields)
    if kind.is_evaluative and kind is not NoteKind.DISCHARGE_SUMMARY:
        complete_plan(note, day)
    db.session.add(note)
    case.has_finalized_notes = True
    db.session.commit()
    return note


def charge(note: Note, clinic, rows: dict | None = None) -> None:
    """Give a draft ``note`` Charge Summary lines (``rows``: the editor's form fields; default ``CHARGES``), through
    the same code as the editor's save."""
    from core.billing import store_lines
    from core.notes.alerts import case_clocks
    from core.notes.charges import note_charges

    plan_note = case_clocks(note.case, clinic.company, date.today()).plan_note
    state = note_charges(note, clinic, plan_note, rows or CHARGES)
    assert not state.rows.errors, state.rows.errors
    store_lines(note, state.charges)
    db.session.commit()
