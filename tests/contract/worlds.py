"""Two clinics of two companies with one object of every kind: the route sweep's and the hostile-input
sweep's worlds. Add an object here when a route names a new kind (and its argument to OBJECT_KINDS)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from core.accounts import LicenseAdjustmentRequest, LicenseCategory, ProviderSignature, UserType
from core.billing import CustomCode, FeeScheduleEntry, Payment, PaymentKind, PaymentMethod
from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.notes import Addendum, Note, NoteKind, NoteSignature, NoteStatus
from core.notes.models import RefusedSave
from core.patients import AccountNote, AddressType, PatientAddress, create_patient
from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation

# How each URL argument is filled: the kind of object it names (None: not an object id) and, for the
# permission and signed-out sweeps, a value that exists in clinic A.
OBJECT_KINDS = {
    "patient_id": "patient",
    "case_id": "case",
    "account_note_id": "account note",
    "note_id": "note",
    "addendum_id": "addendum",
    "refused_id": "refused save",
    "signature_id": "note signature",
    "insurance_id": "insurance",
    "physician_id": "referring physician",
    "user_id": "user",
    "request_id": "license request",
    "payment_id": "patient payment",
    "entry_id": "fee schedule entry",
    "custom_code_id": "custom code",
    "name": None,  # a plugin's name (Features page)
    "decision": None,  # approve / decline
    "filename": None,  # static files
}
PLAIN_VALUES = {"name": "mips", "decision": "approve", "filename": "vendor/htmx.min.js"}


@dataclass
class World:
    """One clinic's objects, one of each kind the sweep needs."""

    clinic: object
    admin: object
    ids: dict


def _world(make_company, make_clinic, make_user, enable_plugin, plugin_names, label: str) -> World:
    company = make_company(f"{label} Therapy")
    clinic = make_clinic(f"{label} Clinic", company=company)
    admin = make_user([clinic], email=f"admin-{label.lower()}@example.test", is_admin=True)
    therapist = make_user([clinic], email=f"pt-{label.lower()}@example.test", user_type=UserType.PT)
    for name in plugin_names:
        enable_plugin(clinic, name)
    insurance = Insurance(company_id=company.id, name=f"{label} Health", insurance_type=InsuranceType.COMMERCIAL,
                          unit_calculation=UnitCalculation.RULE_OF_EIGHTS)
    physician = ReferringPhysician(company_id=company.id, first_name="Grace", last_name=label, npi="1234567893")
    db.session.add_all([insurance, physician])
    patient = create_patient(clinic, first_name="Rosa", last_name=label, date_of_birth=date(1980, 5, 1))
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St",
                                        city="Phoenix", state="AZ", postal_code="85018")]
    db.session.flush()
    case = Case(clinic_id=clinic.id, patient_id=patient.id, title="Knee", discipline=Discipline.PT, therapist_id=therapist.id)
    case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="S1",
                                start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
                                insured_relationship=InsuredRelationship.SELF)]
    case.authorizations = [Authorization(number="1234", start_date=date(2025, 1, 1), end_date=date(2025, 6, 30),
                                         visits_authorized=10)]
    note = AccountNote(patient_id=patient.id, clinic_id=clinic.id, body="Call back", is_sticky=True, author_id=admin.id)
    license_request = LicenseAdjustmentRequest(clinic_id=clinic.id, category=LicenseCategory.THERAPIST, requested_seats=5,
                                               reason="growth", requested_by_id=admin.id)
    signature = ProviderSignature(user_id=therapist.id, kind="typed", typed_text=f"Pat {label}")
    db.session.add_all([case, note, license_request, signature])
    db.session.flush()
    soap = Note(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, kind=NoteKind.INITIAL_EVALUATION,
                date_of_service=date(2025, 2, 3), author_id=therapist.id, status=NoteStatus.FINALIZED,
                subjective="Knee pain", finalized_by_id=therapist.id)
    soap.signatures = [NoteSignature(role="provider", user_id=therapist.id, name="Pat", credentials="PT", kind="drawn",
                                     image=b"\x89PNG\r\n\x1a\n", mime="image/png")]
    soap.addenda = [Addendum(author_id=admin.id, text="Pain 3/10")]
    db.session.add(soap)
    db.session.flush()
    refused = RefusedSave(note_id=soap.id, user_id=admin.id, content={"subjective": "kept"})
    payment = Payment(clinic_id=clinic.id, patient_id=patient.id, case_id=case.id, note_id=soap.id, kind=PaymentKind.COPAY,
                      method=PaymentMethod.CASH, amount=Decimal("20.00"), paid_on=date(2025, 2, 3), created_by_id=admin.id)
    fee = FeeScheduleEntry(company_id=company.id, code="97110", amount=Decimal("42.00"), effective_from=date(2025, 1, 1))
    custom_code = CustomCode(company_id=company.id, code="BRACE", description=f"{label} knee brace", amount=Decimal("45.00"))
    db.session.add_all([refused, payment, fee, custom_code])
    db.session.commit()
    return World(clinic, admin, {
        "patient_id": patient.id, "case_id": case.id, "account_note_id": note.id, "note_id": soap.id,
        "addendum_id": soap.addenda[0].id, "refused_id": refused.id, "signature_id": soap.signatures[0].id,
        "insurance_id": insurance.id,
        "physician_id": physician.id, "user_id": therapist.id, "request_id": license_request.id,
        "payment_id": payment.id, "entry_id": fee.id, "custom_code_id": custom_code.id,
    })


@pytest.fixture
def worlds(app, make_company, make_clinic, make_user, enable_plugin):
    names = sorted(app.extensions["caseload_plugins"].plugins)
    a = _world(make_company, make_clinic, make_user, enable_plugin, names, "A")
    b = _world(make_company, make_clinic, make_user, enable_plugin, names, "B")
    return a, b




def own_url(app, rule, world: World) -> str:
    """``rule`` filled with ``world``'s own ids."""
    values = {arg: world.ids[arg] if OBJECT_KINDS.get(arg) else PLAIN_VALUES[arg] for arg in rule.arguments}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values, _external=False)
