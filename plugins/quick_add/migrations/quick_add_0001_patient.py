"""quick_add: quick_add_patient (patients created with Quick Add Patient, per clinic)

Revision ID: quick_add_0001
Revises:
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "quick_add_0001"
down_revision = None
branch_labels = ("quick_add",)
depends_on = "0004"


def upgrade():
    op.create_table(
        "quick_add_patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_quick_add_patient_clinic_id_clinic"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_quick_add_patient_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user_account.id"],
            name=op.f("fk_quick_add_patient_added_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_add_patient")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_quick_add_patient_patient_id")),
    )
    op.create_index("ix_quick_add_patient_clinic_added", "quick_add_patient", ["clinic_id", "added_at"], unique=False)


def downgrade():
    op.drop_index("ix_quick_add_patient_clinic_added", table_name="quick_add_patient")
    op.drop_table("quick_add_patient")
