"""more than one kind of case: tasks, messages and ratings name a case of any kind

An application's task, message and rating keep their foreign key to it; those of any other kind
of case name it instead (a task by `case_kind` and `case_id`, a message and a rating by the
case's chain, "enterprise_request:7"). Existing rows are all applications': nothing to fill in.

On PostgreSQL these are catalogue changes (no table is rewritten). SQLite cannot drop a NOT NULL
in place: the task and rating tables are made anew, spelled out so every run makes the same one
(a batch copy lists the foreign keys in a different order each time), and their rows copied.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TASK_CASE_RULE = (
    "(case_kind = 'application' AND application_id IS NOT NULL AND case_id IS NULL)"
    " OR (case_kind <> 'application' AND application_id IS NULL AND case_id IS NOT NULL)"
)

TASK_COLUMNS = (
    "id, key, application_id, item_code, department, status, assignee_id, waits_on, promised_days, started_on,"
    " deadline, paused_since, paused_days, extension_days, sla_colour, owed_materials, supplement_due, suspension,"
    " notice_request, decision_reason, decided_at, decided_by_id, certificate_id, delivery_method,"
    " tracking_number, delivered_at, version, created_at, updated_at"
)

TASK_TABLE = f"""CREATE TABLE task_new (
	id INTEGER NOT NULL,
	"key" VARCHAR(32) NOT NULL,
	application_id INTEGER,
	item_code VARCHAR(64) NOT NULL,
	department VARCHAR(20) NOT NULL,
	status VARCHAR(16) NOT NULL,
	assignee_id INTEGER,
	waits_on JSON NOT NULL,
	promised_days INTEGER NOT NULL,
	started_on DATE,
	deadline DATE,
	paused_since DATE,
	paused_days INTEGER NOT NULL,
	extension_days INTEGER NOT NULL,
	sla_colour VARCHAR(8) NOT NULL,
	owed_materials JSON NOT NULL,
	supplement_due DATE,
	suspension JSON NOT NULL,
	notice_request VARCHAR,
	decision_reason VARCHAR,
	decided_at DATETIME,
	decided_by_id INTEGER,
	certificate_id INTEGER,
	delivery_method VARCHAR(16),
	tracking_number VARCHAR(40),
	delivered_at DATETIME,
	version INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	case_kind VARCHAR(24) DEFAULT 'application' NOT NULL,
	case_id INTEGER,
	PRIMARY KEY (id),
	CONSTRAINT ck_task_case CHECK ({TASK_CASE_RULE}),
	FOREIGN KEY(application_id) REFERENCES application (id),
	FOREIGN KEY(assignee_id) REFERENCES user_account (id),
	FOREIGN KEY(decided_by_id) REFERENCES user_account (id),
	FOREIGN KEY(certificate_id) REFERENCES certificate (id)
)"""

TASK_INDEXES = {
    'ix_task_application_id': ['application_id'],
    'ix_task_assignee_status': ['assignee_id', 'status'],
    'ix_task_deadline': ['deadline'],
    'ix_task_decider_decided': ['decided_by_id', 'decided_at', 'id'],
    'ix_task_department_status_deadline': ['department', 'status', 'deadline', 'id'],
    'ix_task_item_status_deadline': ['item_code', 'status', 'deadline', 'id'],
    'ix_task_status_deadline': ['status', 'deadline'],
    'ix_task_supplement_due': ['supplement_due'],
    'ix_task_updated_at': ['updated_at'],
}

RATING_TABLE = """CREATE TABLE rating_new (
	id INTEGER NOT NULL,
	application_id INTEGER,
	score INTEGER NOT NULL,
	comment VARCHAR NOT NULL,
	created_at DATETIME NOT NULL,
	case_chain VARCHAR(48),
	PRIMARY KEY (id),
	CONSTRAINT uq_rating_case_chain UNIQUE (case_chain),
	UNIQUE (application_id),
	FOREIGN KEY(application_id) REFERENCES application (id)
)"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _remake('task', TASK_TABLE, TASK_COLUMNS)
        for name, columns in TASK_INDEXES.items():
            op.create_index(name, 'task', columns, unique=False)
        op.create_index('ix_task_key', 'task', ['key'], unique=True)
        _remake('rating', RATING_TABLE, 'id, application_id, score, comment, created_at')
    else:
        op.add_column('task', sa.Column('case_kind', sa.String(length=24), nullable=False, server_default='application'))
        op.add_column('task', sa.Column('case_id', sa.Integer(), nullable=True))
        op.alter_column('task', 'application_id', existing_type=sa.Integer(), nullable=True)
        op.create_check_constraint('ck_task_case', 'task', TASK_CASE_RULE)
        op.add_column('rating', sa.Column('case_chain', sa.String(length=48), nullable=True))
        op.alter_column('rating', 'application_id', existing_type=sa.Integer(), nullable=True)
        op.create_unique_constraint('uq_rating_case_chain', 'rating', ['case_chain'])
    op.create_index('ix_task_case', 'task', ['case_kind', 'case_id'], unique=False)
    op.add_column('notification', sa.Column('case_chain', sa.String(length=48), nullable=True))


def downgrade() -> None:
    # Only applications' rows can go back under the old NOT NULLs.
    op.execute("DELETE FROM rating WHERE application_id IS NULL")
    op.execute("DELETE FROM task WHERE application_id IS NULL")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('case_chain')
    op.drop_index('ix_task_case', table_name='task')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rating_case_chain', type_='unique')
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('case_chain')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint('ck_task_case', type_='check')
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('case_id')
        batch_op.drop_column('case_kind')


def _remake(name: str, create: str, columns: str) -> None:
    """SQLite's way to change a column's constraint: a new table, the rows copied, the old one dropped.

    Foreign keys are checked at the commit, when every row other tables point at is back under its name.
    """
    op.execute('PRAGMA defer_foreign_keys=ON')
    op.execute(create)
    op.execute(f'INSERT INTO {name}_new ({columns}) SELECT {columns} FROM {name}')
    op.execute(f'DROP TABLE {name}')
    op.execute(f'ALTER TABLE {name}_new RENAME TO {name}')
