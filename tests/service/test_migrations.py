"""The schema comes from the migrations, and the migrations match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from services import models, workdays  # noqa: F401  (registers the tables)
from services.db import create_schema, schema_is_behind


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


def _app_on(url, tmp_path):
    from app import create_app

    return create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url, "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    )


def test_starting_the_app_on_an_empty_database_creates_no_table(empty_database_url, tmp_path):
    app = _app_on(empty_database_url, tmp_path)
    assert inspect(app.extensions["engine"]).get_table_names() == []
    app.extensions["engine"].dispose()


def test_behind_its_migrations_the_app_answers_503_and_says_why_until_db_upgrade(empty_database_url, tmp_path, caplog):
    app = _app_on(empty_database_url, tmp_path)
    client = app.test_client()
    refused = client.get("/", headers={"Accept-Language": "en"})
    assert refused.status_code == 503 and "being updated" in refused.get_data(as_text=True)
    assert any("behind the migrations" in record.getMessage() for record in caplog.records)

    cli = app.test_cli_runner()
    assert "behind" in cli.invoke(args=["db", "current"]).output
    upgraded = cli.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert set(SQLModel.metadata.tables) <= set(inspect(app.extensions["engine"]).get_table_names())
    assert "behind" not in cli.invoke(args=["db", "current"]).output
    assert client.get("/").status_code == 200  # the same server serves once migrated, no restart
    app.extensions["engine"].dispose()


@pytest.mark.parametrize(("recorded", "behind"), [("0001", True), ("from_a_newer_release", False)])
def test_an_older_revision_is_behind_and_a_newer_one_is_not(engine, recorded, behind):
    # During a rolling upgrade the old servers meet a revision they do not know, and keep serving.
    assert not schema_is_behind(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{recorded}'")
    assert schema_is_behind(engine) is behind
