"""The fault run's checks (bench/invariants.py) on a small seeded city: whole rows pass, each half write is named.

The fault run itself (python -m bench.faults: its own PostgreSQL, gunicorn, a minute of load) is
too slow for the suite; what it concludes rests on these queries, so they are tested here on
both databases.
"""

import functools
from datetime import date

import pytest
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from bench.invariants import doubled, half_written, missing_acceptances, missing_submits
from seeding import SeedOptions, seed_city
from services import passwords
from services.catalog import default_catalog
from services.db import make_engine
from tests.conftest import migrated_database

# Through both of the seed's paths: 10 cases played through the services, 4 cloned.
OPTIONS = SeedOptions(applications=14, slow_cases=10, seed=5, as_of=date(2026, 11, 22))


@pytest.fixture(scope="module")
def city(tmp_path_factory, migrated_template):
    """Seeded once for the module: the tests only read, and roll back what they change to see it named."""
    folder = tmp_path_factory.mktemp("city")
    with (
        migrated_database(folder, migrated_template) as url,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(
            passwords, "generate_password_hash", functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
        )
        engine = make_engine(url)
        seed_city(engine=engine, catalog=default_catalog(), upload_folder=folder / "uploads", options=OPTIONS)
        yield engine
        engine.dispose()


def one(connection, sql: str) -> int:
    return connection.execute(text(sql)).scalars().first()


def test_a_seeded_city_has_no_half_written_application(city):
    with city.connect() as connection:
        assert one(connection, "SELECT COUNT(*) FROM application WHERE accepted_at IS NOT NULL") > 0
        assert half_written(connection) == {}


# (what is done to one row, the row's id as SQL, the invariant that must name it)
HALF_WRITES = [
    (
        "a draft moved to submitted without its number or event",
        "UPDATE application SET status = 'submitted', version = version + 1 WHERE id = {id}",
        "SELECT MIN(id) FROM application WHERE status = 'draft'",
        ["submitted without number", "status without its event", "moves without their events"],
    ),
    (
        "a draft holding a number",
        "UPDATE application SET number = 'ZJ-20261101-000001' WHERE id = {id}",
        "SELECT MIN(id) FROM application WHERE status = 'draft'",
        ["draft with number", "number without submit event", "number beyond its counter"],
    ),
    (
        "a submit's event renamed",
        "UPDATE auditevent SET event = 'resubmit' WHERE event = 'submit' AND application_id = {id}",
        "SELECT MIN(id) FROM application WHERE number IS NOT NULL",
        ["number without submit event"],
    ),
    (
        "a status no event moved it to",
        "UPDATE application SET status = 'rejected' WHERE id = {id}",
        "SELECT MIN(id) FROM application WHERE status = 'completed'",
        ["status without its event"],
    ),
    (
        "the day's counter behind its numbers",
        # Set just below the number: a process's block may have been claimed beyond it.
        "UPDATE counter SET value = (SELECT CAST(substr(number, 13) AS INTEGER) - 1 FROM application "
        "WHERE id = {id}) WHERE name = (SELECT 'number-' || substr(number, 4, 8) FROM application WHERE id = {id})",
        "SELECT id FROM application WHERE number IS NOT NULL ORDER BY number DESC LIMIT 1",
        ["number beyond its counter"],
    ),
    (
        "acceptance stamped without tasks",
        "UPDATE application SET accepted_at = submitted_at WHERE id = {id}",
        "SELECT MIN(id) FROM application WHERE status = 'submitted'",
        ["accepted without tasks"],
    ),
    (
        "tasks of an application not accepted",
        "UPDATE application SET accepted_at = NULL WHERE id = {id}",
        "SELECT MIN(application_id) FROM task",
        ["tasks before acceptance"],
    ),
    (
        "a task in a status no event moved it to",
        "UPDATE task SET status = 'rejected' WHERE id = {id}",
        "SELECT MIN(id) FROM task WHERE status = 'delivered'",
        ["task status without its event"],
    ),
    (
        "a task moved without its event",
        "UPDATE task SET version = version + 1 WHERE id = {id}",
        "SELECT MIN(id) FROM task",
        ["task moves without their events"],
    ),
    (
        "a case's chain tip past its last event",
        "UPDATE application SET audit_length = audit_length + 1 WHERE id = {id}",
        "SELECT MIN(id) FROM application",
        ["chain tip off its events"],
    ),
]


def test_each_half_written_row_is_named_by_its_invariant(city):
    with city.connect() as connection:
        for what, change, pick, expected in HALF_WRITES:
            row = one(connection, pick)
            assert row is not None, f"the seeded city has no row for: {what}"
            connection.execute(text(change.format(id=row)))
            found = half_written(connection)
            connection.rollback()  # undone before the next: each case alone
            assert {name for name, ids in found.items() if row in ids} == set(expected), what
        assert half_written(connection) == {}


def test_a_submit_answered_with_a_302_is_checked_against_the_number_shown(city):
    with city.connect() as connection:
        key, number = connection.execute(
            text("SELECT key, number FROM application WHERE status = 'submitted' ORDER BY id LIMIT 1")
        ).one()
        draft = one(connection, "SELECT key FROM application WHERE status = 'draft' ORDER BY id LIMIT 1")
        assert missing_submits(connection, {key: number}) == {}
        assert missing_submits(connection, {key: None}) == {}
        assert missing_submits(connection, {key: "ZJ-20990101-000001"}) == {
            key: f"numbered {number}, but the applicant was shown ZJ-20990101-000001"
        }
        assert missing_submits(connection, {draft: None}) == {draft: "still draft, without a public number"}
        assert missing_submits(connection, {"no-such-key": None}) == {"no-such-key": "no such application"}


def test_an_acceptance_answered_with_a_302_is_checked_for_its_tasks(city):
    with city.connect() as connection:
        accepted = one(connection, "SELECT key FROM application WHERE accepted_at IS NOT NULL ORDER BY id LIMIT 1")
        waiting = one(connection, "SELECT key FROM application WHERE status = 'submitted' ORDER BY id LIMIT 1")
        assert missing_acceptances(connection, [accepted]) == {}
        assert missing_acceptances(connection, [waiting]) == {waiting: "still submitted, never accepted"}
        connection.execute(text("UPDATE application SET accepted_at = submitted_at WHERE key = :key"), {"key": waiting})
        assert missing_acceptances(connection, [waiting]) == {waiting: "no audit event of its acceptance"}
        connection.rollback()


def test_a_row_stored_twice_is_named(city):
    with city.connect() as connection:
        assert doubled(connection) == {}
        task = one(connection, "SELECT MIN(task_id) FROM auditevent WHERE event = 'task.approve'")
        connection.execute(
            text("UPDATE auditevent SET event = 'task.approve' WHERE task_id = :task AND event = 'task.claim'"),
            {"task": task},
        )
        assert doubled(connection) == {"decided twice": [task]}
        connection.rollback()
