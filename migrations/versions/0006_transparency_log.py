"""the transparency log: leaves, tiles of hashes, signed tree heads

The sealer (`flask --app app audit seal`) makes each event waiting in audit_unsealed a
leaf of one append-only Merkle tree (RFC 9162), stores the tree's hashes in tiles of
256 (tlog tiles) and signs a head over it with Ed25519. Nothing is sealed here: the
first `audit seal` after upgrading seals every event the previous migration queued.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('transparency_leaf',
    sa.Column('leaf_index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['auditevent.id'], ),
    sa.PrimaryKeyConstraint('leaf_index'),
    sa.UniqueConstraint('event_id')
    )
    op.create_table('transparency_tile',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tile_index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('hashes', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('level', 'tile_index')
    )
    op.create_table('transparency_head',
    sa.Column('size', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('root', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('timestamp_ms', sa.BigInteger(), nullable=False),
    sa.Column('prev_size', sa.Integer(), nullable=False),
    sa.Column('prev_root', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=88), nullable=False),
    sa.PrimaryKeyConstraint('size')
    )


def downgrade() -> None:
    op.drop_table('transparency_head')
    op.drop_table('transparency_tile')
    op.drop_table('transparency_leaf')
