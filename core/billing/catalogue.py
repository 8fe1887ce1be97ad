"""The code catalogue: CPT/HCPCS codes used in PT, OT and SLP, as effective-dated data.

Each code says whether it is timed (15-minute units) or untimed (one unit per session), the disciplines that
may bill it, and Medicare's view of it (bundled: never paid separately, status B; not recognised, with the
code to bill instead). Sources: ../shared/reference/billing-rules.md §1 (CMS MPFS status, NCCI manual).
A code exists on a date of service when that date is inside its ``effective`` .. ``ends`` window.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PT, OT, SLP = "PT", "OT", "SLP"


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    timed: bool
    disciplines: tuple[str, ...]
    medicare_bundled: bool = False  # MPFS status B: Medicare never pays it separately
    medicare_instead: str | None = None  # Medicare does not recognise the code: bill this one instead
    effective: date = date(2000, 1, 1)
    ends: date | None = None

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.ends is None or day <= self.ends)


_ALWAYS = date(2000, 1, 1)
_EVAL_CODES = date(2017, 1, 1)  # 97161-97168 replaced 97001-97004 on 1 Jan 2017

CODES = (
    Code("97161", "PT evaluation, low complexity", False, (PT,), effective=_EVAL_CODES),
    Code("97162", "PT evaluation, moderate complexity", False, (PT,), effective=_EVAL_CODES),
    Code("97163", "PT evaluation, high complexity", False, (PT,), effective=_EVAL_CODES),
    Code("97164", "PT re-evaluation", False, (PT,), effective=_EVAL_CODES),
    Code("97165", "OT evaluation, low complexity", False, (OT,), effective=_EVAL_CODES),
    Code("97166", "OT evaluation, moderate complexity", False, (OT,), effective=_EVAL_CODES),
    Code("97167", "OT evaluation, high complexity", False, (OT,), effective=_EVAL_CODES),
    Code("97168", "OT re-evaluation", False, (OT,), effective=_EVAL_CODES),
    Code("92521", "Evaluation of speech fluency", False, (SLP,), effective=date(2014, 1, 1)),
    Code("92522", "Evaluation of speech sound production", False, (SLP,), effective=date(2014, 1, 1)),
    Code("92523", "Evaluation of speech sound production with language comprehension and expression", False, (SLP,),
         effective=date(2014, 1, 1)),
    Code("92524", "Behavioral and qualitative analysis of voice and resonance", False, (SLP,), effective=date(2014, 1, 1)),
    Code("92507", "Treatment of speech, language, voice, communication and/or auditory processing disorder", False, (SLP,)),
    Code("92526", "Treatment of swallowing dysfunction and/or oral function for feeding", False, (SLP, OT)),
    Code("97010", "Hot or cold packs", False, (PT, OT), medicare_bundled=True),
    Code("97014", "Electrical stimulation, unattended", False, (PT, OT), medicare_instead="G0283"),
    Code("G0283", "Electrical stimulation, unattended, other than wound care", False, (PT, OT)),
    Code("97150", "Therapeutic procedure, group (2 or more individuals)", False, (PT, OT, SLP)),
    Code("97032", "Electrical stimulation, manual, each 15 minutes", True, (PT, OT)),
    Code("97033", "Iontophoresis, each 15 minutes", True, (PT, OT)),
    Code("97035", "Ultrasound, each 15 minutes", True, (PT, OT)),
    Code("97110", "Therapeutic exercise, each 15 minutes", True, (PT, OT)),
    Code("97112", "Neuromuscular reeducation, each 15 minutes", True, (PT, OT)),
    Code("97116", "Gait training, each 15 minutes", True, (PT,)),
    Code("97140", "Manual therapy techniques, each 15 minutes", True, (PT, OT)),
    Code("97530", "Therapeutic activities, each 15 minutes", True, (PT, OT)),
    Code("97535", "Self-care/home management training, each 15 minutes", True, (PT, OT)),
    Code("97542", "Wheelchair management, each 15 minutes", True, (PT, OT)),
    Code("97750", "Physical performance test or measurement, each 15 minutes", True, (PT, OT)),
    Code("97760", "Orthotic management and training, initial encounter, each 15 minutes", True, (PT, OT)),
    Code("97763", "Orthotic/prosthetic management, subsequent encounter, each 15 minutes", True, (PT, OT),
         effective=date(2018, 1, 1)),
)


def code_on(code: str, day: date) -> Code | None:
    """The catalogue's entry for ``code`` on the date of service ``day``, or None when it is not in force."""
    return next((c for c in CODES if c.code == code and c.in_force(day)), None)


def codes_for(discipline: str, day: date) -> list[Code]:
    """The codes ``discipline`` may bill on ``day``, in code order."""
    return sorted((c for c in CODES if discipline in c.disciplines and c.in_force(day)), key=lambda c: c.code)
