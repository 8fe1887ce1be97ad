"""The audit trail: recorded by one helper, append-only in the database, viewable and filterable by admins."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from core.accounts import UserType
from core.audit import AuditEvent, record
from core.extensions import db


def test_record_appends_an_event(app, admin, clinic):
    record("patient.view", "patient", 42, clinic_id=clinic.id, actor=admin, summary="chart opened")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.object_type, event.object_id, event.actor_id, event.clinic_id) == (
        "patient.view", "patient", "42", admin.id, clinic.id
    )


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET summary = 'x'", "DELETE FROM audit_event"])
def test_audit_trail_refuses_update_and_delete(app, admin, clinic, statement):
    record("patient.view", "patient", 1, clinic_id=clinic.id, actor=admin)
    db.session.commit()
    with pytest.raises(DatabaseError):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.summary)) == ""


def test_admin_views_and_filters_the_trail(client, admin, clinic, make_user, make_clinic):
    pt = make_user([clinic], email="pt@example.test", last_name="Okafor")
    other = make_clinic("Other Clinic")
    record("patient.view", "patient", 7, clinic_id=clinic.id, actor=pt, summary="chart opened")
    record("patient.update", "patient", 8, clinic_id=clinic.id, actor=admin, summary="address changed")
    record("patient.view", "patient", 99, clinic_id=other.id, actor=admin, summary="elsewhere")
    db.session.commit()
    client.login(admin.email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "patient #7" in page and "patient #8" in page and "auth.login" in page
    assert "patient #99" not in page  # a clinic the admin cannot see
    filtered = client.hx_get("/admin/audit/?actor=okafor").get_data(as_text=True)
    assert "patient #7" in filtered and "patient #8" not in filtered and "<html" not in filtered
    by_action = client.hx_get("/admin/audit/?action=patient.update").get_data(as_text=True)
    assert "patient #8" in by_action and "patient #7" not in by_action
    by_object = client.hx_get("/admin/audit/?object_type=patient&object_id=7").get_data(as_text=True)
    assert by_object.count("<tr><td>") == 1
    bad_date = client.get("/admin/audit/?since=yesterday").get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in bad_date


def test_audit_csv_export(client, admin, clinic):
    record("patient.view", "patient", 7, clinic_id=clinic.id, actor=admin, summary="=HYPERLINK(1)")
    db.session.commit()
    client.login(admin.email)
    response = client.get("/admin/audit/export.csv?object_id=7")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].lstrip("\ufeff").startswith("When,Who,Clinic,Action")
    assert len(lines) == 2 and "'=HYPERLINK(1)" in lines[1]


def test_audit_trail_needs_an_admin(client, clinic, make_user, permission):
    make_user([clinic], email="pt@example.test", user_type=UserType.PT, permissions=[permission.VIEW_PATIENTS])
    client.login("pt@example.test")
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403


def test_every_cell_of_the_audit_csv_is_neutralised(client, admin, clinic, make_user):
    """An email like =cmd|'/C calc'!A0@x.test in the Who column is written as text, not a formula."""
    import csv
    import io

    from core.accounts import UserType as _UserType

    attacker = make_user([clinic], email="=cmd|'/c calc'!a0@x.test", user_type=_UserType.CLERICAL)
    record("patient.view", "patient", 9, clinic_id=clinic.id, actor=attacker, summary="+SUM(A1)")
    db.session.commit()
    client.login(admin.email)
    text = client.get("/admin/audit/export.csv?object_id=9").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'=cmd|'/c calc'!a0@x.test" and rows[1][7] == "'+SUM(A1)"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_safe_cell_rules():
    from decimal import Decimal

    from core.web import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "@SUM", "-2+3", "+1", "\tx", "plain", None)] == \
        ["'=1+1", "'@SUM", "'-2+3", "'+1", "'\tx", "plain", ""]
    assert safe_cell(Decimal("-12.50")) == Decimal("-12.50") and safe_cell(-3) == -3


# -- the trail as an admin reads it (issue 8, item 12) -------------------------------------------------
def test_the_export_link_carries_the_filters_applied_in_place(client, admin, clinic):
    import html
    import re as _re

    record("patient.view", "patient", 7, clinic_id=clinic.id, actor=admin)
    record("user.update", "user", admin.id, clinic_id=clinic.id, actor=admin)
    db.session.commit()
    client.login(admin.email)
    partial = client.hx_get("/admin/audit/?action=patient.view").get_data(as_text=True)
    link = html.unescape(_re.search(r'id="audit-export"', partial) and _re.search(r'href="([^"]*export\.csv[^"]*)"', partial).group(1))
    assert "action=patient.view" in link
    exported = client.get(link).get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(exported) == 2 and "patient.view" in exported[1]


def test_the_action_filter_offers_the_known_actions(client, admin, clinic):
    record("patient.view", "patient", 7, clinic_id=clinic.id, actor=admin)
    record("case.update", "case", 3, clinic_id=clinic.id, actor=admin)
    db.session.commit()
    client.login(admin.email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert '<select id="f-action" name="action">' in page
    assert '<option value="patient.view">patient.view</option>' in page and '<option value="case.update">case.update</option>' in page


def test_records_are_named_and_linked_and_changes_shown(client, admin, clinic, count_queries):
    from datetime import date

    from core.patients import create_patient

    patients = [create_patient(clinic, first_name="Maria", last_name=f"Rivera{chr(65 + i)}", date_of_birth=date(1961, 4, 12))
                for i in range(5)]
    db.session.flush()
    for patient in patients:
        record("patient.update", "patient", patient.id, clinic_id=clinic.id, actor=admin, summary="sex changed",
               changes={"sex": ["Female", "Male"]})
    db.session.commit()
    client.login(admin.email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    first = patients[0]
    assert f'<a href="/patients/{first.id}">RiveraA, Maria (chart #{first.chart_number})</a>' in page
    assert "<strong>sex</strong>: Female → Male" in page
    # The names are loaded once per page and record type, however many rows.
    with count_queries() as five:
        client.get("/admin/audit/")
    for i in range(5, 15):
        record("patient.update", "patient", patients[i % 5].id, clinic_id=clinic.id, actor=admin)
    db.session.commit()
    with count_queries() as fifteen:
        client.get("/admin/audit/")
    assert fifteen.count == five.count


def test_the_csv_has_the_record_name_and_the_changes(client, admin, clinic):
    record("user.update", "user", admin.id, clinic_id=clinic.id, actor=admin, changes={"status": ["active", "inactive"]})
    db.session.commit()
    client.login(admin.email)
    text = client.get(f"/admin/audit/export.csv?action=user.update&object_id={admin.id}").get_data(as_text=True).lstrip("\ufeff")
    import csv
    import io

    header, row = list(csv.reader(io.StringIO(text)))[:2]
    assert header == ["When", "Who", "Clinic", "Action", "Record type", "Record id", "Record", "Summary", "Changes"]
    assert row[6] == f"{admin.first_name} {admin.last_name} (PT)" and row[8] == "status: active → inactive"
