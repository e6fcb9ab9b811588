"""request reply window: the day of the answer an enterprise request's firm reads now

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enterprise_request') as batch:
        batch.add_column(sa.Column('answered_on', sa.Date(), nullable=True))
    # Answers waiting for their firm: the window starts now, so no firm's closes sooner than it is told.
    op.execute("UPDATE enterprise_request SET answered_on = CURRENT_DATE WHERE status = 'answered'")


def downgrade() -> None:
    with op.batch_alter_table('enterprise_request') as batch:
        batch.drop_column('answered_on')
