"""The Add/Edit Insurance form (with the fields plugins contribute) and the referring physician form."""
from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from core.payers.models import InsuranceType, UnitCalculation
from core.plugin_api import SettingField
from core.web import STATE_CHOICES, CaseloadForm, MultiCheckboxField, npi_error, phone_error, postal_code_error, state_error

BILLING_ADDRESS_WIDTH = 32
"""The billing feed truncates each referring physician address field to this many characters (seed 002)."""

ALLOW_ASSISTANT_FINALIZE_HELP = (
    "Overrides the clinic's Assistant Note Finalization setting for patients with this insurance. Use it only "
    "for payers that allow therapist assistants to finalize notes, or denials may follow."
)


class InsuranceForm(CaseloadForm):
    name = StringField("Insurance name", validators=[DataRequired(message="Enter the insurance name."), Length(max=100)])
    insurance_type = SelectField(
        "Type",
        choices=[(t.value, t.value) for t in InsuranceType],
        validators=[InputRequired(message="Choose the insurance type.")],
    )
    payer_id = StringField(
        "Payer ID",
        validators=[Optional(), Length(max=20), Regexp(r"^[A-Za-z0-9]*$", message="Use letters and digits only.")],
    )
    alternate_id = StringField("Alternate ID", validators=[Optional(), Length(max=50)])
    unit_calculation = RadioField(
        "Unit calculation",
        choices=[(u.value, u.value) for u in UnitCalculation],
        default=UnitCalculation.EIGHT_MINUTE_RULE.value,
        validators=[InputRequired(message="Choose the 8-Minute Rule or the Rule of 8s.")],
    )
    authorization_required = BooleanField("Authorization required")
    enabled_modifiers = MultiCheckboxField("Additional Modifiers", validate_choice=False)
    allow_assistant_finalize = BooleanField("Allow therapist assistants to finalize notes")
    active = BooleanField("Active", default=True)

    # (plugin name, SettingField, form field name) for each plugin-contributed field; set by build_insurance_form.
    plugin_fields: list[tuple[str, SettingField, str]] = []

    def validate_unit_calculation(self, field):
        try:
            insurance_type = InsuranceType(self.insurance_type.data)
        except ValueError:
            return
        if insurance_type.is_medicare and field.data == UnitCalculation.RULE_OF_EIGHTS.value:
            raise ValidationError(
                f"{insurance_type.value} always requires the 8-Minute Rule; the Rule of 8s is not allowed."
            )

    def validate_enabled_modifiers(self, field):
        allowed = {value for value, _ in field.choices or []}
        unknown = [m for m in field.data or [] if m not in allowed]
        if unknown:
            shown = ", ".join(m[:10] for m in unknown[:5])
            raise ValidationError(
                f"Only the company's Additional Modifiers can be enabled (not: {shown}). "
                "A Company Admin adds modifiers in Company Settings."
            )

    def plugin_values(self) -> dict[str, dict]:
        """The validated plugin settings: ``{plugin: {key: value}}``."""
        values: dict[str, dict] = {}
        for plugin, setting, name in self.plugin_fields:
            field = self[name]
            value = bool(field.data) if setting.kind == "bool" else setting.coerce(field.data)
            values.setdefault(plugin, {})[setting.key] = value
        return values


def plugin_field_name(plugin: str, key: str) -> str:
    return f"plugin__{plugin}__{key}"


def _coerce_with(setting: SettingField):
    def validate(form, field):
        if setting.kind == "bool":
            return
        try:
            setting.coerce(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return validate


def _wtforms_field(setting: SettingField):
    common = {"description": setting.help, "validators": [_coerce_with(setting)]}
    if setting.kind == "bool":
        return BooleanField(setting.label, default=bool(setting.default), **common)
    if setting.kind == "choice":
        return RadioField(setting.label, choices=list(setting.choices), default=setting.default,
                          validate_choice=False, **common)
    return StringField(setting.label, default=setting.default or "", **common)


def build_insurance_form(plugin_fields: list[tuple[str, SettingField]], company_modifiers: list[str], **kwargs) -> InsuranceForm:
    """An InsuranceForm with one extra field per plugin setting and the company's modifiers as choices."""
    attributes = {}
    described = []
    for plugin, setting in plugin_fields:
        name = plugin_field_name(plugin, setting.key)
        attributes[name] = _wtforms_field(setting)
        described.append((plugin, setting, name))
    form_class = type("InsuranceFormWithPlugins", (InsuranceForm,), attributes)
    form = form_class(**kwargs)
    form.plugin_fields = described
    form.enabled_modifiers.choices = [(m, m) for m in company_modifiers]
    return form


# -- referring physicians ------------------------------------------------------------------------
def _npi(form, field):
    field.data = (field.data or "").strip()
    error = npi_error(field.data)
    if error:
        raise ValidationError(error)


class ReferringPhysicianForm(CaseloadForm):
    first_name = StringField("First name", validators=[DataRequired(message="Enter the first name."), Length(max=60)])
    last_name = StringField("Last name", validators=[DataRequired(message="Enter the last name."), Length(max=60)])
    credentials = StringField("Credentials", validators=[Optional(), Length(max=20)])
    npi = StringField("NPI", validators=[DataRequired(message="Enter the physician's NPI."), Length(max=20), _npi])
    address_line1 = StringField("Address line 1", validators=[Optional(), Length(max=55)])
    address_line2 = StringField("Address line 2", validators=[Optional(), Length(max=55)])
    city = StringField("City", validators=[Optional(), Length(max=30)])
    state = SelectField("State", choices=STATE_CHOICES, validate_choice=False)
    postal_code = StringField("ZIP code", validators=[Optional(), Length(max=20)])
    phone = StringField("Phone", validators=[Optional(), Length(max=30)])
    fax = StringField("Fax", validators=[Optional(), Length(max=30)])
    alternate_id = StringField("Alternate ID", validators=[Optional(), Length(max=50)])

    def validate_state(self, field):
        if field.data:
            error = state_error(field.data)
            if error:
                raise ValidationError(error)

    def validate_postal_code(self, field):
        field.data = (field.data or "").strip()
        if field.data:
            error = postal_code_error(field.data)
            if error:
                raise ValidationError(error)

    def validate_phone(self, field):
        error = phone_error(field.data)
        if error:
            raise ValidationError(error)

    def validate_fax(self, field):
        error = phone_error(field.data)
        if error:
            raise ValidationError(error.replace("phone number", "fax number"))

    def address_warnings(self) -> dict[str, str]:
        """Address lines the billing feed will cut short (a warning, not an error)."""
        return address_warnings({name: self[name].data for name in ("address_line1", "address_line2")})


def address_warnings(lines: dict[str, str | None]) -> dict[str, str]:
    warnings = {}
    for name, value in lines.items():
        value = (value or "").strip()
        if len(value) > BILLING_ADDRESS_WIDTH:
            warnings[name] = (
                f"Longer than {BILLING_ADDRESS_WIDTH} characters: the billing feed sends only "
                f"\u201c{value[:BILLING_ADDRESS_WIDTH]}\u201d."
            )
    return warnings
