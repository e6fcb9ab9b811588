"""The schema comes from the migrations, and the migrations match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

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


def test_the_old_single_chain_is_rechained_case_by_case_and_verifies(empty_database_url):
    """A database written before per-case chains: its events keep their order within each case and
    their content, get chains and positions, are hashed anew and wait for the sealer."""
    from alembic import command
    from sqlalchemy import text

    from services.audit_check import verify_chains
    from services.db import alembic_config, make_engine, new_session
    from services.models import Application, AuditEvent, AuditUnsealed

    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        connection.execute(
            text(
                "INSERT INTO user_account (id, login_name, password_hash, role, full_name, is_active, created_at, key) "
                "VALUES (1, 'zhang', 'x', 'citizen', '张三', TRUE, '2026-02-13 01:00:00', 'k1')"
            )
        )
        for case in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO application (id, key, applicant_id, service_code, status, channel, form_data, "
                    "version, created_at, updated_at) VALUES (:id, :key, 1, 'S', 'draft', 'online', '{}', 1, "
                    "'2026-02-13 01:00:00', '2026-02-13 01:00:00')"
                ),
                {"id": case, "key": f"case{case}"},
            )
        # The old chain: one sequence through both cases and a calendar change, interleaved.
        for seq, case, event in ((1, 1, "start"), (2, 2, "start"), (3, None, "calendar.add"), (4, 1, "attach")):
            connection.execute(
                text(
                    "INSERT INTO auditevent (id, seq, at, actor_id, actor_role, application_id, event, payload, "
                    "prev_hash, hash) VALUES (:seq, :seq, '2026-02-13 01:00:00', 1, 'citizen', :case, :event, "
                    "'{\"n\": 1}', 'old', 'old')"
                ),
                {"seq": seq, "case": case, "event": event},
            )
        connection.execute(text("INSERT INTO audithead (id, seq, hash) VALUES (1, 4, 'old')"))
        connection.commit()
    create_schema(engine)
    with new_session(engine) as session:
        chained = [(e.chain, e.position, e.event) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert chained == [
            ("application:1", 1, "start"),
            ("application:2", 1, "start"),
            ("calendar", 1, "calendar.add"),
            ("application:1", 2, "attach"),
        ]
        assert session.get(Application, 1).audit_length == 2
        assert len(session.exec(select(AuditUnsealed)).all()) == 4
        report = verify_chains(session=session)
        assert report.ok and (report.checked, report.chains) == (4, 3), report
    engine.dispose()


def _older_release_with_a_case(engine, *, dangling_task: bool = False) -> None:
    """A database at 0008, before 0009 rebuilt the task table, holding a case whose task another row points at."""
    from alembic import command

    from services.db import alembic_config

    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
        connection.commit()
    stamp = "'2026-02-13 01:00:00'"
    rows = [
        "INSERT INTO user_account (id, key, login_name, password_hash, role, full_name, is_active, created_at) "
        f"VALUES (1, 'k1', 'zhang', 'x', 'clerk', '张三', TRUE, {stamp})",
        "INSERT INTO application (id, key, applicant_id, service_code, status, channel, form_data, version, "
        f"created_at, updated_at) VALUES (1, 'a1', 1, 'S', 'in_review', 'online', '{{}}', 3, {stamp}, {stamp})",
        "INSERT INTO task (id, key, application_id, item_code, department, status, waits_on, promised_days, "
        "paused_days, extension_days, sla_colour, owed_materials, suspension, version, created_at, updated_at) "
        f"VALUES (1, 't1', {9 if dangling_task else 1}, 'S', 'edu', 'claimed', '[]', 5, 0, 2, 'green', '[]', '{{}}', "
        f"2, {stamp}, {stamp})",
        "INSERT INTO extensionrequest (id, key, task_id, requested_by_id, days, reason, status, requested_at) "
        f"VALUES (1, 'e1', 1, 1, 2, '材料需核实', 'granted', {stamp})",
    ]
    with engine.connect() as connection:
        if dangling_task:  # what a bug or a hand edit could have left: SQLite only checks references it is told to
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for statement in rows:
            connection.exec_driver_sql(statement)
        connection.commit()
        if dangling_task:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def test_a_database_holding_cases_upgrades_from_an_older_release_and_keeps_them(empty_database_url):
    from services.db import make_engine

    engine = make_engine(empty_database_url)
    _older_release_with_a_case(engine)
    create_schema(engine)
    assert not schema_is_behind(engine)
    with engine.connect() as connection:
        task = connection.exec_driver_sql(
            "SELECT application_id, status, extension_days, case_kind FROM task WHERE id = 1"
        ).one()
        assert tuple(task) == (1, "claimed", 2, "application")
        assert connection.exec_driver_sql("SELECT task_id, reason FROM extensionrequest").one() == (1, "材料需核实")
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the app
    engine.dispose()


def test_an_upgrade_that_would_leave_a_row_pointing_at_nothing_is_refused_whole(empty_database_url):
    from services.db import make_engine

    engine = make_engine(empty_database_url)
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL never lets such a row in: its references are checked on every write")
    _older_release_with_a_case(engine, dangling_task=True)
    with pytest.raises(RuntimeError, match="task row 1"):
        create_schema(engine)
    with engine.connect() as connection:
        # Nothing of the twelve migrations after 0008 stayed: not the version, not a column.
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0008"
        assert "case_kind" not in {column["name"] for column in inspect(connection).get_columns("task")}
        assert connection.exec_driver_sql("SELECT count(*) FROM extensionrequest").scalar() == 1
    engine.dispose()
