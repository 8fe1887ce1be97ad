"""clinics' time zone, filled from each clinic's state

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The state-to-zone table as of this migration (core.tenancy.time_zones may change; this must not).
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


def upgrade():
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=40), nullable=False, server_default='America/New_York'))
    clinic = sa.table('clinic', sa.column('state', sa.String), sa.column('time_zone', sa.String))
    for zone, states in _BY_STATE.items():
        op.execute(clinic.update().where(clinic.c.state.in_(states.split())).values(time_zone=zone))


def downgrade():
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
