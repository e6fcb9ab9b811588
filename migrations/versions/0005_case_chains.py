"""per-case audit chains, and the queue of events for the transparency log

The audit log was one chain through every event of the city, its tip in a single
audithead row that every writing transaction held until its commit. Now each case
carries its own chain: an event names its chain ("application:42", or "calendar"
for changes that belong to no case) and its position there, and points at the
previous event of that chain. The tip lives on the case's row (application.
audit_length, audit_tip), or in audit_chain for a chain of no case. Every event
also waits in audit_unsealed until the sealer makes it a leaf of the log's tree.

Existing events are re-chained here, case by case in their old order, their
hashes taken anew in the new form (chain and position instead of the global
sequence); run `flask --app app audit verify` before upgrading to know the old
chain held. On a database of millions of events this takes minutes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 06:20:00
"""
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


EVENT_COLUMNS = (
    'id', 'chain', 'position', 'at', 'actor_id', 'actor_role', 'application_id', 'task_id', 'event', 'from_status',
    'to_status', 'reason', 'payload', 'prev_hash', 'hash',
)


def upgrade() -> None:
    op.add_column('application', sa.Column('audit_length', sa.Integer(), nullable=False, server_default='0'))
    op.add_column(
        'application',
        sa.Column('audit_tip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=GENESIS),
    )
    op.create_table('audit_chain',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('tip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.add_column('auditevent', sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True))
    op.add_column('auditevent', sa.Column('position', sa.Integer(), nullable=True))
    moved = _rechain(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_events_on_sqlite()
    else:
        op.alter_column('auditevent', 'chain', nullable=False)
        op.alter_column('auditevent', 'position', nullable=False)
        op.create_unique_constraint('uq_auditevent_chain_position', 'auditevent', ['chain', 'position'])
        op.drop_column('auditevent', 'seq')
    op.create_table('audit_unsealed',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['auditevent.id'], ),
    sa.PrimaryKeyConstraint('event_id')
    )
    if moved:
        op.get_bind().execute(sa.text("INSERT INTO audit_unsealed (event_id) VALUES (:id)"), [{"id": i} for i in moved])
    op.drop_table('audithead')


def _rebuild_events_on_sqlite() -> None:
    """SQLite cannot drop a column under a constraint: the table is made anew, spelled out so every run
    makes the same one (a batch copy lists the foreign keys in a different order each time)."""
    op.create_table('auditevent_new',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chain', 'position', name='uq_auditevent_chain_position')
    )
    columns = ", ".join(EVENT_COLUMNS)
    op.execute(f"INSERT INTO auditevent_new ({columns}) SELECT {columns} FROM auditevent")
    op.drop_table('auditevent')
    op.rename_table('auditevent_new', 'auditevent')
    op.create_index('ix_auditevent_application_id', 'auditevent', ['application_id'], unique=False)
    op.create_index('ix_auditevent_task_id', 'auditevent', ['task_id'], unique=False)


def _rechain(connection) -> list[int]:
    """Give each old event its chain and position, in the old chain's order, and hash it anew."""
    tips: dict[str, tuple[int, str]] = {}
    events = sa.table(
        'auditevent', *(sa.column(name) for name in (
            'id', 'seq', 'actor_id', 'actor_role', 'application_id', 'task_id', 'event', 'from_status', 'to_status',
            'reason')),
        sa.column('at', sqlmodel.sql.sqltypes.UTCDateTime()), sa.column('payload', sa.JSON()),
    )
    rows = connection.execute(sa.select(events).order_by(events.c.seq)).mappings().all()
    moves = []
    for row in rows:
        chain = f"application:{row['application_id']}" if row['application_id'] is not None else "calendar"
        position, prev = tips.get(chain, (0, GENESIS))
        position += 1
        at = row['at'].replace(tzinfo=UTC) if row['at'].tzinfo is None else row['at'].astimezone(UTC)
        # The form services/audit.py hashes today; written out here so this migration never changes.
        fields = {
            "chain": chain, "position": position, "at": at.isoformat(), "actor_id": row['actor_id'],
            "actor_role": row['actor_role'], "application_id": row['application_id'], "task_id": row['task_id'],
            "event": row['event'], "from": row['from_status'], "to": row['to_status'], "reason": row['reason'],
            "payload": row['payload'], "prev": prev,
        }
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        moves.append({"id": row['id'], "chain": chain, "position": position, "prev": prev, "hash": digest})
        tips[chain] = (position, digest)
    if moves:
        connection.execute(
            sa.text("UPDATE auditevent SET chain = :chain, position = :position, prev_hash = :prev, hash = :hash"
                    " WHERE id = :id"),
            moves,
        )
    for chain, (length, tip) in tips.items():
        kind, _, case_id = chain.partition(":")
        if kind == "application":
            connection.execute(
                sa.text("UPDATE application SET audit_length = :length, audit_tip = :tip WHERE id = :id"),
                {"length": length, "tip": tip, "id": int(case_id)},
            )
        else:
            connection.execute(
                sa.text("INSERT INTO audit_chain (name, length, tip) VALUES (:name, :length, :tip)"),
                {"name": chain, "length": length, "tip": tip},
            )
    return [move["id"] for move in moves]


def downgrade() -> None:
    op.drop_table('audit_unsealed')
    op.create_table('audithead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    # The old single chain cannot be restored (its hashes covered the global sequence): events are
    # numbered in the order they were stored and `audit verify` of the old code will report the chain.
    op.execute("UPDATE auditevent SET seq = id")
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_auditevent_seq', ['seq'])
        batch_op.drop_constraint('uq_auditevent_chain_position', type_='unique')
        batch_op.drop_column('position')
        batch_op.drop_column('chain')
    op.drop_table('audit_chain')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('audit_tip')
        batch_op.drop_column('audit_length')
