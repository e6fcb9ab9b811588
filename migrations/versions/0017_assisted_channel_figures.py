"""assisted channel figures: the rollup counts the finished applications with at most one visit

Two counts added to the metrics rollup (最多跑一次, now that the front desk files applications for
walk-in applicants: an assisted filing is a visit). The rows already there never counted them, so
the refresh record goes: the next refresh counts every day again from the cases.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'metric_application_day',
        sa.Column('finished_at_most_one_visit', sa.Integer(), server_default='0', nullable=False),
    )
    op.add_column(
        'metric_task_day',
        sa.Column('application_finished_at_most_one_visit', sa.Integer(), server_default='0', nullable=False),
    )
    op.execute('DELETE FROM metric_refresh')


def downgrade() -> None:
    with op.batch_alter_table('metric_task_day') as batch:
        batch.drop_column('application_finished_at_most_one_visit')
    with op.batch_alter_table('metric_application_day') as batch:
        batch.drop_column('finished_at_most_one_visit')
    op.execute('DELETE FROM metric_refresh')
