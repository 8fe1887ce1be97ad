"""Times as the user's clinic reads them: instants are stored in UTC (naive) and shown, and "today" is
reckoned, in the display zone, the zone of the clinic the signed-in user works in.

Which zone that is belongs to tenancy; it registers the source at start-up (``set_zone_source``), so
this module needs no import of it. Outside a request, or before any source is set, the zone is UTC.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from flask import current_app, g, has_request_context

ZoneSource = Callable[[], tzinfo]


def set_zone_source(app, source: ZoneSource) -> None:
    """Let ``source()`` name the display zone of ``app``'s requests."""
    app.extensions["caseload.zone_source"] = source


def display_zone() -> tzinfo:
    """The zone of the request (kept for the rest of the request once a source names one)."""
    if not has_request_context():
        return timezone.utc
    zone = g.get("_display_zone")
    if zone is None:
        source = current_app.extensions.get("caseload.zone_source")
        zone = source() if source else None
        if zone is None:
            return timezone.utc
        g._display_zone = zone
    return zone


def to_local(instant: datetime | None) -> datetime | None:
    """A stored (naive UTC) instant as an aware datetime in the display zone."""
    if instant is None:
        return None
    return instant.replace(tzinfo=timezone.utc).astimezone(display_zone())


def local_today() -> date:
    """Today's date in the display zone (dates of service, "not in the future" checks)."""
    return datetime.now(display_zone()).date()


def local_day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """The stored (naive UTC) instants at which ``day`` and the next day begin in the display zone."""
    zone = display_zone()
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return tuple(moment.astimezone(timezone.utc).replace(tzinfo=None) for moment in (start, end))


def format_local_time(instant: datetime | None) -> str:
    """``12/01/2026 02:38 PM MST``: with the zone's abbreviation, so no one mistakes the zone."""
    local = to_local(instant)
    return f"{local:%m/%d/%Y %I:%M %p} {local.tzname()}" if local else ""


def format_local_date(instant: datetime | None) -> str:
    local = to_local(instant)
    return f"{local:%m/%d/%Y}" if local else ""
