"""Each clinic's time zone: instants are stored in UTC and shown, and "today" is reckoned, in the zone of
the clinic the user works in (an Arizona clinic is 7 hours behind UTC all year: no daylight saving).

The zones offered are data: the IANA zones of the US states and territories. A clinic's zone defaults
from its state (the state's most populous zone where a state spans two).
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

US_TIME_ZONES = [
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona (Mountain, no daylight saving)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico, U.S. Virgin Islands)"),
    ("Pacific/Guam", "Chamorro (Guam, Northern Mariana Islands)"),
    ("Pacific/Pago_Pago", "Samoa (American Samoa)"),
]
ZONE_NAMES = {zone for zone, _ in US_TIME_ZONES}
FALLBACK_ZONE = "America/New_York"

_BY_STATE = {
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR VI",
    "Pacific/Guam": "GU MP",
    "Pacific/Pago_Pago": "AS",
}
ZONE_BY_STATE = {state: zone for zone, states in _BY_STATE.items() for state in states.split()}


def zone_for_state(state: str | None) -> str:
    """The usual zone of a US state or territory (Eastern when unknown)."""
    return ZONE_BY_STATE.get((state or "").upper(), FALLBACK_ZONE)


def clinic_zone(clinic) -> ZoneInfo:
    """The clinic's zone (``core.web.local_time`` shows times in the current clinic's)."""
    return ZoneInfo(clinic.time_zone if clinic.time_zone in ZONE_NAMES else zone_for_state(clinic.state))
