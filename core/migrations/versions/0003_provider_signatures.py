"""provider signatures: one current signature per therapist

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=True),
    sa.Column('mime', sa.String(length=20), nullable=True),
    sa.Column('typed_text', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('upload', 'drawn', 'typed')", name=op.f('ck_provider_signature_kind')),
    sa.CheckConstraint("(kind = 'typed' AND typed_text IS NOT NULL) OR (kind IN ('upload', 'drawn') AND image IS NOT NULL)", name=op.f('ck_provider_signature_content')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_provider_signature_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_provider_signature_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_signature')),
    sa.UniqueConstraint('user_id', name=op.f('uq_provider_signature_user_id'))
    )


def downgrade():
    op.drop_table('provider_signature')
