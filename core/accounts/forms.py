"""The Add User and Edit User forms, and the Change User Type form."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.accounts.models import UserStatus, UserType
from core.web import CaseloadForm, MultiCheckboxField, Permission, npi_error

NAME_CHARS = "Letters, spaces, hyphens, apostrophes and periods only."


def _plain_name(form, field):
    value = (field.data or "").strip()
    if any(c in value for c in "<>{}[]|\\/@#$%^*=+;:\"`~") or any(c.isdigit() for c in value):
        raise ValidationError(NAME_CHARS)
    field.data = value


def _email(form, field):
    """A syntactically valid address (no DNS lookups; ``.test`` addresses allowed for demo and tests)."""
    try:
        field.data = validate_email(field.data or "", check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        raise ValidationError("Enter a valid email address.") from None


def _npi(form, field):
    if field.data:
        field.data = field.data.strip()
        error = npi_error(field.data)
        if error:
            raise ValidationError(error)


class UserProfileForm(CaseloadForm):
    """Fields shared by Add User and Edit User."""

    first_name = StringField("First name", validators=[DataRequired(), Length(max=100), _plain_name])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100), _plain_name])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), _email])
    status = RadioField(
        "Status",
        choices=[(UserStatus.ACTIVE.value, "Active"), (UserStatus.INACTIVE.value, "Inactive")],
        default=UserStatus.ACTIVE.value,
        validators=[InputRequired()],
    )
    is_admin = BooleanField("Admin (grants every permission)")
    clinics = MultiCheckboxField("Clinic access", coerce=int, validate_choice=False)
    default_clinic = RadioField("Default clinic", coerce=int, validate_choice=False,
                                validators=[InputRequired(message="Choose the default clinic.")])
    permissions = MultiCheckboxField(
        "Permissions", choices=[(p.value, p.value) for p in Permission], validate_choice=False
    )
    attest_finish = BooleanField("I complete the attestation above")
    npi = StringField("NPI", validators=[Optional(), Length(max=10), _npi])
    alternate_id = StringField("Alternate ID", validators=[Optional(), Length(max=50)])

    def validate_clinics(self, field):
        allowed = {value for value, _ in self.clinic_choices}
        if not field.data:
            raise ValidationError("Give the user access to at least one clinic.")
        if not set(field.data) <= allowed:
            raise ValidationError("Choose among the clinics listed.")

    def validate_default_clinic(self, field):
        if not self.clinics.data or field.data not in self.clinics.data:
            raise ValidationError("The default clinic must be one of the clinics the user has access to.")

    def validate_permissions(self, field):
        known = {p.value for p in Permission}
        if not set(field.data or []) <= known:
            raise ValidationError("Choose among the permissions listed.")

    def set_clinic_choices(self, clinics) -> None:
        self.clinic_choices = [(c.id, c.name) for c in clinics]
        self.clinics.choices = self.clinic_choices
        self.default_clinic.choices = self.clinic_choices


class AddUserForm(UserProfileForm):
    user_type = SelectField("User type", choices=[(t.value, t.value) for t in UserType], default=UserType.PT.value)
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(min=12, max=1024, message="Use at least 12 characters.")],
    )


class EditUserForm(UserProfileForm):
    password = PasswordField(
        "New password (leave blank to keep)",
        validators=[Optional(), Length(min=12, max=1024, message="Use at least 12 characters.")],
    )


class ChangeTypeForm(CaseloadForm):
    new_type = SelectField("New user type", choices=[(t.value, t.value) for t in UserType])
    confirm = BooleanField(
        "Create the new profile, hand it this email, and inactivate the old profile",
        validators=[DataRequired(message="Confirm the change.")],
    )
