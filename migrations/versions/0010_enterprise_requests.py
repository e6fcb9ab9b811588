"""enterprise requests (企呼我应): the requests, their attachments and the common problems they are linked to

Three new tables; nothing existing changes (the requests' tasks, messages and ratings use the
columns 0009 added for any kind of case).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('common_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('common_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_common_problem_key'), ['key'], unique=True)

    op.create_table('enterprise_request',
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
    sa.Column('form_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('concerns_number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('concerns_department', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('lead_department', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('first_answered_on', sa.Date(), nullable=True),
    sa.Column('reopened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reopen_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('escalated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['applicant_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['problem_id'], ['common_problem.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('applicant_id', 'form_token', name='uq_enterprise_request_form_token'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('enterprise_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_request_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_enterprise_request_category_submitted', ['category', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_request_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_request_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_enterprise_request_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index('ix_enterprise_request_status_deadline', ['status', 'deadline', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_request_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_request_updated_at'), ['updated_at'], unique=False)

    op.create_table('request_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('storage_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['enterprise_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('request_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_attachment_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_request_attachment_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('request_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_attachment_request_id'))
        batch_op.drop_index(batch_op.f('ix_request_attachment_key'))

    op.drop_table('request_attachment')
    with op.batch_alter_table('enterprise_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_request_updated_at'))
        batch_op.drop_index(batch_op.f('ix_enterprise_request_submitted_at'))
        batch_op.drop_index('ix_enterprise_request_status_deadline')
        batch_op.drop_index(batch_op.f('ix_enterprise_request_problem_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_request_key'))
        batch_op.drop_index(batch_op.f('ix_enterprise_request_deadline'))
        batch_op.drop_index('ix_enterprise_request_category_submitted')
        batch_op.drop_index(batch_op.f('ix_enterprise_request_applicant_id'))

    op.drop_table('enterprise_request')
    with op.batch_alter_table('common_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_common_problem_key'))

    op.drop_table('common_problem')