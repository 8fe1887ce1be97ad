"""mips: mips_participant (individual MIPS participation per therapist and clinic)

Revision ID: mips_0001
Revises:
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

revision = "mips_0001"
down_revision = None
branch_labels = ("mips",)
depends_on = "0001"


def upgrade():
    op.create_table(
        "mips_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("participating", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_mips_participant_clinic_id_clinic"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_mips_participant_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_mips_participant_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mips_participant")),
        sa.UniqueConstraint("clinic_id", "user_id", name=op.f("uq_mips_participant_clinic_id")),
    )
    op.create_index(op.f("ix_mips_participant_user_id"), "mips_participant", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_mips_participant_user_id"), table_name="mips_participant")
    op.drop_table("mips_participant")
