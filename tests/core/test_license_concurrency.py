"""Two admins activating the last license at the same moment: exactly one succeeds (PostgreSQL)."""
import threading
import time

import pytest
from sqlalchemy import select

from core.accounts import LicenseCategory, LicenseUnavailable, User, UserStatus, UserType, claim_license, set_seats
from core.extensions import db

pytestmark = pytest.mark.postgres


def test_last_license_cannot_be_taken_twice(app, make_clinic, make_user):
    clinic = make_clinic("Busy Clinic")
    set_seats(clinic.id, LicenseCategory.THERAPIST, 1)
    db.session.commit()
    first = make_user([clinic], user_type=UserType.PT, status=UserStatus.INACTIVE)
    second = make_user([clinic], user_type=UserType.OT, status=UserStatus.INACTIVE)
    ids = [first.id, second.id]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def activate(user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                claim_license(clinic.id, user.user_type)
                user.status = UserStatus.ACTIVE
                time.sleep(0.3)  # hold the lock while the other admin's request arrives
                db.session.commit()
                results.append("activated")
            except LicenseUnavailable:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=activate, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["activated", "refused"]
    db.session.expire_all()
    statuses = db.session.scalars(select(User.status).where(User.id.in_(ids))).all()
    assert sorted(s.value for s in statuses) == ["active", "inactive"]


def test_last_license_over_parallel_http_requests(app, make_clinic, make_user):
    """The same race through the User Manager's Activate action, two clients at once."""
    from tests.support import CsrfClient, FreshContextClient

    clinic = make_clinic("Busy Clinic")
    set_seats(clinic.id, LicenseCategory.ASSISTANT, 1)
    db.session.commit()
    admins = [make_user([clinic], email=f"admin{i}@example.test", is_admin=True, user_type=UserType.CLERICAL) for i in (1, 2)]
    targets = [make_user([clinic], user_type=UserType.PTA, status=UserStatus.INACTIVE) for _ in (1, 2)]
    app.test_client_class = FreshContextClient
    clients = []
    for admin in admins:
        c = CsrfClient(app.test_client())
        c.login(admin.email)
        c.csrf_token()
        clients.append(c)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def go(c, target_id):
        barrier.wait()
        codes.append(c.post(f"/users/{target_id}/activate", htmx=True).status_code)

    threads = [threading.Thread(target=go, args=(c, t.id)) for c, t in zip(clients, targets, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(codes) == [200, 422]
    db.session.expire_all()
    active = db.session.scalars(select(User).where(User.id.in_([t.id for t in targets]), User.status == UserStatus.ACTIVE)).all()
    assert len(active) == 1
