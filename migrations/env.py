"""Alembic environment: the schema of services/models, on whatever DATABASE_URL names."""
import os
from pathlib import Path

from alembic import context
from sqlmodel import SQLModel

from services import models, workdays  # noqa: F401  (registers the tables)
from services.db import check_foreign_keys, make_engine, migrating_sqlite

config = context.config
target_metadata = SQLModel.metadata
DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'instance' / 'atmostonce.db'}"


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL", DEFAULT_URL)


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets later migrations alter SQLite tables, which cannot ALTER most things in place.
    # On SQLite Alembic would commit each migration apart, its DDL not being transactional by default;
    # migrating_sqlite makes it so, and the whole upgrade is then one transaction on both databases.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, transactional_ddl=True)
    if connection.dialect.name != "sqlite":
        with context.begin_transaction():
            context.run_migrations()
        return
    with migrating_sqlite(connection), context.begin_transaction():
        context.run_migrations()
        check_foreign_keys(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
