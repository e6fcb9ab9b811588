"""benefit offers (免申即享): the offer as a kind of case, payment batches, budgets, change marks

New tables only: an offer's review tasks are rows of `task` (case_kind 'benefit_offer'), its
messages and its audit name its chain, as migration 0009 made room for.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benefit_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_table(
        "benefit_budget",
        sa.Column("policy", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("committed_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("policy"),
    )
    op.create_table(
        "benefit_sweep_mark",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("last_change_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "benefit_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "benefit_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("audit_length", sa.Integer(), nullable=False),
        sa.Column("audit_tip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("policy", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("eligible_on", sa.Date(), nullable=False),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("payee_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("bank_account", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("bank_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("decline_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("return_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["benefit_batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("policy", "applicant_id", name="uq_benefit_offer_policy_subject"),
    )
    with op.batch_alter_table("benefit_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_benefit_offer_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_offer_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_offer_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_offer_key"), ["key"], unique=True)
        batch_op.create_index(
            "ix_benefit_offer_policy_status_accepted", ["policy", "status", "accepted_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_benefit_offer_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_offer_submitted_at"), ["submitted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_benefit_offer_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("benefit_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_offer_updated_at"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_status"))
        batch_op.drop_index("ix_benefit_offer_policy_status_accepted")
        batch_op.drop_index(batch_op.f("ix_benefit_offer_key"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_deadline"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_batch_id"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_applicant_id"))

    op.drop_table("benefit_offer")
    op.drop_table("benefit_change")
    op.drop_table("benefit_sweep_mark")
    op.drop_table("benefit_budget")
    op.drop_table("benefit_batch")
