"""Minutes to units by the payer's method: ``calculate_units`` is public (tools outside Caseload call it).

* **8-Minute Rule** (CMS total-time method, Pub. 100-04 Ch. 5 §20.2): the day's *total* timed minutes
  decide how many timed units are billed (8-22 = 1, 23-37 = 2, ...); each code gets its full 15-minute
  units, and the units left go one each to the codes with the largest leftover minutes. Where leftovers tie,
  every tied allocation is correct: the first is the default, the others are ``alternatives``.
* **Rule of 8s** (CPT midpoint rule): each timed code on its own, never pooled; a unit once past the
  midpoint (8 of 15 minutes).

Untimed (service-based) codes are one unit each, whatever their minutes. The numbers are
``core.billing.rules`` data.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from core.billing.rules import unit_rules_on
from core.payers import UnitCalculation

__all__ = ["UnitResult", "calculate_units", "cms_total_units"]


@dataclass(frozen=True)
class UnitResult:
    """What ``calculate_units`` answers.

    :ivar units: code → units for every code given (timed and untimed); 0 means the line is not billed.
    :ivar explanation: lines of text a therapist reads ("47 timed minutes → 3 units; ...").
    :ivar alternatives: other allocations that are equally correct (CMS ties), each code → units like ``units``.
    :ivar method: the :class:`~core.payers.UnitCalculation` applied.
    :ivar total_timed_minutes: the timed minutes given, summed.
    """

    units: dict[str, int]
    explanation: list[str]
    alternatives: list[dict[str, int]] = field(default_factory=list)
    method: UnitCalculation = UnitCalculation.EIGHT_MINUTE_RULE
    total_timed_minutes: int = 0

    @property
    def total_units(self) -> int:
        return sum(self.units.values())


def _method(method) -> UnitCalculation:
    if isinstance(method, UnitCalculation):
        return method
    for candidate in UnitCalculation:
        if method in (candidate.value, candidate.name):
            return candidate
    raise ValueError(f"unknown unit calculation {method!r}: use one of {', '.join(m.value for m in UnitCalculation)}")


def _minutes(timed_minutes: Mapping[str, int], most: int) -> dict[str, int]:
    checked = {}
    for code, minutes in timed_minutes.items():
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValueError(f"{code}: minutes must be a whole number, not {minutes!r}")
        if not 0 <= minutes <= most:
            raise ValueError(f"{code}: minutes must be from 0 to {most}, not {minutes}")
        checked[str(code)] = minutes
    if sum(checked.values()) > most:
        raise ValueError(f"the day's timed minutes add up to {sum(checked.values())}, more than {most}")
    return checked


def cms_total_units(total_minutes: int, on: date | None = None) -> int:
    """The CMS unit table: 0 under 8 minutes, then 1 for 8-22, 2 for 23-37, ..."""
    rules = unit_rules_on(on or date.today())
    if total_minutes < rules.first_unit_minutes:
        return 0
    return (total_minutes + rules.unit_minutes - rules.first_unit_minutes) // rules.unit_minutes


def calculate_units(method, timed_minutes: Mapping[str, int], untimed: Iterable[str] = ()) -> UnitResult:
    """Units for one discipline's services on one date of service.

    :param method: the insurance's unit calculation: a :class:`~core.payers.UnitCalculation`, or its stored
        value (``"8-Minute Rule"``, ``"Rule of 8s"``).
    :param timed_minutes: timed code → minutes (whole numbers from 0 to the daily maximum).
    :param untimed: the untimed codes given (one unit each).
    :return: a :class:`UnitResult` with ``units``, ``explanation`` and ``alternatives``.
    :raises ValueError: an unknown method, or minutes that are not whole numbers in range.
    """
    chosen = _method(method)
    rules = unit_rules_on(date.today())
    minutes = _minutes(timed_minutes, rules.max_daily_minutes)
    untimed = [str(code) for code in untimed if str(code) not in minutes]
    total = sum(minutes.values())
    if chosen is UnitCalculation.EIGHT_MINUTE_RULE:
        timed_units, explanation, alternatives = _cms(minutes, total, rules)
    else:
        timed_units, explanation, alternatives = _rule_of_eights(minutes, total, rules), [], []
        explanation = [f"{total} timed minutes, each code on its own (Rule of 8s): "
                       + "; ".join(f"{code} {m} min → {timed_units[code]}" for code, m in minutes.items())
                       + f" = {sum(timed_units.values())} unit{'s' if sum(timed_units.values()) != 1 else ''}"] if minutes else []
    units = {**timed_units, **{code: 1 for code in untimed}}
    if untimed:
        explanation.append("Untimed: " + ", ".join(f"{code} → 1" for code in untimed) + " (one unit each, whatever the minutes)")
    return UnitResult(units=units, explanation=explanation,
                      alternatives=[{**a, **{code: 1 for code in untimed}} for a in alternatives],
                      method=chosen, total_timed_minutes=total)


def _rule_of_eights(minutes: dict[str, int], total: int, rules) -> dict[str, int]:
    unit, first = rules.unit_minutes, rules.first_unit_minutes
    return {code: m // unit + (1 if m % unit >= first else 0) for code, m in minutes.items()}


def _cms(minutes: dict[str, int], total: int, rules) -> tuple[dict[str, int], list[str], list[dict[str, int]]]:
    """The CMS allocation: full units per code, the remaining units to the largest leftovers; ties listed."""
    if not minutes:
        return {}, [], []
    unit = rules.unit_minutes
    day_units = cms_total_units(total)
    full = {code: m // unit for code, m in minutes.items()}
    remaining = day_units - sum(full.values())
    leftovers = {code: m % unit for code, m in minutes.items()}
    # Largest leftover first; among equal leftovers the longer service, then the order given.
    order = sorted(minutes, key=lambda code: (-leftovers[code], -minutes[code], list(minutes).index(code)))
    candidates = [code for code in order if leftovers[code] > 0]
    winners = candidates[:remaining]
    alternatives: list[dict[str, int]] = []
    tied: list[str] = []
    if 0 < remaining < len(candidates) and leftovers[candidates[remaining - 1]] == leftovers[candidates[remaining]]:
        boundary = leftovers[candidates[remaining]]
        tied = [code for code in candidates if leftovers[code] == boundary]
        sure = [code for code in candidates if leftovers[code] > boundary]
        for pick in combinations(tied, remaining - len(sure)):
            allocation = {code: full[code] + (1 if code in sure or code in pick else 0) for code in minutes}
            alternatives.append(allocation)
    units = {code: full[code] + (1 if code in winners else 0) for code in minutes}
    alternatives = [a for a in alternatives if a != units]
    lines = [f"{total} timed minutes → {day_units} unit{'s' if day_units != 1 else ''}; "
             + ", ".join(f"{code} {minutes[code]} min → {units[code]}" for code in sorted(minutes, key=lambda c: -units[c]))
             + ", CMS 8-minute rule"]
    if total < rules.first_unit_minutes:
        lines.append(f"Under {rules.first_unit_minutes} timed minutes in the day: no timed units are billed.")
    if remaining > 0:
        lines.append(f"{sum(full.values())} full 15-minute unit{'s' if sum(full.values()) != 1 else ''}; the "
                     f"{remaining} left go{'es' if remaining == 1 else ''} to the largest leftover minutes.")
    if alternatives:
        lines.append("Tie: " + " or ".join(tied) + f" ({leftovers[tied[0]]} minutes left over each) may take the unit; "
                     "CMS lets the clinician choose.")
    return units, lines, alternatives
