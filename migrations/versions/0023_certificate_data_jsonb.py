"""certificate data jsonb: on PostgreSQL a certificate's data is JSONB, read by key without parsing text

The eligibility sweep reads one or more keys (valid_until, a degree, a child's birth date) of up to a
million certificates per policy. A JSON value is text, parsed again for every key read: the validity
check alone of 800,000 hukou booklets took 0.5 s of a server's CPU, against 0.04 s on JSONB
(bench/BENEFITS.md). SQLite stores JSON as text either way: nothing changes there.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column(
            'certificate', 'data', type_=postgresql.JSONB(), existing_type=sa.JSON(), postgresql_using='data::jsonb'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column(
            'certificate', 'data', type_=sa.JSON(), existing_type=postgresql.JSONB(), postgresql_using='data::json'
        )
