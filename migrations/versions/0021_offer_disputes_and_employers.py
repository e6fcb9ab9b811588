"""offer disputes and employers: an offer's disputed amount and its review application; the employer who answers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benefit_offer") as batch_op:
        batch_op.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("dispute_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("review_application_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.create_foreign_key(
            "fk_benefit_offer_employer_id_user_account", "user_account", ["employer_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_benefit_offer_review_application_id_application", "application", ["review_application_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_benefit_offer_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_benefit_offer_review_application_id"), ["review_application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("benefit_offer") as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_offer_review_application_id"))
        batch_op.drop_index(batch_op.f("ix_benefit_offer_employer_id"))
        batch_op.drop_constraint("fk_benefit_offer_review_application_id_application", type_="foreignkey")
        batch_op.drop_constraint("fk_benefit_offer_employer_id_user_account", type_="foreignkey")
        batch_op.drop_column("review_note")
        batch_op.drop_column("review_application_id")
        batch_op.drop_column("dispute_reason")
        batch_op.drop_column("claimed_fen")
        batch_op.drop_column("employer_id")
