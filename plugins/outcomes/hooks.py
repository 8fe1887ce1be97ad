"""Outcomes's hook implementations (imported into :mod:`plugins.outcomes`, which is what gets registered)."""
from __future__ import annotations

from core.plugin_api import SettingField, hookimpl

REQUIRE_OMT_HELP = (
    "Every evaluative note (Initial Evaluation, Progress Note/ReCert, Discharge Summary) for patients with this "
    "insurance must contain a full, completed OMT survey (each answer input, not just the score) before it can "
    "be finalized; recommended only for members reporting the MIPS HM measures or actively managing Outcomes."
)


@hookimpl
def caseload_insurance_settings_fields(clinic):
    """The insurance setting that makes a completed OMT survey required on evaluative notes."""
    return [
        SettingField(
            "require_omt",
            "Require completion of a Outcomes OMT for all patients",
            default=False,
            kind="bool",
            help=REQUIRE_OMT_HELP,
        )
    ]
