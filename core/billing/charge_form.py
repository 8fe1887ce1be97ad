"""Reading the Charge Summary's rows from the note editor's form: each field checked on its own, with a message at
the field (``c_code-2``, ``c_minutes-0``...) for what is refused. Nothing here touches the database.

A row: ``c_code-i`` (a catalogue code, or a custom code on Self Pay cases), ``c_minutes-i``, ``c_by-i``
(therapist, assistant, together), ``c_asst-i`` (the assistant's independent minutes, with together),
``c_dx-i`` (one to four diagnosis numbers; repeated fields or "1,2"), ``c_units-i`` (units entered by the
clinician, blank: computed), ``c_ncci-i`` (Medicare: 59 confirmed), ``c_mod-i`` (Additional Modifiers, repeated).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.billing.catalogue import code_on
from core.billing.charges import Service
from core.billing.modifiers import ASSISTANT, THERAPIST, TOGETHER
from core.billing.rules import unit_rules_on

MAX_LINES = 12
MAX_POINTERS = 4
MAX_UNITS = 32
FURNISHED_BY = ((THERAPIST, "Therapist"), (ASSISTANT, "Assistant alone"), (TOGETHER, "Together"))


@dataclass
class ChargeRows:
    """The rows the form holds (valid ones as :class:`Service`), the unit choice, and messages by field."""

    services: list[Service] = field(default_factory=list)
    custom: dict[int, str] = field(default_factory=dict)  # row position → custom code
    choice: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    present: bool = False


def _values(form, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        raw = form.getlist(name)
    else:
        value = form.get(name, [])
        raw = value if isinstance(value, (list, tuple)) else [value]
    found = []
    for item in raw:
        found.extend(part.strip() for part in str(item).split(",") if part.strip())
    return found


def _whole(raw: str, low: int, high: int) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and low <= int(raw) <= high else None


def row_indexes(form) -> list[int]:
    found = sorted({int(k.rsplit("-", 1)[1]) for k in form if k.startswith("c_code-") and k.rsplit("-", 1)[1].isdigit()})
    return [i for i in found if i < MAX_LINES * 2]


def read_charge_rows(form, *, day: date, diagnosis_count: int, custom_codes: dict[str, object], self_pay: bool,
                     allowed_modifiers: tuple[str, ...] = ()) -> ChargeRows:
    """The Charge Summary rows in ``form`` for a note of ``day``.

    :param diagnosis_count: how many diagnoses the note has (pointers go from 1 to that).
    :param custom_codes: the company's active custom codes by code.
    :param self_pay: whether the case is Self Pay (custom codes are billed only there).
    :param allowed_modifiers: the Additional Modifiers the company created and the insurance enables.
    """
    out = ChargeRows(present="charges_present" in form)
    if not out.present:
        return out
    choice = _whole(str(form.get("unit_choice", "0") or "0"), 0, 99)
    out.choice = choice or 0
    most = unit_rules_on(day).max_daily_minutes
    seen: set[str] = set()
    for i in row_indexes(form):
        raw_code = str(form.get(f"c_code-{i}", "")).strip().upper()
        if not raw_code:
            continue
        if len(out.services) >= MAX_LINES:
            out.errors[f"c_code-{i}"] = f"A note has at most {MAX_LINES} charge lines."
            continue
        custom = custom_codes.get(raw_code)
        if custom is None and code_on(raw_code, day) is None:
            out.errors[f"c_code-{i}"] = (f"{raw_code[:10]} is not a billable code on {day:%m/%d/%Y}: choose a CPT/HCPCS code from "
                                         "the list" + (" or one of the company's custom codes." if self_pay else "."))
            continue
        if custom is not None and not self_pay:
            out.errors[f"c_code-{i}"] = f"{raw_code} is a custom code: custom codes are billed on Self Pay cases only."
            continue
        if raw_code in seen:
            out.errors[f"c_code-{i}"] = f"{raw_code} is listed twice: put all of its minutes on one line."
            continue
        minutes_raw = str(form.get(f"c_minutes-{i}", "")).strip()
        minutes = _whole(minutes_raw or "0", 0, most)
        if minutes is None:
            out.errors[f"c_minutes-{i}"] = f"Enter the minutes as a whole number from 0 to {most}."
            continue
        by = str(form.get(f"c_by-{i}", THERAPIST) or THERAPIST)
        if by not in (THERAPIST, ASSISTANT, TOGETHER):
            out.errors[f"c_by-{i}"] = "Choose who furnished the service: the therapist, the assistant alone, or together."
            continue
        assistant = 0
        if by == TOGETHER:
            assistant = _whole(str(form.get(f"c_asst-{i}", "") or "0"), 0, minutes)
            if assistant is None:
                out.errors[f"c_asst-{i}"] = (f"Enter the assistant's independent minutes, a whole number from 0 to the "
                                             f"service's {minutes} minutes.")
                continue
        pointers_raw = _values(form, f"c_dx-{i}")
        pointers = [_whole(p, 1, max(diagnosis_count, 1)) for p in pointers_raw]
        if any(p is None for p in pointers) or (pointers and diagnosis_count == 0):
            out.errors[f"c_dx-{i}"] = (f"Point to the note's diagnoses by number, 1 to {diagnosis_count}." if diagnosis_count
                                       else "The note has no diagnoses to point to yet.")
            continue
        pointers = list(dict.fromkeys(pointers))
        if len(pointers) > MAX_POINTERS:
            out.errors[f"c_dx-{i}"] = f"A line points to at most {MAX_POINTERS} diagnoses."
            continue
        units_raw = str(form.get(f"c_units-{i}", "")).strip()
        units = None
        if units_raw:
            units = _whole(units_raw, 0, MAX_UNITS)
            if units is None:
                out.errors[f"c_units-{i}"] = f"Enter the units as a whole number from 0 to {MAX_UNITS}, or leave blank to use the computed units."
                continue
        chosen = [m.upper() for m in _values(form, f"c_mod-{i}")]
        refused = [m for m in chosen if m not in allowed_modifiers]
        if refused:
            out.errors[f"c_mod-{i}"] = (f"{', '.join(m[:4] for m in refused)} is not among the Additional Modifiers this "
                                        "insurance enables.")
            continue
        seen.add(raw_code)
        if custom is not None:
            out.custom[len(out.services)] = raw_code
        out.services.append(Service(
            raw_code, minutes, by, assistant, pointers=tuple(pointers), units_entered=units,
            ncci_confirmed=str(form.get(f"c_ncci-{i}", "")) in ("on", "1", "y", "true"), chosen_modifiers=tuple(chosen)))
    return out
