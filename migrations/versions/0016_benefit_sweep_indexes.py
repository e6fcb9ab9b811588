"""benefit sweep indexes: certificates of a type by owner; contributions and spells read from the index alone

The eligibility sweep groups one type's certificates by owner (without the index SQLite reads the whole
table in owner order to do it), looks up each firm's or person's twelve months of contributions, and
counts each employer's spells: the wider indexes hold every column those read, so that the rows
themselves are not visited. Indexes only: the same on SQLite and PostgreSQL.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SPELLS = ['employer_id', 'started_on', 'ended_on', 'end_reason', 'first_job']


def upgrade() -> None:
    op.create_index('ix_certificate_type_owner', 'certificate', ['cert_type', 'owner_id'])
    # The same first columns as the index it replaces, so every lookup it served it still serves.
    op.drop_index('ix_contribution_subject_month', table_name='contribution')
    op.create_index(
        'ix_contribution_subject_month_paid', 'contribution', ['subject_id', 'month', 'kind', 'paid_as', 'amount_fen']
    )
    op.drop_index('ix_employment_employer_id', table_name='employment')
    op.create_index('ix_employment_employer_spell', 'employment', SPELLS)


def downgrade() -> None:
    op.drop_index('ix_employment_employer_spell', table_name='employment')
    op.create_index('ix_employment_employer_id', 'employment', ['employer_id'])
    op.drop_index('ix_contribution_subject_month_paid', table_name='contribution')
    op.create_index('ix_contribution_subject_month', 'contribution', ['subject_id', 'month'])
    op.drop_index('ix_certificate_type_owner', table_name='certificate')
