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


COLUMNS = (
    ("employer_id", sa.Integer(), "user_account.id"),
    ("claimed_fen", sa.BigInteger(), None),
    ("dispute_reason", sqlmodel.sql.sqltypes.AutoString(length=200), None),
    ("review_application_id", sa.Integer(), "application.id"),
    ("review_note", sqlmodel.sql.sqltypes.AutoString(length=500), None),
)


def upgrade() -> None:
    # Plain ADD COLUMNs, no batch: a rebuilt SQLite table lists its unnamed constraints in an order that
    # varies from run to run. SQLite takes an added column's REFERENCES inline, which alembic does not write.
    for name, type_, references in COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            inline = f" REFERENCES {references.replace('.', ' (')})" if references else ""
            op.execute(
                f"ALTER TABLE benefit_offer ADD COLUMN {name} {type_.compile(dialect=op.get_bind().dialect)}{inline}"
            )
        else:
            keys = [sa.ForeignKey(references)] if references else []
            op.add_column("benefit_offer", sa.Column(name, type_, *keys, nullable=True))
    op.create_index(op.f("ix_benefit_offer_employer_id"), "benefit_offer", ["employer_id"], unique=False)
    op.create_index(
        op.f("ix_benefit_offer_review_application_id"), "benefit_offer", ["review_application_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_benefit_offer_review_application_id"), table_name="benefit_offer")
    op.drop_index(op.f("ix_benefit_offer_employer_id"), table_name="benefit_offer")
    with op.batch_alter_table("benefit_offer") as batch_op:
        batch_op.drop_column("review_note")
        batch_op.drop_column("review_application_id")
        batch_op.drop_column("dispute_reason")
        batch_op.drop_column("claimed_fen")
        batch_op.drop_column("employer_id")
