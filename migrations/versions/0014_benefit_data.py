"""benefit data: the registers, contributions, employment, filings, blacklist and grants policies read

New tables only (免申即享): nothing existing changes, so the migration is the same on SQLite and
PostgreSQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user(column: str, **kwargs) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey('user_account.id'), nullable=False, **kwargs)


def upgrade() -> None:
    op.create_table(
        'resident_record',
        _user('user_id', primary_key=True),
        sa.Column('district', sa.String(length=20), nullable=False),
        sa.Column('household_number', sa.String(length=32), nullable=False),
    )
    op.create_index('ix_resident_record_household_number', 'resident_record', ['household_number'])
    op.create_table(
        'company_record',
        _user('user_id', primary_key=True),
        sa.Column('founded_on', sa.Date(), nullable=False),
        sa.Column('headcount', sa.Integer(), nullable=False),
        sa.Column('size', sa.String(length=8), nullable=False),
        sa.Column('industry_code', sa.String(length=8), nullable=False),
        sa.Column('district', sa.String(length=20), nullable=False),
    )
    op.create_table(
        'contribution',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user('subject_id'),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('paid_as', sa.String(length=12), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_contribution_subject_month', 'contribution', ['subject_id', 'month'])
    op.create_table(
        'employment',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user('employer_id'),
        _user('employee_id'),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('end_reason', sa.String(length=12), nullable=True),
        sa.Column('first_job', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_employment_employer_id', 'employment', ['employer_id'])
    op.create_index('ix_employment_employee_id', 'employment', ['employee_id'])
    op.create_table(
        'company_filing',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user('company_id'),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('company_id', 'year', 'kind', name='uq_company_filing_year_kind'),
    )
    op.create_index('ix_company_filing_company_id', 'company_filing', ['company_id'])
    op.create_table(
        'blacklist_entry',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user('subject_id'),
        sa.Column('listed_on', sa.Date(), nullable=False),
        sa.Column('lifted_on', sa.Date(), nullable=True),
        sa.Column('authority', sa.String(length=20), nullable=False),
    )
    op.create_index('ix_blacklist_entry_subject_id', 'blacklist_entry', ['subject_id'])
    op.create_table(
        'benefit_grant',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('policy', sa.String(length=48), nullable=False),
        _user('subject_id'),
        sa.Column('granted_on', sa.Date(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('policy', 'subject_id', name='uq_benefit_grant_policy_subject'),
    )
    op.create_index('ix_benefit_grant_subject_id', 'benefit_grant', ['subject_id'])


def downgrade() -> None:
    for table in (
        'benefit_grant',
        'blacklist_entry',
        'company_filing',
        'employment',
        'contribution',
        'company_record',
        'resident_record',
    ):
        op.drop_table(table)
