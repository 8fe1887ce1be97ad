"""referring physicians' fax number

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referring_physician', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fax', sa.String(length=10), nullable=False, server_default=sa.text("''")))


def downgrade():
    with op.batch_alter_table('referring_physician', schema=None) as batch_op:
        batch_op.drop_column('fax')
