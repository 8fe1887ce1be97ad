"""The Company Settings and Clinic Settings (general page) forms, and the Medicare Fee Schedule regions."""
from __future__ import annotations

import re

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.tenancy.poc_alerts import LEVELS, POC_ALERTS
from core.tenancy.time_zones import US_TIME_ZONES
from core.web import (
    STATE_CHOICES,
    STATE_NAMES,
    US_STATES,
    CaseloadForm,
    MultiCheckboxField,
    digits,
    npi_error,
    phone_error,
    postal_code_error,
    state_error,
)

FEE_SCHEDULE_REGIONS = sorted(STATE_NAMES[code] for code in US_STATES)
"""The Medicare Fee Schedule Regional Locations a clinic chooses from (stored by full name)."""


PAYER_RULE_CHOICES = [
    ("primary", "The primary insurance's rule"),
    ("eight_minute", "Always the 8-Minute Rule"),
    ("rule_of_eights", "Always the Rule of 8s"),
]

ON_OFF = [("on", "On"), ("off", "Off")]
YES_NO = [("yes", "Yes"), ("no", "No")]

MODIFIER = re.compile(r"[A-Z0-9]{2}")
MAX_MODIFIERS = 50
_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box)\b", re.I)

INITIAL_EXAM_CASE_COPY_HELP = (
    "Copies the patient's most recently finalized evaluative note into the patient's new case: valuable "
    "when the patient's insurance changes in the middle of treatment."
)
REFERRAL_REQUIRED_HELP = (
    "When enabled, you'll need to include a referral for every new patient. This may not be desirable if you "
    "treat a lot of self-pay or direct access patients; it does give better reporting on referrals and "
    "referral conversion."
)


def parse_modifiers(raw: str | None) -> list[str]:
    """Modifier codes typed in one field, separated by spaces or commas, upper-cased, without repeats."""
    codes: list[str] = []
    for code in re.split(r"[\s,;]+", (raw or "").strip().upper()):
        if code and code not in codes:
            codes.append(code)
    return codes


def modifier_errors(codes: list[str]) -> str | None:
    bad = [c for c in codes if not MODIFIER.fullmatch(c)]
    if bad:
        shown = ", ".join(c[:10] for c in bad[:5])
        return f"A modifier is two letters or digits, e.g. 59, XS or GP (not: {shown})."
    return None


class CompanySettingsForm(CaseloadForm):
    """Payer Rules, Additional Modifiers, Initial Exam Case Copy and Plan of Care Alerts."""

    payer_rule = RadioField(
        "When primary and secondary insurances use different unit calculations, the note follows:",
        choices=PAYER_RULE_CHOICES,
        validators=[InputRequired(message="Choose which unit calculation the note follows.")],
    )
    modifiers = MultiCheckboxField("Additional Modifiers", validate_choice=False)
    new_modifiers = StringField("Add modifiers", validators=[Optional(), Length(max=200)])
    initial_exam_case_copy = RadioField(
        "Initial Exam Case Copy", choices=ON_OFF, validators=[InputRequired(message="Choose On or Off.")]
    )

    def set_current_modifiers(self, modifiers: list[str]) -> None:
        self.modifiers.choices = [(m, m) for m in modifiers]

    def validate_modifiers(self, field):
        current = {value for value, _ in field.choices}
        if not set(field.data or []) <= current:
            raise ValidationError("Keep or remove only the modifiers listed; add new ones in Add modifiers.")

    def validate_new_modifiers(self, field):
        codes = parse_modifiers(field.data)
        error = modifier_errors(codes)
        if error:
            raise ValidationError(error)
        kept = list(self.modifiers.data or [])
        if len(set(kept) | set(codes)) > MAX_MODIFIERS:
            raise ValidationError(f"A company can have at most {MAX_MODIFIERS} Additional Modifiers.")

    def chosen_modifiers(self) -> list[str]:
        """The modifiers kept (in their order) followed by the ones added."""
        kept = [value for value, _ in self.modifiers.choices if value in (self.modifiers.data or [])]
        return kept + [c for c in parse_modifiers(self.new_modifiers.data) if c not in kept]


# Plan of Care Alerts: one radio group per Medicare clock, named ``poc_<key>`` (the clocks are data).
for _alert in POC_ALERTS:
    setattr(CompanySettingsForm, f"poc_{_alert.key}", RadioField(
        _alert.label, choices=LEVELS, validators=[InputRequired(message="Choose Warning or Hard stop.")]))


def _npi(form, field):
    field.data = (field.data or "").strip()
    if field.data:
        error = npi_error(field.data)
        if error:
            raise ValidationError(error)


def _phone(form, field):
    error = phone_error(field.data)
    if error:
        raise ValidationError(error)


def _no_po_box(form, field):
    if _PO_BOX.search(field.data or ""):
        raise ValidationError(
            "The clinic's address is the billing provider's address on claims, which cannot be a PO box."
        )


class ClinicSettingsForm(CaseloadForm):
    """Clinic Settings (general): the facility's identifiers and address, and the clinic-wide settings."""

    npi = StringField("NPI", validators=[Length(max=20), _npi])
    alternate_id = StringField("Alternate ID", validators=[Optional(), Length(max=50)])
    address_line1 = StringField("Address line 1", validators=[DataRequired(message="Enter the clinic's street address."), Length(max=55), _no_po_box])
    address_line2 = StringField("Address line 2", validators=[Optional(), Length(max=55), _no_po_box])
    city = StringField("City", validators=[DataRequired(message="Enter the city."), Length(max=30)])
    state = SelectField("State", choices=STATE_CHOICES, validate_choice=False)
    postal_code = StringField("ZIP code (ZIP+4)", validators=[Length(max=20)])
    phone = StringField("Phone", validators=[Optional(), Length(max=30), _phone])

    assistant_finalization = RadioField(
        "Assistant Note Finalization", choices=ON_OFF, validators=[InputRequired(message="Choose On or Off.")]
    )
    assistant_finalization_verbiage = TextAreaField(
        "Verbiage added to notes finalized by assistants",
        validators=[Length(max=500, message="Use at most 500 characters.")],
    )
    fee_schedule_region = SelectField(
        "Regional Location",
        choices=[("", "Choose a region")] + [(r, r) for r in FEE_SCHEDULE_REGIONS],
        validate_choice=False,
    )
    fee_schedule_institutional = RadioField(
        "Fee schedule type",
        choices=[("non_institutional", "Non-Institutional (common)"), ("institutional", "Institutional (UB-04/Hospitals)")],
        validators=[InputRequired(message="Choose Non-Institutional or Institutional.")],
    )
    place_of_service_enabled = RadioField(
        "Do you provide services outside the clinic?", choices=YES_NO,
        validators=[InputRequired(message="Choose Yes or No.")],
    )
    referral_required = BooleanField("Require a referral for every new patient")
    time_zone = SelectField("Time zone", choices=US_TIME_ZONES)

    def validate_state(self, field):
        error = state_error(field.data)
        if error:
            raise ValidationError(error)

    def validate_postal_code(self, field):
        field.data = (field.data or "").strip()
        error = postal_code_error(field.data)
        if error:
            raise ValidationError(error)
        if len(digits(field.data)) != 9:
            raise ValidationError(
                "The clinic needs its 9-digit ZIP code (ZIP+4, e.g. 85018-1234): claims carry the service "
                "facility's and billing provider's ZIP+4."
            )

    def validate_assistant_finalization_verbiage(self, field):
        field.data = (field.data or "").strip()
        if self.assistant_finalization.data == "on" and not field.data:
            raise ValidationError(
                "Enter the verbiage added to notes finalized by assistants, or turn Assistant Note Finalization off."
            )

    def validate_fee_schedule_region(self, field):
        if field.data not in FEE_SCHEDULE_REGIONS:
            raise ValidationError("Choose the Medicare Fee Schedule region closest to the clinic.")
