"""The schema comes from the migrations, and the migrations match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from services import models, workdays  # noqa: F401  (registers the tables)
from services.db import create_schema


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_every_table_comes_from_the_migrations(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == tables


def test_upgrading_an_up_to_date_database_changes_nothing(engine):
    before = {name: inspect(engine).get_columns(name) for name in inspect(engine).get_table_names()}
    create_schema(engine)
    after = {name: inspect(engine).get_columns(name) for name in inspect(engine).get_table_names()}
    assert [c["name"] for t in before.values() for c in t] == [c["name"] for t in after.values() for c in t]
