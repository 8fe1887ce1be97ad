"""A page's number of SQL queries does not grow with its rows or with plugin columns."""
from sqlalchemy import func, insert, select

from core.accounts import User, UserStatus, UserType
from core.extensions import db
from core.tenancy import ClinicAccess
from tests.support import password_hash


def _bulk_users(clinic, count: int, start: int) -> None:
    types = list(UserType)
    rows = [
        {"email": f"bulk{n}@example.test", "first_name": "Bulk", "last_name": f"User{n:05d}", "user_type": types[n % len(types)],
         "status": UserStatus.ACTIVE, "is_admin": False, "password_hash": password_hash(), "session_nonce": "x",
         "failed_logins": 0}
        for n in range(start, start + count)
    ]
    db.session.execute(insert(User), rows)
    ids = db.session.scalars(select(User.id).where(User.email.like("bulk%"), User.id.not_in(
        select(ClinicAccess.user_id)))).all()
    db.session.execute(insert(ClinicAccess), [{"user_id": i, "clinic_id": clinic.id, "is_default": True} for i in ids])
    db.session.commit()


def test_user_manager_queries_same_for_20_and_2000_users_with_both_plugins(client, admin, clinic, enable_plugin, count_queries):
    enable_plugin(clinic, "mips")
    enable_plugin(clinic, "virtual_visits")
    client.login(admin.email)
    _bulk_users(clinic, 19, 0)
    with count_queries() as small:
        page = client.get("/users/")
    assert page.status_code == 200 and "MIPS" in page.get_data(as_text=True) and "Virtual Visits" in page.get_data(as_text=True)
    _bulk_users(clinic, 1981, 19)
    assert db.session.scalar(select(func.count(ClinicAccess.id))) == 2001
    with count_queries() as large:
        page = client.get("/users/?page=3")
    assert "2001 in all" in page.get_data(as_text=True)
    assert small.count == large.count, (small.statements, large.statements)


def test_plugin_columns_add_a_constant_number_of_queries(client, admin, clinic, enable_plugin, count_queries):
    _bulk_users(clinic, 40, 0)
    client.login(admin.email)
    with count_queries() as without_plugins:
        client.get("/users/")
    enable_plugin(clinic, "mips")
    enable_plugin(clinic, "virtual_visits")
    with count_queries() as with_plugins:
        client.get("/users/")
    # one query per plugin column for the whole page, never one per row
    assert with_plugins.count - without_plugins.count <= 2
