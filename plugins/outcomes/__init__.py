"""Outcomes: outcome-survey (OMT) enforcement on evaluative notes. Its features arrive with notes."""
TITLE = "Outcomes"
DESCRIPTION = "Requires a completed outcome measure survey on evaluative notes before they can be finalized."
