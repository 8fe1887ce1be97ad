"""The patient forms: Add Patient / Edit Patient (the full profile), the chart's in-place Demographics
form, and the Add account note form.

Every billing rule comes from :mod:`core.billing_checks`; each message lands at the field it is about.
Addresses and phones are ``FieldList(FormField(...))``: a completely blank extra entry is ignored, and
"Add another address" / "Add another phone" re-render the form with one more entry without saving.
"""
from __future__ import annotations

import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from core.patients.duplicates import DIFFERENT_PERSON_LABEL
from core.patients.entry_checks import primary_address_error, ssn_error
from core.patients.models import AddressType, PhoneType, Sex
from core.web import US_STATES, CaseloadForm, CaseloadSubForm, digits, local_today, normalise_phone, phone_error, postal_code_error, state_error

MAX_ENTRIES = 10
OLDEST_BIRTH_DATE = date(1900, 1, 1)
GUARANTOR_RELATIONSHIPS = ("Spouse", "Parent", "Legal guardian", "Child", "Other")
NOTE_MAX = 2000


# -- filters and validators ----------------------------------------------------------------------
def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _initial(value):
    """A middle initial may be typed with its period ("J.")."""
    return value.strip().rstrip(".").strip() if isinstance(value, str) else value


class _MaxLength(Length):
    """``Length(max=n)`` that never echoes a huge value back into the re-rendered form."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError:
            if len(field.data or "") > 10 * self.max:
                field.data = ""
            raise


def _at_most(n: int, what: str = "characters"):
    return _MaxLength(max=n, message=f"Use at most {n} {what}.")


def _no_control_characters(form, field):
    """Control characters (NUL, escape…) are never part of a name, address or phone."""
    if field.errors:
        return
    if any(unicodedata.category(c) == "Cc" for c in field.data or ""):
        raise ValidationError("Remove the control characters from this field.")


def _one_letter(form, field):
    if field.errors or not field.data:
        return
    if len(field.data) != 1 or not field.data.isalpha():
        raise ValidationError("Enter one letter (or leave it blank).")


def _phone(form, field):
    if field.errors:
        return
    message = phone_error(field.data)
    if message:
        raise ValidationError(message)


def _email(form, field):
    if field.errors or not field.data:
        return
    try:
        field.data = validate_email(field.data, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        raise ValidationError("Enter a valid email address (name@example.com).") from None


def _ssn(form, field):
    if field.errors:
        return
    message = ssn_error(field.data)
    if message:
        raise ValidationError(message)


def _birth_date(form, field):
    if field.errors or field.data is None:
        return
    if field.data > local_today():
        raise ValidationError("The date of birth cannot be in the future.")
    if field.data < OLDEST_BIRTH_DATE:
        raise ValidationError("Enter a date of birth on or after 01/01/1900.")


def _name(label: str, max_length: int = 60):
    return StringField(label, filters=[_strip], validators=[
        DataRequired(message=f"Enter the {label.lower()}."), _at_most(max_length), _no_control_characters])


def _text(label: str, max_length: int):
    return StringField(label, filters=[_strip], validators=[Optional(), _at_most(max_length), _no_control_characters])


def _state_choices():
    return [("", "Choose a state")] + [(s, s) for s in US_STATES]


# -- address and phone entries -------------------------------------------------------------------
class AddressForm(CaseloadSubForm):
    """One address entry. A completely blank entry is skipped (the patient form decides whether one is needed)."""

    address_type = SelectField("Address type", choices=[(t.value, t.value) for t in AddressType],
                               default=AddressType.HOME.value,
                               validators=[AnyOf([t.value for t in AddressType], message="Choose Home, Work or Other.")])
    line1 = StringField("Address line 1", filters=[_strip],
                        validators=[DataRequired(message="Enter the street address."), _at_most(55), _no_control_characters])
    line2 = _text("Address line 2", 55)
    city = StringField("City", filters=[_strip],
                       validators=[DataRequired(message="Enter the city."), _at_most(30), _no_control_characters])
    state = SelectField("State", choices=_state_choices(), validate_choice=False)
    postal_code = StringField("ZIP code", filters=[_strip], validators=[_at_most(10)])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.line1, self.line2, self.city, self.postal_code))

    def validate(self, extra_validators=None):
        if self.is_blank():
            return True
        valid = super().validate(extra_validators)
        if not self.state.errors and state_error(self.state.data):
            self.state.errors = list(self.state.errors) + [state_error(self.state.data)]
            valid = False
        if not self.postal_code.errors and postal_code_error(self.postal_code.data):
            self.postal_code.errors = list(self.postal_code.errors) + [postal_code_error(self.postal_code.data)]
            valid = False
        return valid


class PhoneForm(CaseloadSubForm):
    """One phone entry; a blank entry is skipped."""

    phone_type = SelectField("Phone type", choices=[(t.value, t.value) for t in PhoneType], default=PhoneType.MOBILE.value,
                             validators=[AnyOf([t.value for t in PhoneType], message="Choose Home, Mobile, Work or Other.")])
    number = StringField("Phone number", filters=[_strip], validators=[_at_most(30), _no_control_characters, _phone])

    def is_blank(self) -> bool:
        return not (self.number.data or "").strip()

    def validate(self, extra_validators=None):
        if self.is_blank():
            return True
        return super().validate(extra_validators)


# -- the forms -----------------------------------------------------------------------------------
class DemographicsForm(CaseloadForm):
    """Name, date of birth, sex, email and emergency contact: the chart's in-place Demographics form."""

    first_name = _name("First name")
    middle_initial = StringField("Middle initial", filters=[_initial], validators=[Optional(), _at_most(1, "letter"), _one_letter])
    last_name = _name("Last name")
    date_of_birth = DateField("Date of birth", format=["%Y-%m-%d", "%m/%d/%Y"],
                              invalid_value_message="Enter the date of birth as MM/DD/YYYY.",
                              validators=[InputRequired(message="Enter the date of birth."), _birth_date])
    sex = RadioField("Sex", choices=[(s.value, s.value) for s in Sex], validate_choice=False,
                     validators=[InputRequired(message="Choose the patient's sex: Female, Male or Unknown."),
                                 AnyOf([s.value for s in Sex], message="Choose Female, Male or Unknown.")])
    email = EmailField("Email", filters=[_strip], validators=[Optional(), _at_most(254), _no_control_characters, _email])
    emergency_contact_name = _text("Emergency contact name", 120)
    emergency_contact_relationship = _text("Relationship to the patient", 40)
    emergency_contact_phone = StringField("Emergency contact phone", filters=[_strip],
                                          validators=[Optional(), _at_most(30), _no_control_characters, _phone])


class PatientForm(DemographicsForm):
    """Edit Patient: the full profile."""

    ssn = StringField("Social Security Number", filters=[_strip], validators=[Optional(), _at_most(11), _ssn])
    addresses = FieldList(FormField(AddressForm), "Address", min_entries=1, max_entries=MAX_ENTRIES)
    primary_address = RadioField("Primary address", choices=[], validate_choice=False)
    phones = FieldList(FormField(PhoneForm), "Phone", min_entries=1, max_entries=MAX_ENTRIES)
    primary_phone = RadioField("Primary phone", choices=[], validate_choice=False)
    guarantor_is_patient = BooleanField("The patient is the guarantor", default=True)
    guarantor_first_name = _text("Guarantor first name", 60)
    guarantor_middle_initial = StringField("Guarantor middle initial", filters=[_initial],
                                           validators=[Optional(), _at_most(1, "letter"), _one_letter])
    guarantor_last_name = _text("Guarantor last name", 60)
    guarantor_relationship = SelectField("Relationship to the patient", choices=[("", "Choose")] + [(r, r) for r in GUARANTOR_RELATIONSHIPS],
                                         validate_choice=False)
    guarantor_line1 = _text("Guarantor address line 1", 55)
    guarantor_line2 = _text("Guarantor address line 2", 55)
    guarantor_city = _text("Guarantor city", 30)
    guarantor_state = SelectField("Guarantor state", choices=_state_choices(), validate_choice=False)
    guarantor_postal_code = StringField("Guarantor ZIP code", filters=[_strip], validators=[Optional(), _at_most(10)])
    guarantor_phone = StringField("Guarantor phone", filters=[_strip], validators=[Optional(), _at_most(30), _no_control_characters, _phone])
    add_address = SubmitField("Add another address")
    add_phone = SubmitField("Add another phone")

    #: Set by the view: whether the patient has a Medicare insurance (the 9-digit ZIP rule).
    has_medicare = False

    # -- "Add another …" ----------------------------------------------------------------------
    def wants_another_entry(self) -> bool:
        return bool(self.add_address.data or self.add_phone.data)

    def add_entry(self) -> None:
        """Append one empty address or phone entry (up to ten), for a re-render without saving."""
        entries = self.addresses if self.add_address.data else self.phones
        if len(entries.entries) < MAX_ENTRIES:
            entries.append_entry()

    # -- whole-form checks --------------------------------------------------------------------
    def medicare_applies(self) -> bool:
        return self.has_medicare

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid = self._check_entries(self.addresses, self.primary_address, "address") and valid
        valid = self._check_entries(self.phones, self.primary_phone, "phone") and valid
        primary = self.primary_address_entry()
        if primary is not None:
            error = primary_address_error(primary.address_type.data)
            if error and not primary.address_type.errors:
                primary.address_type.errors = list(primary.address_type.errors) + [error]
                valid = False
            if self.medicare_applies() and not primary.postal_code.errors:
                error = postal_code_error(primary.postal_code.data, nine_required=True)
                if error:
                    primary.postal_code.errors = list(primary.postal_code.errors) + [error]
                    valid = False
        if not self.guarantor_is_patient.data:
            valid = self._check_guarantor() and valid
        return valid

    def _check_entries(self, entries: FieldList, primary: RadioField, what: str) -> bool:
        filled = [i for i, entry in enumerate(entries.entries) if not entry.form.is_blank()]
        primary.errors = list(primary.errors)
        if not filled:
            first = entries.entries[0].form
            field = first.line1 if what == "address" else first.number
            field.errors = [f"Enter the patient's {'street address' if what == 'address' else 'phone number'}: at least one {what} is needed."]
            return False
        try:
            chosen = int(primary.data)
        except (TypeError, ValueError):
            chosen = None
        if chosen is None or chosen not in filled:
            if len(filled) == 1 and chosen is None:
                primary.data = str(filled[0])  # the only one is the primary
                return True
            primary.errors.append(f"Mark exactly one {what} as Primary (one that is filled in).")
            return False
        return True

    def _check_guarantor(self) -> bool:
        valid = True
        required = (
            (self.guarantor_first_name, "Enter the guarantor's first name."),
            (self.guarantor_last_name, "Enter the guarantor's last name."),
            (self.guarantor_relationship, "Choose the guarantor's relationship to the patient."),
            (self.guarantor_line1, "Enter the guarantor's street address."),
            (self.guarantor_city, "Enter the guarantor's city."),
        )
        for field, message in required:
            if not field.errors and not (field.data or "").strip():
                field.errors = list(field.errors) + [message]
                valid = False
        if self.guarantor_relationship.data and self.guarantor_relationship.data not in GUARANTOR_RELATIONSHIPS:
            self.guarantor_relationship.errors = list(self.guarantor_relationship.errors) + ["Choose among the relationships listed."]
            valid = False
        checks = (
            (self.guarantor_state, state_error(self.guarantor_state.data)),
            (self.guarantor_postal_code, postal_code_error(self.guarantor_postal_code.data)),
            (self.guarantor_phone, None if self.guarantor_phone.data else "Enter the guarantor's phone number."),
        )
        for field, message in checks:
            if message and not field.errors:
                field.errors = list(field.errors) + [message]
                valid = False
        return valid

    # -- reading the entries ------------------------------------------------------------------
    def primary_address_entry(self) -> AddressForm | None:
        return self._primary(self.addresses, self.primary_address)

    def _primary(self, entries: FieldList, primary: RadioField):
        try:
            index = int(primary.data)
        except (TypeError, ValueError):
            return None
        if not 0 <= index < len(entries.entries):
            return None
        entry = entries.entries[index].form
        return None if entry.is_blank() else entry

    def filled_addresses(self) -> list[dict]:
        """The entered addresses, ZIP codes as digits, with ``is_primary``."""
        chosen = self.primary_address_entry()
        return [
            {"address_type": AddressType(e.form.address_type.data), "is_primary": e.form is chosen, "line1": e.form.line1.data,
             "line2": e.form.line2.data or "", "city": e.form.city.data, "state": e.form.state.data,
             "postal_code": digits(e.form.postal_code.data)}
            for e in self.addresses.entries if not e.form.is_blank()
        ]

    def filled_phones(self) -> list[dict]:
        """The entered phones as 10 digits, with ``is_primary``."""
        chosen = self._primary(self.phones, self.primary_phone)
        return [
            {"phone_type": PhoneType(e.form.phone_type.data), "is_primary": e.form is chosen, "number": normalise_phone(e.form.number.data)}
            for e in self.phones.entries if not e.form.is_blank()
        ]


class AddPatientForm(PatientForm):
    """Add Patient: the full profile, and the primary insurance if known (for the 9-digit ZIP rule and
    to start the first case)."""

    primary_insurance = SelectField("Primary insurance (if known)", choices=[("", "Not known yet")], validate_choice=False)
    different_person = BooleanField(DIFFERENT_PERSON_LABEL)

    def set_insurances(self, insurances) -> None:
        self.insurances = {str(i.id): i for i in insurances}
        self.primary_insurance.choices = [("", "Not known yet")] + [
            (str(i.id), f"{i.name} ({i.insurance_type.value})") for i in insurances]

    def validate_primary_insurance(self, field):
        if field.data and field.data not in getattr(self, "insurances", {}):
            raise ValidationError("Choose one of the insurances listed.")

    def chosen_insurance(self):
        return getattr(self, "insurances", {}).get(self.primary_insurance.data or "")

    def medicare_applies(self) -> bool:
        insurance = self.chosen_insurance()
        return self.has_medicare or bool(insurance and insurance.insurance_type.is_medicare)


class AccountNoteForm(CaseloadForm):
    body = TextAreaField("Account note", filters=[_strip], validators=[
        DataRequired(message="Write the note."), _at_most(NOTE_MAX)])
    is_sticky = BooleanField("Sticky note (shown at the top of the chart)")


# -- for templates -------------------------------------------------------------------------------
