"""Two finalize requests for one note at the same moment finalize it once: one visit counted against the
authorization, one set of signatures, one audit event, one finalize notification (PostgreSQL)."""
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.cases import Authorization
from core.extensions import db
from core.notes import Note, NoteKind, NoteSignature, NoteStatus
from tests.notes_world import COMPLETE_SOAP, charge, finalized, make_world
from tests.support import CsrfClient, FreshContextClient

pytestmark = pytest.mark.postgres
TODAY = datetime.now(ZoneInfo("America/New_York")).date()


def test_two_finalize_requests_at_once_finalize_once(app, clinic, make_user):
    world = make_world(clinic, make_user, TODAY)
    finalized(world.case, NoteKind.INITIAL_EVALUATION, TODAY - timedelta(days=2), world.pt)
    note = Note(clinic_id=clinic.id, patient_id=world.patient.id, case_id=world.case.id, kind=NoteKind.DAILY_NOTE,
                date_of_service=TODAY, author_id=world.pt.id, **COMPLETE_SOAP)
    db.session.add(note)
    db.session.commit()
    charge(note, clinic)
    version = note.version
    app.test_client_class = FreshContextClient
    clients = [CsrfClient(app.test_client()) for _ in range(2)]
    for c in clients:  # two tabs of the same therapist
        c.login(world.pt.email)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    errors: list[BaseException] = []
    for c in clients:
        c.csrf_token()  # read before the race

    def finalize(c):
        with app.app_context():
            barrier.wait()
            try:
                codes.append(c.post(f"/notes/{note.id}/finalize", data={"version": str(version)}).status_code)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=finalize, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(codes) == [303, 409] or sorted(codes) == [303, 422], codes
    db.session.expire_all()
    assert db.session.get(Note, note.id).status is NoteStatus.FINALIZED
    assert db.session.scalar(select(Authorization.visits_used).where(Authorization.case_id == world.case.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(NoteSignature).where(NoteSignature.note_id == note.id)) == 1
    from core.billing import ChargeLine
    billed = db.session.scalars(select(ChargeLine.billed).where(ChargeLine.note_id == note.id)).all()
    assert billed == [True]  # the lines written once, by the finalize that won
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "note.finalize", AuditEvent.object_id == str(note.id))) == 1
