"""Reading the note editor's form: every field checked on its own, so a save keeps what is good and
refuses (with a message at the field) only what is not. Nothing here touches the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.notes.content import MEASUREMENT_KINDS, SOAP_FIELDS
from core.notes.diagnoses import Diagnosis, DiagnosisError, check_code
from core.notes.models import MAX_DIAGNOSES, TEXT_LIMIT, GoalStatus
from core.web import clean_line, clean_lines

GOAL_ROWS_SPARE = 2
MEASUREMENT_ROWS_SPARE = 2
MAX_GOALS = 20
MAX_MEASUREMENTS = 40
SHORT_TEXT = 500


@dataclass
class NoteInput:
    """What the form asks to change (only fields present and valid) and the messages for the others."""

    values: dict = field(default_factory=dict)
    diagnoses: list[tuple[Diagnosis, bool]] | None = None  # (diagnosis, treating), None: unchanged
    errors: dict[str, str] = field(default_factory=dict)


def _text(form, name: str, limit: int, out: NoteInput) -> None:
    if name not in form:
        return
    value = form.get(name, "").replace("\r\n", "\n")
    try:
        clean_lines(value)
    except ValueError as error:
        out.errors[name] = str(error)
        return
    if len(value) > limit:
        out.errors[name] = f"Use at most {limit:,} characters (this has {len(value):,})."
        return
    out.values[name] = value


def _int(form, name: str, low: int, high: int, label: str, out: NoteInput) -> None:
    if name not in form:
        return
    raw = form.get(name, "").strip()
    if not raw:
        out.values[name] = None
        return
    if not raw.isdigit() or not (low <= int(raw) <= high):
        out.errors[name] = f"Enter {label} as a whole number from {low} to {high}."
        return
    out.values[name] = int(raw)


def parse_date(raw: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for parse in (date.fromisoformat, lambda r: date(int(r[6:10]), int(r[0:2]), int(r[3:5])) if len(r) == 10 else None):
        try:
            value = parse(raw)
        except (ValueError, IndexError):
            continue
        if value:
            return value
    raise ValueError("Enter a date as MM/DD/YYYY.")


def _date(form, name: str, out: NoteInput) -> None:
    if name not in form:
        return
    try:
        out.values[name] = parse_date(form.get(name))
    except ValueError as error:
        out.errors[name] = str(error)


def _rows(form, prefix: str, limit: int) -> list[int]:
    """Row indexes present in the form for fields named ``<prefix>-<i>``."""
    found = sorted({int(k.rsplit("-", 1)[1]) for k in form if k.startswith(prefix + "-") and k.rsplit("-", 1)[1].isdigit()})
    return [i for i in found if i < limit]


def read_note_form(form, *, evaluative: bool, today: date | None = None) -> NoteInput:
    """The changes asked by the editor's ``form`` (a MultiDict or dict) for a note; ``today`` (the
    clinic's date) refuses a date of service in the future."""
    out = NoteInput()
    for name in SOAP_FIELDS:
        _text(form, name, TEXT_LIMIT, out)
    _date(form, "date_of_service", out)
    if "date_of_service" in out.values and out.values["date_of_service"] is None:
        out.errors["date_of_service"] = "Enter the date of service."
        del out.values["date_of_service"]
    elif today and out.values.get("date_of_service") and out.values["date_of_service"] > today:
        out.errors["date_of_service"] = "The date of service cannot be in the future."
        del out.values["date_of_service"]
    if "measurements_present" in form:
        rows = []
        for i in _rows(form, "m_site", MAX_MEASUREMENTS):
            kind, site, value = (form.get(f"m_kind-{i}", ""), form.get(f"m_site-{i}", "").strip(),
                                 form.get(f"m_value-{i}", "").strip())
            if not site and not value:
                continue
            if kind not in MEASUREMENT_KINDS:
                out.errors[f"m_kind-{i}"] = "Choose what was measured."
                continue
            try:
                clean_line(site), clean_line(value)
            except ValueError as error:
                out.errors[f"m_site-{i}"] = str(error)
                continue
            if len(site) > 100 or len(value) > 100:
                out.errors[f"m_site-{i}"] = "Use at most 100 characters."
                continue
            if kind == "Pain (0-10)" and not (value.isdigit() and 0 <= int(value) <= 10):
                out.errors[f"m_value-{i}"] = "A pain score is a whole number from 0 to 10."
                continue
            if kind == "Strength (0-5)" and value.rstrip("+-") not in ("0", "1", "2", "3", "4", "5"):
                out.errors[f"m_value-{i}"] = "A manual muscle test grade is 0 to 5, optionally with + or -, e.g. 4+."
                continue
            if kind == "Range of motion (degrees)" and not (value.lstrip("-").isdigit() and -90 <= int(value) <= 360):
                out.errors[f"m_value-{i}"] = "Range of motion is whole degrees from -90 to 360."
                continue
            rows.append({"kind": kind, "site": site, "value": value})
        if not any(k.startswith("m_") for k in out.errors):
            out.values["measurements"] = rows
    if "do_not_bill_present" in form:
        out.values["do_not_bill"] = form.get("do_not_bill") in ("on", "y", "1", "true")
    if not evaluative:
        return out

    _int(form, "frequency_per_week", 1, 7, "the visits per week", out)
    _int(form, "duration_weeks", 1, 52, "the duration in weeks", out)
    _text(form, "interventions", SHORT_TEXT * 8, out)
    _date(form, "plan_start", out)
    _date(form, "plan_end", out)
    start, end = out.values.get("plan_start"), out.values.get("plan_end")
    if start and end and end < start:
        out.errors["plan_end"] = "The plan's end date cannot be before its start date."
        out.values.pop("plan_end")
    if "goals_present" in form:
        goals = []
        for i in _rows(form, "goal_text", MAX_GOALS):
            text = form.get(f"goal_text-{i}", "").strip()
            if not text:
                continue
            term, status = form.get(f"goal_term-{i}", "long"), form.get(f"goal_status-{i}", "progressing")
            if term not in ("short", "long") or status not in GoalStatus.CHOICES:
                out.errors[f"goal_text-{i}"] = "Choose the goal's term and status."
                continue
            try:
                clean_line(text)
            except ValueError as error:
                out.errors[f"goal_text-{i}"] = str(error)
                continue
            if len(text) > SHORT_TEXT * 2:
                out.errors[f"goal_text-{i}"] = f"Use at most {SHORT_TEXT * 2} characters."
                continue
            goals.append({"term": term, "text": text, "status": status})
        if not any(k.startswith("goal_") for k in out.errors):
            out.values["goals"] = goals
    if "diagnoses_present" in form:
        chosen, seen, bad = [], set(), False
        treating = form.get("treating", "")
        for i in _rows(form, "dx_code", MAX_DIAGNOSES + 4):
            raw = form.get(f"dx_code-{i}", "").strip()
            if not raw:
                continue
            try:
                diagnosis = check_code(raw)
            except DiagnosisError as error:
                out.errors[f"dx_code-{i}"] = str(error)
                bad = True
                continue
            if diagnosis.code in seen:
                out.errors[f"dx_code-{i}"] = f"{diagnosis.code} is listed twice."
                bad = True
                continue
            seen.add(diagnosis.code)
            chosen.append((diagnosis, treating == str(i)))
        if len(chosen) > MAX_DIAGNOSES:
            out.errors["dx_code-0"] = f"A plan of care has at most {MAX_DIAGNOSES} diagnoses."
            bad = True
        if not bad:
            out.diagnoses = chosen
    return out
