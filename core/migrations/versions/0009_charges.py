"""charges: fee schedules, custom codes, charge lines on notes, patient payments; the note's Charge Summary
totals and unit method; the case's Medicare threshold amount used elsewhere

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=10, scale=2)


def upgrade():
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total_timed_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('total_treatment_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('unit_method', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_method_reason', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_choice', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('patient_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medicare_threshold_used', MONEY, nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('medicare_threshold_year', sa.Integer(), nullable=True))

    op.create_table(
        'fee_schedule_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=5), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_to', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('company_id', 'code', 'effective_from'),
    )
    op.create_index('ix_fee_schedule_company_code', 'fee_schedule_entry', ['company_id', 'code', 'effective_from'])
    op.create_table(
        'custom_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=10), nullable=False),
        sa.Column('description', sa.String(length=100), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('comparative_code', sa.String(length=5), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('company_id', 'code'),
    )
    op.create_table(
        'charge_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('date_of_service', sa.Date(), nullable=False),
        sa.Column('discipline', sa.String(length=5), nullable=False),
        sa.Column('medicare', sa.Boolean(), nullable=False),
        sa.Column('billed', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=10), nullable=False),
        sa.Column('custom', sa.Boolean(), nullable=False),
        sa.Column('description', sa.String(length=120), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('furnished_by', sa.String(length=10), nullable=False),
        sa.Column('assistant_minutes', sa.Integer(), nullable=False),
        sa.Column('diagnosis_pointers', sa.JSON(), nullable=False),
        sa.Column('units_entered', sa.Integer(), nullable=True),
        sa.Column('ncci_confirmed', sa.Boolean(), nullable=False),
        sa.Column('chosen_modifiers', sa.JSON(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('modifiers', sa.JSON(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('derivation', sa.Text(), nullable=False),
        sa.Column('review', sa.Boolean(), nullable=False),
        sa.Column('unit_amount', MONEY, nullable=False),
        sa.Column('charge', MONEY, nullable=False),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id']),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('note_id', 'position'),
    )
    op.create_index('ix_charge_line_note_id', 'charge_line', ['note_id'])
    op.create_index('ix_charge_line_spend', 'charge_line', ['patient_id', 'billed', 'date_of_service'])
    op.create_table(
        'patient_payment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('note_id', sa.Integer(), nullable=True),
        sa.Column('transaction', sa.Enum('Payment', 'Correction', 'Reversal', 'Refund', name='transactiontype',
                                         native_enum=False, length=12), nullable=False),
        sa.Column('original_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('Copay', 'Supply payment', 'Miscellaneous fee', 'Other patient payment', name='paymentkind', native_enum=False,
                                  length=25), nullable=False),
        sa.Column('method', sa.Enum('Cash', 'Check', 'Credit or debit card', 'Other', name='paymentmethod', native_enum=False,
                                    length=25), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=50), nullable=False),
        sa.Column('memo', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id']),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['case_id'], ['patient_case.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['original_id'], ['patient_payment.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_patient_payment_patient', 'patient_payment', ['patient_id', 'paid_on'])


def downgrade():
    op.drop_index('ix_patient_payment_patient', table_name='patient_payment')
    op.drop_table('patient_payment')
    op.drop_index('ix_charge_line_spend', table_name='charge_line')
    op.drop_index('ix_charge_line_note_id', table_name='charge_line')
    op.drop_table('charge_line')
    op.drop_table('custom_code')
    op.drop_index('ix_fee_schedule_company_code', table_name='fee_schedule_entry')
    op.drop_table('fee_schedule_entry')
    with op.batch_alter_table('patient_case', schema=None) as batch_op:
        batch_op.drop_column('medicare_threshold_year')
        batch_op.drop_column('medicare_threshold_used')
    with op.batch_alter_table('note', schema=None) as batch_op:
        for name in ('unit_choice', 'unit_method_reason', 'unit_method', 'total_treatment_minutes', 'total_timed_minutes'):
            batch_op.drop_column(name)
