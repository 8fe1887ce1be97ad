"""notes: SOAP notes with plans of care, diagnoses, signatures, addenda, physician certification;
the case's has_finalized_notes flag and the company's plan of care alerts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_finalized_notes', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poc_alerts', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    op.create_table(
        'note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('Initial Evaluation', 'Daily Note', 'Progress Note / Re-Certification', 'Discharge Summary',
                                  'Placeholder Initial Evaluation', name='notekind', native_enum=False, length=40), nullable=False),
        sa.Column('status', sa.Enum('draft', 'returned', 'pending co-signature', 'finalized', name='notestatus',
                                    native_enum=False, length=25), nullable=False),
        sa.Column('date_of_service', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('cosigner_id', sa.Integer(), nullable=True),
        sa.Column('supervised_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('editor_token', sa.String(length=32), nullable=False),
        sa.Column('editor_seq', sa.Integer(), nullable=False),
        sa.Column('subjective', sa.Text(), nullable=False),
        sa.Column('objective', sa.Text(), nullable=False),
        sa.Column('measurements', sa.JSON(), nullable=False),
        sa.Column('assessment', sa.Text(), nullable=False),
        sa.Column('plan', sa.Text(), nullable=False),
        sa.Column('goals', sa.JSON(), nullable=False),
        sa.Column('frequency_per_week', sa.Integer(), nullable=True),
        sa.Column('duration_weeks', sa.Integer(), nullable=True),
        sa.Column('interventions', sa.Text(), nullable=False),
        sa.Column('plan_start', sa.Date(), nullable=True),
        sa.Column('plan_end', sa.Date(), nullable=True),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('do_not_bill', sa.Boolean(), nullable=False),
        sa.Column('return_comment', sa.Text(), nullable=False),
        sa.Column('assistant_verbiage', sa.String(length=500), nullable=False),
        sa.Column('copied_from_id', sa.Integer(), nullable=True),
        sa.Column('charges_need_update', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('forwarded_at', sa.DateTime(), nullable=True),
        sa.Column('finalized_at', sa.DateTime(), nullable=True),
        sa.Column('finalized_by_id', sa.Integer(), nullable=True),
        sa.Column('content_sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['case_id'], ['patient_case.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id']),
        sa.ForeignKeyConstraint(['copied_from_id'], ['note.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['cosigner_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['finalized_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['supervised_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_note_case_date', 'note', ['case_id', 'date_of_service'])
    op.create_index('ix_note_patient_date', 'note', ['patient_id', 'date_of_service'])
    op.create_index('ix_note_author_status', 'note', ['author_id', 'status'])
    op.create_index('ix_note_cosigner_status', 'note', ['cosigner_id', 'status'])
    op.create_index('ix_note_clinic_status', 'note', ['clinic_id', 'status'])

    op.create_table(
        'note_diagnosis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=False),
        sa.Column('is_treating', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('note_id', 'position'),
    )
    op.create_index(op.f('ix_note_diagnosis_note_id'), 'note_diagnosis', ['note_id'])

    op.create_table(
        'note_signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=201), nullable=False),
        sa.Column('credentials', sa.String(length=10), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=True),
        sa.Column('image', sa.LargeBinary(), nullable=True),
        sa.Column('mime', sa.String(length=20), nullable=True),
        sa.Column('typed_text', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_note_signature_note_id'), 'note_signature', ['note_id'])

    op.create_table(
        'note_addendum',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finalized_at', sa.DateTime(), nullable=True),
        sa.Column('rebill', sa.Boolean(), nullable=False),
        sa.Column('signed_name', sa.String(length=201), nullable=False),
        sa.Column('signed_credentials', sa.String(length=10), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_note_addendum_note_id'), 'note_addendum', ['note_id'])

    op.create_table(
        'plan_certification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('verbal_order_on', sa.Date(), nullable=True),
        sa.Column('order_signed_on', sa.Date(), nullable=True),
        sa.Column('signed_on', sa.Date(), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('signed_copy', sa.LargeBinary(), nullable=True),
        sa.Column('signed_copy_mime', sa.String(length=40), nullable=True),
        sa.Column('signed_copy_name', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('note_id'),
    )

    op.create_table(
        'note_refused_save',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['note_id'], ['note.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_note_refused_save_note_id'), 'note_refused_save', ['note_id'])


def downgrade():
    op.drop_table('note_refused_save')
    op.drop_table('plan_certification')
    op.drop_table('note_addendum')
    op.drop_table('note_signature')
    op.drop_table('note_diagnosis')
    op.drop_table('note')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('poc_alerts')
    with op.batch_alter_table('patient_case', schema=None) as batch_op:
        batch_op.drop_column('has_finalized_notes')
