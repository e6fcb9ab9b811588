"""elder mode (长辈版) remembered per account

One boolean on user_account; every existing account starts in the standard view.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ADD COLUMN on both databases: a batch copy of user_account would trip SQLite's foreign keys.
def upgrade() -> None:
    op.add_column('user_account', sa.Column('elder_mode', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('user_account', 'elder_mode')
