"""rollup ratings: the metrics rollup counts the applications rated and their scores

The cockpit's ratings trend joined every rating to its application (672 ms at a million
applications); it now sums these two counts per submission day and service. The rows already
there never counted them, so the refresh record goes: the next refresh counts every day again.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('metric_application_day', sa.Column('rated', sa.Integer(), server_default='0', nullable=False))
    op.add_column(
        'metric_application_day', sa.Column('rating_score', sa.Integer(), server_default='0', nullable=False)
    )
    op.execute('DELETE FROM metric_refresh')


def downgrade() -> None:
    with op.batch_alter_table('metric_application_day') as batch:
        batch.drop_column('rating_score')
        batch.drop_column('rated')
    op.execute('DELETE FROM metric_refresh')
