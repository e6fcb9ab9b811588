"""Alembic environment: the schema of services/models, on whatever DATABASE_URL names."""
import os
from pathlib import Path

from alembic import context
from sqlmodel import SQLModel

from services import models, workdays  # noqa: F401  (registers the tables)
from services.db import make_engine

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
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
