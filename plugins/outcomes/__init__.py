"""Outcomes: outcome-survey (OMT) enforcement on evaluative notes.

Adds the insurance setting "Require completion of a Outcomes OMT for all patients" (stored on the
insurance; read it with ``core.plugins.insurance_setting(insurance, "outcomes", "require_omt")``). The
enforcement at finalize arrives with notes.

The hook implementations live in :mod:`plugins.outcomes.hooks` and are imported here, because the entry
point registers this package module with the plugin manager.
"""
from .hooks import caseload_insurance_settings_fields

TITLE = "Outcomes"
DESCRIPTION = "Requires a completed outcome measure survey on evaluative notes before they can be finalized."

__all__ = ["TITLE", "DESCRIPTION", "caseload_insurance_settings_fields"]
