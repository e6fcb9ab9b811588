"""disputes (最多跑一地): the dispute, its evidence, its mediation sessions and the visits it cost

New tables only: a dispute's route tasks are rows of `task` (case_kind 'dispute'), its messages and
rating name its chain, as migration 0009 made room for.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('audit_length', sa.Integer(), nullable=False),
    sa.Column('audit_tip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('counterparty_id', sa.Integer(), nullable=False),
    sa.Column('kind_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('centre_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('registered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('routes', sa.JSON(), nullable=False),
    sa.Column('extension', sa.JSON(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('agreement_terms', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('certificate_numbers', sa.JSON(), nullable=False),
    sa.Column('referral', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('honoured', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['counterparty_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_centre_code'), ['centre_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_counterparty_id'), ['counterparty_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_dispute_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_updated_at'), ['updated_at'], unique=False)

    op.create_table('dispute_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('storage_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dispute_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_evidence_dispute_id'), ['dispute_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_evidence_key'), ['key'], unique=True)

    op.create_table('dispute_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('centre_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dispute_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_visit_dispute_id'), ['dispute_id'], unique=False)

    op.create_table('mediation_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('centre_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('scheduled_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['dispute.id'], ),
    sa.ForeignKeyConstraint(['scheduled_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mediation_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_session_dispute_id'), ['dispute_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediation_session_task_id'), ['task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mediation_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_session_task_id'))
        batch_op.drop_index(batch_op.f('ix_mediation_session_dispute_id'))

    op.drop_table('mediation_session')
    with op.batch_alter_table('dispute_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_visit_dispute_id'))

    op.drop_table('dispute_visit')
    with op.batch_alter_table('dispute_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_evidence_key'))
        batch_op.drop_index(batch_op.f('ix_dispute_evidence_dispute_id'))

    op.drop_table('dispute_evidence')
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_updated_at'))
        batch_op.drop_index(batch_op.f('ix_dispute_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_dispute_status'))
        batch_op.drop_index(batch_op.f('ix_dispute_key'))
        batch_op.drop_index(batch_op.f('ix_dispute_deadline'))
        batch_op.drop_index(batch_op.f('ix_dispute_counterparty_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_centre_code'))
        batch_op.drop_index(batch_op.f('ix_dispute_applicant_id'))

    op.drop_table('dispute')
