"""The case forms: Add Case / Edit Case, the insurance policies on a case (sub-forms), authorizations,
and Change Insurance.

Field checks that need nothing but the entered values run in the forms' ``validate``; the rules that
depend on the insurance, the patient or the clinic (Workers' Comp, Medicare, authorization required,
referral required, active therapists) run there too, from a :class:`CaseFormContext` the view sets
with ``configure``. The billing rules themselves live in :mod:`core.billing_checks`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from wtforms import BooleanField, DateField, FormField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.cases.models import PLACES_OF_SERVICE, CaseStatus, Discipline, InsuredRelationship, RelatedCause
from core.patients import authorization_number_error, date_range_error, ssn_error
from core.payers import Insurance, InsuranceType
from core.web import US_STATES, CaseloadForm, CaseloadSubForm, digits, local_today, normalise_phone, phone_error, postal_code_error, state_error

TOO_LONG = "Use at most %(max)d characters."
STATE_CHOICES = [("", "Choose a state")] + [(s, s) for s in US_STATES]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a valid id: the form says "choose from the list"


def _add_error(field, message: str) -> None:
    field.errors = list(field.errors) + [message]


MEDICARE_THRESHOLD_USED_HELP = ("Medicare therapy charges this calendar year from other providers (another clinic, "
                                "home health): counted toward the KX threshold.")
MAX_THRESHOLD_USED = Decimal("99999.99")
_AMOUNT = re.compile(r"\d+(\.\d*)?|\.\d+")


def threshold_used_error(text: str | None) -> str | None:
    """What is wrong with the Medicare threshold amount used as typed ("", "250", "$1,250.50"), or None."""
    cleaned = (text or "").strip().removeprefix("$").replace(",", "").strip()
    if not cleaned:
        return None
    if cleaned.startswith("-"):
        return "The amount cannot be negative: enter 0 when there were no charges elsewhere."
    if not _AMOUNT.fullmatch(cleaned):
        return "Enter the amount in dollars and cents, for example 250.00."
    if "." in cleaned and len(cleaned.split(".", 1)[1]) > 2:
        return "Use at most two decimal places (dollars and cents)."
    if Decimal(cleaned) > MAX_THRESHOLD_USED:
        return "The amount can be at most $99,999.99."
    return None


def threshold_used_value(text: str | None) -> Decimal:
    """The amount as ``threshold_used_error`` accepts it (blank: 0)."""
    cleaned = (text or "").strip().removeprefix("$").replace(",", "").strip()
    return Decimal(cleaned or "0").quantize(Decimal("0.01"))


def _text(label: str, max_length: int, **kw) -> StringField:
    return StringField(label, filters=[_strip], validators=[Optional(), Length(max=max_length, message=TOO_LONG)], **kw)


@dataclass
class CaseFormContext:
    """What the case forms check against: the clinic, the patient and the choices offered."""

    clinic: object
    patient: object
    insurances: dict[int, Insurance]
    therapists: dict[int, object]  # active therapists with access to the clinic
    physicians: dict[int, object]
    authorizations_on_case: int = 0
    # Choices shown but not accepted (e.g. the case's current therapist, now inactive): {id: label}.
    stale_therapists: dict[int, str] = dataclass_field(default_factory=dict)


# -- insurance policies ----------------------------------------------------------------------------
class PolicyForm(CaseloadSubForm):
    """One insurance policy on a case (the primary or the secondary)."""

    optional = False
    # Set when the patient's profile must change first (SSN, ZIP+4): the page links to Edit Patient.
    patient_fix_needed = False

    insurance_id = SelectField("Insurance", coerce=_optional_int, validate_choice=False)
    subscriber_id = _text("Subscriber ID", 50)
    group_number = _text("Group Number", 50)
    claim_number = _text("Claim Number", 50)
    start_date = DateField("Policy Start Date", validators=[Optional()])
    end_date = DateField("Policy End Date", validators=[Optional()])
    insured_relationship = SelectField(
        "Insured's relationship to the patient",
        choices=[(r.value, r.value) for r in InsuredRelationship],
        default=InsuredRelationship.SELF.value,
    )
    subscriber_first_name = _text("Insured's first name", 60)
    subscriber_middle_initial = _text("Insured's middle initial", 1)
    subscriber_last_name = _text("Insured's last name", 60)
    subscriber_date_of_birth = DateField("Insured's date of birth", validators=[Optional()])
    subscriber_address_line1 = _text("Insured's address", 55)
    subscriber_city = _text("Insured's city", 30)
    subscriber_state = SelectField("Insured's state", choices=STATE_CHOICES, default="")
    subscriber_postal_code = _text("Insured's ZIP code", 10)
    subscriber_phone = _text("Insured's phone", 20)
    employer_name = _text("Employer's name", 100)
    employer_address_line1 = _text("Employer's address", 55)
    employer_city = _text("Employer's city", 30)
    employer_state = SelectField("Employer's state", choices=STATE_CHOICES, default="")
    employer_postal_code = _text("Employer's ZIP code", 10)
    employer_phone = _text("Employer's phone", 20)

    SUBSCRIBER_REQUIRED = (
        ("subscriber_first_name", "Enter the insured's first name."),
        ("subscriber_last_name", "Enter the insured's last name."),
        ("subscriber_date_of_birth", "Enter the insured's date of birth."),
        ("subscriber_address_line1", "Enter the insured's address."),
        ("subscriber_city", "Enter the insured's city."),
    )
    EMPLOYER_REQUIRED = (
        ("employer_name", "Workers' Comp: enter the employer's name."),
        ("employer_address_line1", "Workers' Comp: enter the employer's address."),
        ("employer_city", "Workers' Comp: enter the employer's city."),
    )

    @property
    def is_blank(self) -> bool:
        """Nothing entered (the relationship select always has a value, so it does not count)."""
        return self.insurance_id.data is None and not any(
            any(str(v).strip() for v in (f.raw_data or []))
            for f in self if f.name not in (self.insurance_id.name, self.insured_relationship.name)
        )

    @property
    def insured_is_patient(self) -> bool:
        return self.insured_relationship.data == InsuredRelationship.SELF.value

    def validate(self, extra_validators=None):
        if self.optional and self.insurance_id.data is None:
            for f in self:
                f.errors = []
            if not self.is_blank:
                _add_error(self.insurance_id, "Choose the secondary insurance, or clear the secondary policy's fields.")
                return False
            return True
        ok = super().validate(extra_validators)
        if self.insurance_id.data is None:
            _add_error(self.insurance_id, "Choose the primary insurance.")
            ok = False
        if not (self.start_date.errors or self.end_date.errors):
            error = date_range_error(self.start_date.data, self.end_date.data)
            if error:
                _add_error(self.start_date if self.start_date.data is None else self.end_date, error)
                ok = False
        if not self.insured_is_patient:
            ok = self._check_person("subscriber", self.SUBSCRIBER_REQUIRED, "insured's") and ok
            initial = self.subscriber_middle_initial.data or ""
            if initial and not initial.isalpha():
                _add_error(self.subscriber_middle_initial, "Enter one letter.")
                ok = False
            born = self.subscriber_date_of_birth.data
            if born and born > local_today():
                _add_error(self.subscriber_date_of_birth, "The date of birth cannot be in the future.")
                ok = False
        return ok

    def check_employer(self) -> bool:
        """Workers' Comp with an insured who is not the patient: the employer's details are required."""
        return self._check_person("employer", self.EMPLOYER_REQUIRED, "employer's")

    def _check_person(self, prefix: str, required, whose: str) -> bool:
        ok = True
        for name, message in required:
            f = self[name]
            if not f.errors and not f.data:
                _add_error(f, message)
                ok = False
        state = self[f"{prefix}_state"]
        if not state.errors and state_error(state.data):
            _add_error(state, f"Choose the {whose} state.")
            ok = False
        postal = self[f"{prefix}_postal_code"]
        if not postal.errors:
            error = postal_code_error(postal.data)
            if error:
                _add_error(postal, error)
                ok = False
        phone = self[f"{prefix}_phone"]
        if not phone.errors:
            error = phone_error(phone.data) or (None if phone.data else f"Enter the {whose} phone number.")
            if error:
                _add_error(phone, error)
                ok = False
        return ok

    def policy_values(self, insurance: Insurance) -> dict:
        """The CasePolicy attributes this sub-form holds (subscriber details only when the insured is
        not the patient; employer details only for Workers' Comp)."""
        values = {
            "insurance_id": self.insurance_id.data,
            "subscriber_id": self.subscriber_id.data or "",
            "group_number": self.group_number.data or "",
            "claim_number": self.claim_number.data or "",
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "insured_relationship": InsuredRelationship(self.insured_relationship.data),
        }
        subscriber = not self.insured_is_patient
        values.update({
            "subscriber_first_name": self.subscriber_first_name.data if subscriber else "",
            "subscriber_middle_initial": (self.subscriber_middle_initial.data or "").upper() if subscriber else "",
            "subscriber_last_name": self.subscriber_last_name.data if subscriber else "",
            "subscriber_date_of_birth": self.subscriber_date_of_birth.data if subscriber else None,
            "subscriber_address_line1": self.subscriber_address_line1.data if subscriber else "",
            "subscriber_city": self.subscriber_city.data if subscriber else "",
            "subscriber_state": self.subscriber_state.data if subscriber else "",
            "subscriber_postal_code": digits(self.subscriber_postal_code.data) if subscriber else "",
            "subscriber_phone": normalise_phone(self.subscriber_phone.data) if subscriber else "",
        })
        employer = insurance.insurance_type is InsuranceType.WORKERS_COMP
        values.update({
            "employer_name": (self.employer_name.data or "") if employer else "",
            "employer_address_line1": (self.employer_address_line1.data or "") if employer else "",
            "employer_city": (self.employer_city.data or "") if employer else "",
            "employer_state": (self.employer_state.data or "") if employer else "",
            "employer_postal_code": digits(self.employer_postal_code.data) if employer else "",
            "employer_phone": normalise_phone(self.employer_phone.data) if employer else "",
        })
        # Text fields left out of the request hold None: store them as empty strings.
        return {k: ("" if v is None and not k.endswith("date_of_birth") else v) for k, v in values.items()}


class PrimaryPolicyForm(PolicyForm):
    optional = False


class SecondaryPolicyForm(PolicyForm):
    optional = True


def policy_form_data(policy) -> dict:
    """The sub-form's initial data from a stored CasePolicy."""
    names = [n for n in PolicyForm.__dict__ if not n.startswith("_") and hasattr(PolicyForm.__dict__[n], "_formfield")]
    data = {name: getattr(policy, name) for name in names}
    data["insured_relationship"] = policy.insured_relationship.value
    return data


# -- authorizations --------------------------------------------------------------------------------
class _AuthorizationFields:
    """Number, effective dates and visits of one authorization (shared by the case form's row and the
    case page's Add Authorization form)."""

    optional_row = False

    # No strip filter on the number: a trailing space is exactly what the billing system rejects.
    number = StringField("Authorization Number", validators=[Length(max=50, message=TOO_LONG)])
    start_date = DateField("Effective Start Date", validators=[Optional()])
    end_date = DateField("Effective End Date", validators=[Optional()])
    visits_authorized = IntegerField(
        "Visits Authorized",
        validators=[Optional(), NumberRange(min=1, max=999, message="Enter between 1 and 999 visits.")],
    )

    @property
    def is_blank(self) -> bool:
        return not any(any(str(v).strip() for v in (self[n].raw_data or []))
                       for n in ("number", "start_date", "end_date", "visits_authorized"))

    def validate(self, extra_validators=None):
        if self.optional_row and self.is_blank:
            for name in ("number", "start_date", "end_date", "visits_authorized"):
                self[name].errors = []
            return True
        ok = super().validate(extra_validators)
        if not self.number.errors:
            error = authorization_number_error(self.number.data)
            if error:
                _add_error(self.number, error)
                ok = False
        if not (self.start_date.errors or self.end_date.errors):
            error = date_range_error(self.start_date.data, self.end_date.data, what="authorization")
            if error:
                _add_error(self.start_date if self.start_date.data is None else self.end_date, error)
                ok = False
        if not self.visits_authorized.errors and self.visits_authorized.data is None:
            _add_error(self.visits_authorized, "Enter the number of visits authorized (1-999).")
            ok = False
        return ok

    @property
    def is_entered(self) -> bool:
        return not self.is_blank

    def authorization_values(self) -> dict:
        return {
            "number": self.number.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "visits_authorized": self.visits_authorized.data,
        }


class AuthorizationRowForm(_AuthorizationFields, CaseloadSubForm):
    """The case form's one optional authorization row."""

    optional_row = True


class AddAuthorizationForm(_AuthorizationFields, CaseloadForm):
    """Add Authorization, on the case page."""


# -- checks shared by the case form and Change Insurance ---------------------------------------------
class _PolicyChecks:
    """The insurance-dependent rules for the primary and secondary sub-forms."""

    context: CaseFormContext

    def set_insurance_choices(self) -> None:
        choices = [(i.id, f"{i.name} ({i.insurance_type.value})") for i in self.context.insurances.values()]
        self.primary.insurance_id.choices = [("", "Choose an insurance")] + choices
        self.secondary.insurance_id.choices = [("", "None")] + choices

    def policy_forms(self):
        """``(rank label, sub-form)`` for the policies entered."""
        if "primary" not in self:
            return []
        forms = [("Primary", self.primary.form)]
        if not self.secondary.form.is_blank:
            forms.append(("Secondary", self.secondary.form))
        return forms

    def check_policies(self, authorizations_available: int) -> bool:
        ok = True
        patient = self.context.patient
        chosen: list[Insurance] = []
        for _rank, policy in self.policy_forms():
            insurance_id = policy.insurance_id.data
            if insurance_id is None or policy.insurance_id.errors:
                continue
            insurance = self.context.insurances.get(insurance_id)
            if insurance is None:
                _add_error(policy.insurance_id, "Choose an insurance from the list.")
                ok = False
                continue
            chosen.append(insurance)
            kind = insurance.insurance_type
            if kind is not InsuranceType.SELF_PAY and not policy.subscriber_id.errors and not policy.subscriber_id.data:
                _add_error(policy.subscriber_id, "Enter the subscriber ID.")
                ok = False
            if kind is InsuranceType.WORKERS_COMP:
                if ssn_error(patient.ssn, required=True):
                    _add_error(policy.insurance_id, "Workers' Comp needs the patient's Social Security Number: "
                                                    "add it on Edit Patient first.")
                    policy.patient_fix_needed = True
                    ok = False
                if not policy.claim_number.errors and (not policy.claim_number.data
                                                       or policy.claim_number.data != policy.subscriber_id.data):
                    _add_error(policy.claim_number, "Workers' Comp: enter the claim number in both Subscriber ID and "
                                                    "Claim Number (the same value).")
                    ok = False
                if not policy.insured_is_patient:
                    ok = policy.check_employer() and ok
            if kind.is_medicare:
                address = patient.primary_address
                if address is None or postal_code_error(address.postal_code, nine_required=True):
                    _add_error(policy.insurance_id, "Medicare needs the patient's 9-digit ZIP code (ZIP+4) on the "
                                                    "primary Home address: update it on Edit Patient first.")
                    policy.patient_fix_needed = True
                    ok = False
        entered = [policy.insurance_id.data for _, policy in self.policy_forms()]
        if len(entered) == 2 and entered[0] is not None and entered[0] == entered[1]:
            _add_error(self.secondary.insurance_id, "The secondary insurance must differ from the primary.")
            ok = False
        needing = [i for i in chosen if i.authorization_required]
        row = self.authorization.form
        if needing and authorizations_available == 0 and not row.is_entered:
            _add_error(row.number, f"{needing[0].name} requires an authorization: enter the authorization number "
                                   "(0000 as a placeholder), its effective dates and the visits authorized.")
            ok = False
        return ok


# -- the case form ---------------------------------------------------------------------------------
class CaseForm(_PolicyChecks, CaseloadForm):
    """Add Case (and, with a status, Edit Case)."""

    title = StringField("Case Title", filters=[_strip],
                        validators=[DataRequired(message="Enter the case title."), Length(max=100, message=TOO_LONG)])
    discipline = SelectField("Discipline", choices=[(d.value, d.value) for d in Discipline], default=Discipline.PT.value)
    therapist_id = SelectField("Assigned Therapist", coerce=_optional_int, validate_choice=False)
    referring_physician_id = SelectField("Referring Physician", coerce=_optional_int, validate_choice=False)
    referral_date = DateField("Referral Date", validators=[Optional()])
    onset_date = DateField("Date of Injury or Onset", validators=[Optional()])
    related_cause = SelectField("Related Cause", choices=[(c.value, c.value) for c in RelatedCause],
                                default=RelatedCause.NONE.value)
    accident_date = DateField("Accident Date", validators=[Optional()])
    accident_state = SelectField("Accident State", choices=STATE_CHOICES, default="")
    place_of_service = SelectField("Place of Service", choices=list(PLACES_OF_SERVICE), default="11")
    apply_kx_modifier = RadioField("Apply Modifier: KX", choices=[("yes", "Yes"), ("no", "No")], default="no",
                                   validators=[InputRequired(message="Choose Yes or No.")])
    medicare_threshold_used = StringField("Medicare threshold amount used", filters=[_strip], default="0.00",
                                          description=MEDICARE_THRESHOLD_USED_HELP)
    medicare_threshold_year = StringField("Year of the amount used", filters=[_strip],
                                          description="Leave blank for the current year.")
    primary = FormField(PrimaryPolicyForm, "Primary Insurance")
    secondary = FormField(SecondaryPolicyForm, "Secondary Insurance")
    authorization = FormField(AuthorizationRowForm, "Authorization")

    def configure(self, context: CaseFormContext, *, policies_editable: bool = True) -> None:
        """Set the choices from ``context``; drop what this clinic does not offer (place of service) and
        what may not change (the policies, once the case has notes)."""
        self.context = context
        therapists = [(u.id, f"{u.last_name}, {u.first_name} ({u.user_type.value})") for u in context.therapists.values()]
        therapists += [(i, label) for i, label in context.stale_therapists.items()]
        self.therapist_id.choices = [("", "Choose a therapist")] + therapists
        self.referring_physician_id.choices = [("", "None")] + [(p.id, p.name) for p in context.physicians.values()]
        if not context.clinic.place_of_service_enabled:
            del self.place_of_service
        if policies_editable:
            self.set_insurance_choices()
        else:
            del self.primary
            del self.secondary

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = self.check_case() and ok
        return self.check_policies(self.context.authorizations_on_case) and ok

    def check_case(self) -> bool:
        ok = True
        context = self.context
        therapist_id = self.therapist_id.data
        if therapist_id is None:
            _add_error(self.therapist_id, "Choose the assigned therapist.")
            ok = False
        elif therapist_id not in context.therapists:
            _add_error(self.therapist_id, "Choose a current, active therapist (PT, OT or SLP) of this clinic: "
                                          "therapists assigned to cases must be current, active providers.")
            ok = False
        elif context.therapists[therapist_id].user_type.value != self.discipline.data:
            kind, wanted = context.therapists[therapist_id].user_type.value, self.discipline.data
            article = "a" if wanted == "PT" else "an"
            _add_error(self.therapist_id, f"This therapist is a {kind}: choose {article} {wanted} therapist for "
                                          f"{article} {wanted} case, or change the discipline.")
            ok = False
        physician_id = self.referring_physician_id.data
        if physician_id is not None and physician_id not in context.physicians:
            _add_error(self.referring_physician_id, "Choose a referring physician from the list.")
            ok = False
        if context.clinic.referral_required:
            if physician_id is None and not self.referring_physician_id.errors:
                _add_error(self.referring_physician_id, "This clinic requires a referral: choose the referring physician.")
                ok = False
            if self.referral_date.data is None and not self.referral_date.errors:
                _add_error(self.referral_date, "This clinic requires a referral: enter the referral date.")
                ok = False
        today = local_today()
        for f, what in ((self.onset_date, "date of injury or onset"), (self.accident_date, "accident date"),
                        (self.referral_date, "referral date")):
            if f.data and f.data > today:
                _add_error(f, f"The {what} cannot be in the future.")
                ok = False
        cause = RelatedCause(self.related_cause.data) if self.related_cause.data in {c.value for c in RelatedCause} else None
        if cause and cause.needs_accident_date and self.accident_date.data is None and not self.accident_date.errors:
            _add_error(self.accident_date, f"{cause.value}: enter the accident date.")
            ok = False
        if cause and cause.is_auto and state_error(self.accident_state.data):
            _add_error(self.accident_state, f"{cause.value}: choose the state where the accident happened.")
            ok = False
        return self.check_threshold_used(today) and ok

    def check_threshold_used(self, today) -> bool:
        ok = True
        error = threshold_used_error(self.medicare_threshold_used.data)
        if error and not self.medicare_threshold_used.errors:
            _add_error(self.medicare_threshold_used, error)
            ok = False
        year = self.medicare_threshold_year.data or ""
        if year and not self.medicare_threshold_year.errors:
            if not (len(year) == 4 and year.isascii() and year.isdigit()):
                _add_error(self.medicare_threshold_year, "Enter the year as four digits, for example 2026, or leave it blank.")
                ok = False
            elif not 2000 <= int(year) <= today.year:
                _add_error(self.medicare_threshold_year, f"Enter a year from 2000 to {today.year}, or leave it blank for this year.")
                ok = False
        return ok

    def threshold_values(self, today) -> dict:
        """The amount used elsewhere and its year (blank: the current year, when there is an amount)."""
        used = threshold_used_value(self.medicare_threshold_used.data)
        year = int(self.medicare_threshold_year.data) if self.medicare_threshold_year.data else None
        if year is None and used:
            year = today.year
        return {"medicare_threshold_used": used, "medicare_threshold_year": year}

    def case_values(self) -> dict:
        """The Case attributes this form holds (place of service only where the clinic offers it)."""
        cause = RelatedCause(self.related_cause.data)
        values = {
            "title": self.title.data,
            "discipline": Discipline(self.discipline.data),
            "therapist_id": self.therapist_id.data,
            "referring_physician_id": self.referring_physician_id.data,
            "referral_date": self.referral_date.data,
            "onset_date": self.onset_date.data,
            "related_cause": cause,
            "accident_date": self.accident_date.data if cause.needs_accident_date else None,
            "accident_state": (self.accident_state.data or "") if cause.is_auto else "",
            "apply_kx_modifier": self.apply_kx_modifier.data == "yes",
            **self.threshold_values(local_today()),
        }
        values["place_of_service"] = self.place_of_service.data if "place_of_service" in self else "11"
        return values


class EditCaseForm(CaseForm):
    status = RadioField("Status", choices=[(CaseStatus.ACTIVE.value, "Active"), (CaseStatus.DISCHARGED.value, "Discharged")],
                        default=CaseStatus.ACTIVE.value, validators=[InputRequired(message="Choose the case status.")])


def case_form_data(case) -> dict:
    """Edit Case's initial data from a stored case."""
    from core.cases.models import PolicyRank

    data = {
        "title": case.title,
        "discipline": case.discipline.value,
        "therapist_id": case.therapist_id,
        "referring_physician_id": case.referring_physician_id,
        "referral_date": case.referral_date,
        "onset_date": case.onset_date,
        "related_cause": case.related_cause.value,
        "accident_date": case.accident_date,
        "accident_state": case.accident_state,
        "place_of_service": case.place_of_service,
        "apply_kx_modifier": "yes" if case.apply_kx_modifier else "no",
        "medicare_threshold_used": f"{Decimal(case.medicare_threshold_used or 0):.2f}",
        "medicare_threshold_year": str(case.medicare_threshold_year) if case.medicare_threshold_year else "",
        "status": case.status.value,
    }
    for rank, name in ((PolicyRank.PRIMARY, "primary"), (PolicyRank.SECONDARY, "secondary")):
        policy = case.policy(rank)
        if policy is not None:
            data[name] = policy_form_data(policy)
    return data


class ChangeInsuranceForm(_PolicyChecks, CaseloadForm):
    """Change Insurance: the new case's policies, and whether to copy the authorizations."""

    primary = FormField(PrimaryPolicyForm, "New Primary Insurance")
    secondary = FormField(SecondaryPolicyForm, "New Secondary Insurance")
    copy_authorizations = BooleanField("Copy authorizations to the new case")
    authorization = FormField(AuthorizationRowForm, "New Authorization")

    def configure(self, context: CaseFormContext) -> None:
        self.context = context
        self.set_insurance_choices()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        copied = self.context.authorizations_on_case if self.copy_authorizations.data else 0
        return self.check_policies(copied) and ok
