"""Schema changes go through migrations: the migrated database matches the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_time_zone_migration_fills_existing_clinics_from_their_state(tmp_path):
    """0006 on a database with clinics: each gets its state's zone (Texas: Central; no state: Eastern)."""
    import os

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from core import create_app

    url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    directory = os.path.join(app.root_path, "core", "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="0005")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO company (id, name, tin, payer_rule, additional_modifiers, initial_exam_case_copy) "
                                 "VALUES (1, 'Co', '123456789', 'primary', '[]', 0)"))
            for clinic_id, state in ((1, "TX"), (2, "AZ"), (3, "")):
                conn.execute(sa.text("INSERT INTO clinic (id, company_id, name, address_line1, address_line2, city, state, "
                                     "postal_code, phone) VALUES (:id, 1, :name, '', '', '', :state, '', '')"),
                             {"id": clinic_id, "name": f"Clinic {clinic_id}", "state": state})
        upgrade(directory=directory, revision="heads")
        with db.engine.connect() as conn:
            zones = dict(conn.execute(sa.text("SELECT state, time_zone FROM clinic")).all())
        db.engine.dispose()
    assert zones == {"TX": "America/Chicago", "AZ": "America/Phoenix", "": "America/New_York"}
