"""ICD-10-CM diagnoses of a plan of care, checked with simple-icd-10-cm: a code must exist and be
billable (a leaf of the classification: "M54.5" is a category, "M54.50" is billable)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import simple_icd_10_cm as icd

_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")


class DiagnosisError(ValueError):
    """``str(error)`` is the message shown at the field."""


@dataclass(frozen=True)
class Diagnosis:
    code: str  # with its dot, e.g. "M54.50"
    description: str


def check_code(raw: str) -> Diagnosis:
    """The billable ICD-10-CM code ``raw`` (dot optional, any case) with its description, or raise
    :class:`DiagnosisError` saying why it cannot be used."""
    code = (raw or "").strip().upper()
    if not code:
        raise DiagnosisError("Enter an ICD-10-CM code.")
    if len(code) > 8 or not _SHAPE.fullmatch(code):
        raise DiagnosisError(f"{code[:10]} is not an ICD-10-CM code (a letter, two characters, then up to four after a dot, e.g. M54.50).")
    if not icd.is_valid_item(code):
        raise DiagnosisError(f"{code} is not in ICD-10-CM.")
    dotted = icd.add_dot(icd.remove_dot(code))
    if not icd.is_leaf(dotted):
        children = icd.get_children(dotted)
        example = f" (for example {children[0]})" if children else ""
        raise DiagnosisError(f"{dotted} is a category, not a billable code: choose a more specific code{example}.")
    return Diagnosis(dotted, icd.get_description(dotted))
