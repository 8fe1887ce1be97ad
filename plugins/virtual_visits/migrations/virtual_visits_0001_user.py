"""virtual_visits: virtual_visits_user (virtual visits enabled per user and clinic)

Revision ID: virtual_visits_0001
Revises:
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

revision = "virtual_visits_0001"
down_revision = None
branch_labels = ("virtual_visits",)
depends_on = "0001"


def upgrade():
    op.create_table(
        "virtual_visits_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_virtual_visits_user_clinic_id_clinic"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_virtual_visits_user_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_virtual_visits_user_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_visits_user")),
        sa.UniqueConstraint("clinic_id", "user_id", name=op.f("uq_virtual_visits_user_clinic_id")),
    )
    op.create_index(op.f("ix_virtual_visits_user_user_id"), "virtual_visits_user", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_virtual_visits_user_user_id"), table_name="virtual_visits_user")
    op.drop_table("virtual_visits_user")
