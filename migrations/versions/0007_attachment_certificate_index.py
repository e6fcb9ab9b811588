"""an index on attachment.certificate_id: a certificate's card lists the cases it was shared with

On PostgreSQL, CREATE INDEX blocks writes to the attachment table while it builds: on a
database of millions of cases, run it in a maintenance window.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_certificate_id'), ['certificate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_certificate_id'))
