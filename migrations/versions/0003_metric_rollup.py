"""the metrics rollup, and indexes on updated_at to find what changed

The supervisor's dashboard sums pre-aggregated counts per China submission day
(metric_application_day, metric_task_day, metric_department_day) instead of
aggregating every case on each view; metric_refresh remembers when the last
refresh started. Indexes on application.updated_at and task.updated_at let a
refresh find the cases changed since then as an index range.

The new tables start empty: the first refresh builds every day, which on a
database of a million applications takes a while. Run `flask --app app metrics
refresh` once right after upgrading (before the dashboard is used), as with
the index builds here, which block writes to their tables on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:56:45.063966
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('metric_application_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('submitted', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('finished', sa.Integer(), nullable=False),
    sa.Column('finished_without_visit', sa.Integer(), nullable=False),
    sa.Column('finished_with_deadline', sa.Integer(), nullable=False),
    sa.Column('finished_in_time', sa.Integer(), nullable=False),
    sa.Column('finished_same_day', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.Column('second_notices', sa.Integer(), nullable=False),
    sa.Column('visits_beyond_promise', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'service_code', 'status')
    )
    op.create_table('metric_department_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.Column('second_notices', sa.Integer(), nullable=False),
    sa.Column('visits_beyond_promise', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'service_code', 'department')
    )
    op.create_table('metric_refresh',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('metric_task_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('item_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('tasks', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('application_finished', sa.Integer(), nullable=False),
    sa.Column('application_finished_without_visit', sa.Integer(), nullable=False),
    sa.Column('decided', sa.Integer(), nullable=False),
    sa.Column('decided_with_deadline', sa.Integer(), nullable=False),
    sa.Column('decided_in_time', sa.Integer(), nullable=False),
    sa.Column('decided_same_day', sa.Integer(), nullable=False),
    sa.Column('decided_late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'service_code', 'department', 'item_code', 'status')
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_updated_at'))

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_updated_at'))

    op.drop_table('metric_task_day')
    op.drop_table('metric_refresh')
    op.drop_table('metric_department_day')
    op.drop_table('metric_application_day')
