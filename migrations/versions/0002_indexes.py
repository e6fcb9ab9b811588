"""indexes for queues, lists and the sweeps

Composite indexes in the order each list reads its rows (the department queue by
department, status and deadline; an applicant's list by update time; a clerk's inbox
and archive), so a page costs the same at a thousand applications as at a million.
Single-column indexes that became the first column of a composite one are dropped.
On PostgreSQL, CREATE INDEX blocks writes to its table while it builds: upgrading a
database that already holds millions of rows belongs in a maintenance window.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:44:27.387128
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_applicant_id'))
        batch_op.drop_index(batch_op.f('ix_application_status'))
        batch_op.create_index('ix_application_applicant_updated', ['applicant_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_application_status_submitted', ['status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_submitted_at'), ['submitted_at'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_sent_at'))
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.create_index('ix_notification_pending', ['sent_at', 'id'], unique=False)
        batch_op.create_index('ix_notification_user_channel_sent', ['user_id', 'channel', 'sent_at'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_task_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_task_department'))
        batch_op.drop_index(batch_op.f('ix_task_item_code'))
        batch_op.drop_index(batch_op.f('ix_task_status'))
        batch_op.create_index('ix_task_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_task_decider_decided', ['decided_by_id', 'decided_at', 'id'], unique=False)
        batch_op.create_index('ix_task_department_status_deadline', ['department', 'status', 'deadline', 'id'], unique=False)
        batch_op.create_index('ix_task_item_status_deadline', ['item_code', 'status', 'deadline', 'id'], unique=False)
        batch_op.create_index('ix_task_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_supplement_due'), ['supplement_due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_supplement_due'))
        batch_op.drop_index('ix_task_status_deadline')
        batch_op.drop_index('ix_task_item_status_deadline')
        batch_op.drop_index('ix_task_department_status_deadline')
        batch_op.drop_index('ix_task_decider_decided')
        batch_op.drop_index('ix_task_assignee_status')
        batch_op.create_index(batch_op.f('ix_task_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_item_code'), ['item_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_assignee_id'), ['assignee_id'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_channel_sent')
        batch_op.drop_index('ix_notification_pending')
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_sent_at'), ['sent_at'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_submitted_at'))
        batch_op.drop_index('ix_application_status_submitted')
        batch_op.drop_index('ix_application_applicant_updated')
        batch_op.create_index(batch_op.f('ix_application_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_applicant_id'), ['applicant_id'], unique=False)
