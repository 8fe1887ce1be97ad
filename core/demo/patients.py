"""Demo patients for ``flask demo``: about 50 realistic patients over both clinics and every insurance
type, with cases, secondary insurances and authorizations. Deterministic (seeded), idempotent."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from core.accounts import User, UserStatus
from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank, RelatedCause
from core.extensions import db
from core.patients import AddressType, Patient, PatientAddress, PatientPhone, PhoneType, Sex, assign_chart_number
from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation
from core.tenancy import ClinicAccess

INSURANCES = [
    ("Medicare Part B (Noridian JF)", InsuranceType.MEDICARE, "03302", UnitCalculation.EIGHT_MINUTE_RULE, False),
    ("AHCCCS (Arizona Medicaid)", InsuranceType.MEDICAID, "AZM01", UnitCalculation.EIGHT_MINUTE_RULE, True),
    ("Blue Cross Blue Shield of Arizona", InsuranceType.COMMERCIAL, "53589", UnitCalculation.RULE_OF_EIGHTS, False),
    ("Aetna", InsuranceType.COMMERCIAL, "60054", UnitCalculation.RULE_OF_EIGHTS, True),
    ("UnitedHealthcare", InsuranceType.COMMERCIAL, "87726", UnitCalculation.EIGHT_MINUTE_RULE, False),
    ("CopperPoint Workers' Comp", InsuranceType.WORKERS_COMP, "CPWC1", UnitCalculation.EIGHT_MINUTE_RULE, True),
    ("GEICO Auto PIP", InsuranceType.AUTO, "GEIC0", UnitCalculation.RULE_OF_EIGHTS, False),
    ("Self Pay", InsuranceType.SELF_PAY, "", UnitCalculation.RULE_OF_EIGHTS, False),
    ("Medicare DME (Noridian Jurisdiction D)", InsuranceType.MEDICARE_DME, "19003", UnitCalculation.EIGHT_MINUTE_RULE, False),
]

PHYSICIANS = [
    ("Maria", "Alvarez", "MD", "1538269972"), ("James", "Whitaker", "DO", "1326041476"),
    ("Aisha", "Rahman", "MD", "1790826618"), ("Robert", "Chen", "NP", "1669554317"),
]

FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Elijah", "Isabella", "Lucas", "Mia", "Ethan",
         "Camila", "James", "Harper", "Benjamin", "Luna", "Diego", "Evelyn", "Henry", "Zoë", "Kai", "Nora", "Omar",
         "Chloé", "Wei", "Priya", "Tomás", "Ingrid", "Kwame"]
LAST = ["Nguyen", "Garcia", "Smith", "Johnson", "Martinez", "Brown", "Lopez", "Wilson", "Anderson", "Thomas",
        "Hernández", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
        "O'Brien", "Yazzie", "Begay", "Kowalski", "Okonkwo", "Haddad", "Ito", "Schmidt", "Rossi", "Dubois"]
STREETS = ["E Indian School Rd", "N 44th St", "W Thomas Rd", "E Camelback Rd", "N Scottsdale Rd", "E McDowell Rd",
           "N Central Ave", "E Osborn Rd"]
CITIES = [("Phoenix", "850"), ("Scottsdale", "852"), ("Tempe", "852"), ("Mesa", "852")]
TITLES = {Discipline.PT: ["Low back pain", "Right knee post-op ACL", "Left shoulder impingement", "Neck pain",
                          "Ankle sprain", "Total hip replacement rehab"],
          Discipline.OT: ["Right wrist fracture", "Carpal tunnel release rehab", "Stroke ADL retraining"],
          Discipline.SLP: ["Dysphagia", "Aphasia after CVA", "Voice disorder"]}
PATIENTS_PER_CLINIC = 25


def seed_demo_patients(company, clinics) -> None:
    insurances = _insurances(company)
    physicians = _physicians(company)
    rng = random.Random(20261122)
    for clinic_index, clinic in enumerate(clinics):
        if db.session.scalar(select(func.count(Patient.id)).where(Patient.clinic_id == clinic.id)):
            continue
        therapists = list(db.session.scalars(
            select(User).join(ClinicAccess, ClinicAccess.user_id == User.id)
            .where(ClinicAccess.clinic_id == clinic.id, User.status == UserStatus.ACTIVE)
            .order_by(User.id)
        ))
        therapists = [t for t in therapists if t.user_type.is_therapist]
        for n in range(PATIENTS_PER_CLINIC):
            _patient(rng, clinic, n + clinic_index * PATIENTS_PER_CLINIC, insurances, physicians, therapists)


def _insurances(company) -> list[Insurance]:
    existing = {i.name: i for i in db.session.scalars(select(Insurance).where(Insurance.company_id == company.id))}
    result = []
    for name, kind, payer_id, units, auth in INSURANCES:
        insurance = existing.get(name) or Insurance(
            company_id=company.id, name=name, insurance_type=kind, payer_id=payer_id, unit_calculation=units,
            authorization_required=auth, alternate_id=f"SEQ{len(result) + 101}", enabled_modifiers=[], plugin_settings={},
        )
        db.session.add(insurance)
        result.append(insurance)
    return result


def _physicians(company) -> list[ReferringPhysician]:
    existing = {p.npi: p for p in db.session.scalars(select(ReferringPhysician).where(ReferringPhysician.company_id == company.id))}
    result = []
    for first, last, credentials, npi in PHYSICIANS:
        physician = existing.get(npi) or ReferringPhysician(
            company_id=company.id, first_name=first, last_name=last, credentials=credentials, npi=npi,
            address_line1="1111 E McDowell Rd", city="Phoenix", state="AZ", postal_code="850062612", phone="6025550100",
            alternate_id=f"REF{len(result) + 1}",
        )
        db.session.add(physician)
        result.append(physician)
    db.session.flush()
    return result


def _patient(rng, clinic, n, insurances, physicians, therapists) -> None:
    insurance = insurances[n % len(insurances)]
    medicare = insurance.insurance_type.is_medicare
    age = rng.randint(66, 90) if medicare else rng.randint(18, 64)
    dob = date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
    patient = Patient(clinic_id=clinic.id, date_of_birth=dob, sex=rng.choice([Sex.FEMALE, Sex.MALE]),
                      email=None, emergency_contact_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                      emergency_contact_relationship=rng.choice(["Spouse", "Parent", "Sibling", "Friend"]),
                      emergency_contact_phone=f"602555{rng.randint(1000, 9999)}")
    patient.set_names(FIRST[n % len(FIRST)], rng.choice("ABCDEJKLMRS") if n % 3 else "", LAST[(n * 7) % len(LAST)])
    if insurance.insurance_type is InsuranceType.WORKERS_COMP:
        patient.ssn = f"{rng.randint(100, 665)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
    city, zip_prefix = CITIES[n % len(CITIES)]
    zip5 = f"{zip_prefix}{rng.randint(10, 59):02d}"
    patient.addresses = [PatientAddress(
        address_type=AddressType.HOME, is_primary=True, line1=f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
        city=city, state="AZ", postal_code=zip5 + (f"{rng.randint(1000, 9999)}" if medicare or n % 2 else ""),
    )]
    patient.phones = [PatientPhone(phone_type=PhoneType.MOBILE, is_primary=True, number=f"480555{rng.randint(1000, 9999)}")]
    if n % 10 == 3:  # a minor whose parent is the guarantor
        patient.guarantor_is_patient = False
        patient.guarantor_first_name, patient.guarantor_last_name = rng.choice(FIRST), patient.last_name
        patient.guarantor_relationship = "Parent"
        patient.guarantor_address_line1, patient.guarantor_city = patient.addresses[0].line1, city
        patient.guarantor_state, patient.guarantor_postal_code = "AZ", patient.addresses[0].postal_code
        patient.guarantor_phone = patient.phones[0].number
    db.session.add(patient)
    db.session.flush()
    assign_chart_number(patient)

    discipline = [Discipline.PT, Discipline.PT, Discipline.OT, Discipline.SLP][n % 4]
    matching = [t for t in therapists if t.user_type.value == discipline.value] or therapists
    start = date(2026, 9, 1) + timedelta(days=rng.randint(0, 60))
    cause = RelatedCause.EMPLOYMENT if insurance.insurance_type is InsuranceType.WORKERS_COMP else (
        RelatedCause.AUTO_NO_FAULT if insurance.insurance_type is InsuranceType.AUTO else RelatedCause.NONE)
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title=rng.choice(TITLES[discipline]), discipline=discipline,
                therapist_id=matching[n % len(matching)].id, referring_physician_id=physicians[n % len(physicians)].id,
                referral_date=start - timedelta(days=7), onset_date=start - timedelta(days=30), related_cause=cause,
                accident_date=start - timedelta(days=30) if cause.needs_accident_date or cause is RelatedCause.EMPLOYMENT else None,
                accident_state="AZ" if cause.is_auto else "", apply_kx_modifier=medicare and n % 4 == 0)
    claim = f"WC{rng.randint(100000, 999999)}"
    case.policies = [CasePolicy(
        rank=PolicyRank.PRIMARY, insurance_id=insurance.id,
        subscriber_id=claim if insurance.insurance_type is InsuranceType.WORKERS_COMP else f"{rng.randint(10**8, 10**9 - 1)}",
        claim_number=claim if insurance.insurance_type is InsuranceType.WORKERS_COMP else "",
        group_number=f"G{rng.randint(1000, 9999)}" if insurance.insurance_type is InsuranceType.COMMERCIAL else "",
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), insured_relationship=InsuredRelationship.SELF,
    )]
    if n % 5 == 0 and insurance.insurance_type not in (InsuranceType.SELF_PAY, InsuranceType.WORKERS_COMP):
        secondary = insurances[2] if insurance is not insurances[2] else insurances[4]
        case.policies.append(CasePolicy(
            rank=PolicyRank.SECONDARY, insurance_id=secondary.id, subscriber_id=f"{rng.randint(10**8, 10**9 - 1)}",
            start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), insured_relationship=InsuredRelationship.SELF,
        ))
    if insurance.authorization_required or n % 6 == 0:
        used = rng.randint(0, 8)
        case.authorizations = [Authorization(
            number="0000" if n % 4 == 1 else f"{rng.randint(10**7, 10**8 - 1)}", start_date=start,
            end_date=start + timedelta(days=60), visits_authorized=12, visits_used=used,
        )]
    db.session.add(case)
