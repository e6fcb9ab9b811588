"""The app's PostgreSQL cursor describes results as plain tuples: the same names and type codes as psycopg's."""

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import select

from services.db import make_engine, new_session
from services.models import Task, User
from tests.factories import make_citizen


def test_a_result_is_described_by_the_names_and_types_psycopg_gives(database_url):
    if not database_url.startswith("postgresql+psycopg"):
        pytest.skip("the cursor is psycopg's: SQLite's driver describes its results itself")
    engine = make_engine(database_url)
    query = "SELECT 1 AS one, 'x'::text AS word, now() AS moment, NULL::jsonb AS data"
    try:
        with engine.connect() as connection:
            lean = connection.exec_driver_sql(query).cursor.description
            with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(False)) as plain:
                described = plain.execute(query).description
        assert described is not None
        assert [(column[0], column[1]) for column in lean] == [(c.name, c.type_code) for c in described]
        assert all(type(column) is tuple and len(column) == 7 for column in lean)  # DB-API's seven, no Column objects
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET TIME ZONE 'UTC'")
            assert cursor.description is None  # a statement that returns no rows describes none
        finally:
            raw.close()
    finally:
        engine.dispose()


def test_the_orm_reads_rows_through_it(database_url):
    engine = make_engine(database_url)
    try:
        with new_session(engine) as session:
            citizen = make_citizen(session)
            citizen_id = citizen.id
        with new_session(engine) as session:
            user = session.exec(select(User).where(User.id == citizen_id)).one()
            assert user.login_name == citizen.login_name and user.id == citizen_id
            assert session.exec(select(Task)).all() == []
            assert session.execute(text("SELECT 2 AS two")).mappings().one() == {"two": 2}
    finally:
        engine.dispose()
