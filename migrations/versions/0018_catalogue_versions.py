"""catalogue versions: items and bundles changed in the UI, and the versions each application was filed under

Existing applications get {}: they were filed under the files (version 0 of every entry).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:34:03
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('base_number', sa.Integer(), nullable=False),
    sa.Column('entry_yaml', sa.Text(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('drafted_by_id', sa.Integer(), nullable=False),
    sa.Column('drafted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('discarded_by_id', sa.Integer(), nullable=True),
    sa.Column('discarded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['discarded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('section', 'code', 'number', name='uq_catalogue_version_number')
    )
    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_version_code'), ['code'], unique=False)
        batch_op.create_index('ix_catalogue_version_in_force', ['published_at', 'effective_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_version_key'), ['key'], unique=True)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalogue_versions', sa.JSON(), server_default='{}', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('catalogue_versions')

    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_version_key'))
        batch_op.drop_index('ix_catalogue_version_in_force')
        batch_op.drop_index(batch_op.f('ix_catalogue_version_code'))

    op.drop_table('catalogue_version')
