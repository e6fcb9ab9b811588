"""cockpit ratings and category sla: rating counts in the rollup; a task's SLA code

The cockpit's ratings trend joined every rating to its application (672 ms at a million
applications); it now sums two counts of the rollup per submission day and service. The rows
already there never counted them, so the refresh record goes: the next refresh counts every day
again.

An enterprise request's tasks take the SLA thresholds of its category (seed_data/catalog/sla.yaml):
`task.sla_code` holds it, since their item_code is their role. Existing ones are filled in.

The index of applications by service gains the submission time, so a department's count of a period
(the cockpit's case mix) is read from the index alone; it replaces the one-column index, so a write
updates no more indexes than before.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('metric_application_day', sa.Column('rated', sa.Integer(), server_default='0', nullable=False))
    op.add_column(
        'metric_application_day', sa.Column('rating_score', sa.Integer(), server_default='0', nullable=False)
    )
    op.execute('DELETE FROM metric_refresh')
    op.add_column('task', sa.Column('sla_code', sa.String(length=64), nullable=True))
    op.create_index('ix_application_service_submitted', 'application', ['service_code', 'submitted_at'], unique=False)
    op.drop_index('ix_application_service_code', table_name='application')
    op.execute(
        "UPDATE task SET sla_code = (SELECT category FROM enterprise_request WHERE enterprise_request.id = task.case_id)"
        " WHERE case_kind = 'enterprise_request'"
    )


def downgrade() -> None:
    op.create_index('ix_application_service_code', 'application', ['service_code'], unique=False)
    op.drop_index('ix_application_service_submitted', table_name='application')
    with op.batch_alter_table('task') as batch:
        batch.drop_column('sla_code')
    with op.batch_alter_table('metric_application_day') as batch:
        batch.drop_column('rating_score')
        batch.drop_column('rated')
    op.execute('DELETE FROM metric_refresh')
