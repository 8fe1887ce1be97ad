"""The fast-page pattern's parts (CONTRIBUTING.md, "Fast pages"): prebuilt statements with their values as
parameters, the window count, LIKE terms as parameters, reads in autocommit and their writes after the
response, the signed-in user's permissions read with the user."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import bindparam, select

from core.accounts import User
from core.audit import AuditEvent
from core.extensions import db
from core.patients import AccountNote, Patient, create_patient
from core.web import commit_after_response, escape_like, paginate
from core.web.pagination import _prepared


@pytest.fixture
def patients(clinic, make_clinic):
    other = make_clinic("Other Clinic", company=clinic.company)
    made = {}
    for where, count in ((clinic, 30), (other, 3)):
        for n in range(count):
            create_patient(where, first_name="Pat", last_name=f"Page{n:02d}", date_of_birth=date(1970, 1, 1))
        made[where.id] = count
    db.session.commit()
    return made


def _by_clinic():
    return select(Patient).where(Patient.clinic_id == bindparam("clinic_id")).order_by(Patient.last_name_key, Patient.id)


def test_a_prebuilt_query_is_paged_with_its_values_not_with_the_first_call_s(app, patients):
    query = _by_clinic()
    seen = {}
    for clinic_id in patients:
        with app.test_request_context("/?page=2"):
            page = paginate(query, size=10, params={"clinic_id": clinic_id})
        seen[clinic_id] = (page.total, page.number, [p.clinic_id for p in page.items])
    first, second = patients
    assert seen[first][0] == 30 and seen[first][1] == 2 and set(seen[first][2]) == {first} and len(seen[first][2]) == 10
    assert seen[second][:2] == (3, 1) and set(seen[second][2]) == {second}  # page 2 of 1 clamps to 1
    assert sum(1 for q, _ in _prepared.values() if q is query) == 1  # its count and page statements built once


@pytest.mark.parametrize("count", ["window", "separate"])
def test_a_page_past_the_end_shows_the_last_page(app, patients, clinic, count):
    with app.test_request_context("/?page=99"):
        page = paginate(_by_clinic(), size=7, count=count, params={"clinic_id": clinic.id})
    assert (page.number, page.pages, page.total, len(page.items)) == (5, 5, 30, 2)


def test_the_window_count_of_an_empty_list_is_zero(app, clinic):
    with app.test_request_context("/"):
        page = paginate(_by_clinic(), count="window", params={"clinic_id": clinic.id + 1000})
    assert (page.total, page.items, page.pages) == (0, [], 1)


def test_like_terms_match_their_wildcards_literally(client, admin, make_user, clinic):
    make_user([clinic], last_name="Per%cent", email="percent@example.test")
    make_user([clinic], last_name="Perfect", email="perfect@example.test")
    make_user([clinic], last_name="Under_score", email="under@example.test")
    make_user([clinic], last_name="Underscore", email="underscore@example.test")
    client.login(admin.email)
    found = client.get("/users/?q=per%25").get_data(as_text=True)
    assert "Per%cent" in found and "Perfect" not in found
    found = client.get("/users/?q=under_").get_data(as_text=True)
    assert "Under_score" in found and "Underscore" not in found
    assert escape_like("50%_a/b") == "50/%/_a//b"


def test_a_read_s_audit_event_is_written_with_the_response(client, admin, clinic):
    patient = create_patient(clinic, first_name="Rosa", last_name="Read", date_of_birth=date(1980, 5, 1))
    db.session.commit()
    client.login(admin.email)
    assert client.get(f"/patients/{patient.id}").status_code == 200
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.view")).all()
    assert [(e.object_id, e.actor_id, e.clinic_id) for e in events] == [(str(patient.id), admin.id, clinic.id)]


def test_a_failed_write_after_the_response_answers_500(app, client, admin, clinic):
    def failing_read():
        # NOT NULL patient: the commit after the response fails
        commit_after_response(lambda: db.session.add(AccountNote(patient_id=None, clinic_id=clinic.id, body="lost")))
        return "read"

    app.add_url_rule("/test-failing-read", view_func=failing_read)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client.login(admin.email)
    assert client.get("/test-failing-read").status_code == 500
    db.session.rollback()
    assert db.session.scalar(select(AccountNote.id).where(AccountNote.body == "lost")) is None


def test_reads_run_in_autocommit_and_writes_in_a_transaction(app, client, admin, clinic):
    def isolation():
        return db.session.connection().get_execution_options().get("isolation_level", "a transaction")

    app.add_url_rule("/test-isolation", view_func=isolation, methods=["GET", "POST"])
    client.login(admin.email)
    # PostgreSQL saves its BEGIN and ROLLBACK round trips; SQLite's driver begins only before a write
    read = "AUTOCOMMIT" if db.engine.dialect.name == "postgresql" else "a transaction"
    assert client.get("/test-isolation").get_data(as_text=True) == read
    assert client.post("/test-isolation").get_data(as_text=True) == "a transaction"
    client.get("/test-isolation")
    # after a read, the test's own session is transactional again: a rollback keeps nothing
    db.session.add(AccountNote(patient_id=create_patient(clinic, first_name="A", last_name="B",
                                                         date_of_birth=date(1990, 1, 1)).id,
                               clinic_id=clinic.id, body="rolled back"))
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(AccountNote.id).where(AccountNote.body == "rolled back")) is None


def test_the_signed_in_user_s_permissions_come_with_the_user_and_an_edit_wins(app, client, make_user, clinic, permission):
    user = make_user([clinic], permissions=[permission.VIEW_PATIENTS])
    client.login(user.email)
    assert client.get("/patients/").status_code == 200
    user.set_permissions([])  # taken away: the next request reads the new set
    db.session.commit()
    assert client.get("/patients/").status_code == 403
    with app.test_request_context():
        loaded = db.session.get(User, user.id)
        loaded.preload_access({permission.VIEW_PATIENTS}, [(clinic.id, True)])
        assert loaded.can(permission.VIEW_PATIENTS) and loaded.default_clinic_id == clinic.id
        loaded.set_permissions([permission.EDIT_PATIENTS])  # the relationship, once loaded or changed, wins
        assert loaded.permission_set == {permission.EDIT_PATIENTS}

