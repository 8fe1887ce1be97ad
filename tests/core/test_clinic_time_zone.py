"""Each clinic's time zone: stored instants (UTC) are shown in it, "today" is its date, and the audit
trail's date filters mean its days."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from core.audit import AuditEvent, record
from core.extensions import db
from core.web import local_time


@pytest.fixture
def phoenix(clinic):
    clinic.time_zone = "America/Phoenix"
    db.session.commit()
    return clinic


def _event_at(clinic, actor, when: datetime, summary: str):
    event = record("patient.view", "patient", 7, clinic_id=clinic.id, actor=actor, summary=summary)
    event.occurred_at = when
    db.session.commit()
    return event


def test_the_audit_trail_shows_the_clinics_time(client, admin, phoenix):
    _event_at(phoenix, admin, datetime(2026, 6, 1, 20, 0), "seen")
    client.login(admin.email)
    page = client.get("/admin/audit/?object_id=7").get_data(as_text=True)
    assert "06/01/2026 01:00 PM MST" in page and "20:00" not in page


def test_the_same_instant_in_an_eastern_clinic(client, admin, clinic):
    clinic.time_zone = "America/New_York"
    db.session.commit()
    _event_at(clinic, admin, datetime(2026, 6, 1, 20, 0), "seen")
    client.login(admin.email)
    assert "06/01/2026 04:00 PM EDT" in client.get("/admin/audit/?object_id=7").get_data(as_text=True)


def test_the_csv_carries_the_clinics_time_with_its_offset(client, admin, phoenix):
    _event_at(phoenix, admin, datetime(2026, 6, 1, 20, 0), "seen")
    client.login(admin.email)
    assert "2026-06-01T13:00:00-07:00" in client.get("/admin/audit/export.csv?object_id=7").get_data(as_text=True)


def test_the_date_filters_mean_the_clinics_days(client, admin, phoenix):
    # 05:00 UTC on June 2nd is 10 PM on June 1st in Phoenix.
    _event_at(phoenix, admin, datetime(2026, 6, 2, 5, 0), "late-on-june-first")
    client.login(admin.email)
    assert "late-on-june-first" in client.hx_get("/admin/audit/?since=2026-06-01&until=2026-06-01").get_data(as_text=True)
    assert "late-on-june-first" not in client.hx_get("/admin/audit/?since=2026-06-02").get_data(as_text=True)


def test_clinic_settings_choose_the_time_zone(client, admin, clinic):
    from tests.core.test_settings import clinic_data

    client.login(admin.email)
    assert client.post("/settings/clinic", data=clinic_data(time_zone="America/Chicago")).status_code == 303
    db.session.refresh(clinic)
    assert clinic.time_zone == "America/Chicago"
    refused = client.post("/settings/clinic", data=clinic_data(time_zone="Mars/Olympus_Mons"))
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    db.session.refresh(clinic)
    assert clinic.time_zone == "America/Chicago"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "clinic.settings")).first()
    assert "time_zone" in event.changes


class _Frozen(datetime):
    """``now`` is 03:00 UTC on December 2nd, 2026: still December 1st in Phoenix."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 2, 3, 0, tzinfo=local_time.timezone.utc).astimezone(tz)


def test_today_is_the_clinics_date(client, admin, phoenix, monkeypatch):
    from tests.core.test_patients import form_data

    monkeypatch.setattr(local_time, "datetime", _Frozen)
    client.login(admin.email)
    future = client.post("/patients/new", data=form_data(date_of_birth="2026-12-02"))
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    assert client.post("/patients/new", data=form_data(date_of_birth="2026-12-01")).status_code == 303


def test_outside_a_request_the_zone_is_utc(app):
    assert local_time.display_zone() is local_time.timezone.utc
    assert local_time.local_day_bounds_utc(date(2026, 1, 1)) == (datetime(2026, 1, 1), datetime(2026, 1, 2))
