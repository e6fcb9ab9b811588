"""Engine and transaction helpers shared by every service."""

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import psycopg
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.sql.dml import Delete, Update
from sqlmodel import Session, SQLModel, create_engine

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=SQLModel)


class _Stored(Protocol):
    id: int | None  # None only until the row is first flushed


S = TypeVar("S", bound=_Stored)


class LeanDescriptionCursor(psycopg.Cursor):
    """psycopg's cursor, describing a result's columns as the plain 7-tuples DB-API asks for.

    SQLAlchemy reads `description` after every statement and uses each column's name and type
    code only; psycopg builds a `Column` object a column for it, looking up its type's name
    too: a write reading a task, its case and the applicant (68 columns) spent more CPU on that
    than on its hashing. The tuples hold what DB-API's description holds where it matters
    (name, type code); the sizes psycopg would compute are left None, as DB-API allows.
    """

    @property
    def description(self):  # type: ignore[override]  # a list of tuples, which DB-API's description is
        result = self.pgresult
        if not result or not result.nfields:
            return super().description  # no columns: psycopg's answer (None, or [] for "SELECT ;")
        encoding = self.connection.info.encoding
        return [
            (result.fname(index).decode(encoding), result.ftype(index), None, None, None, None, None)
            for index in range(result.nfields)
        ]


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        # Web workers share the engine across threads; the busy timeout makes
        # concurrent writers queue instead of failing at once.
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
    elif url.startswith("postgresql+psycopg"):
        kwargs.setdefault("connect_args", {"cursor_factory": LeanDescriptionCursor})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _is_memory(dbapi_connection) -> bool:
    rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
    return all(not row[2] for row in rows)


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def create_schema(engine: Engine) -> None:
    """Bring the schema up to date with the migrations (never create_all: both databases take the same path)."""
    from alembic import command

    # A connection outside any transaction: the migrations open their own (on SQLite, see migrating_sqlite).
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def migrating_sqlite(connection: Connection) -> Iterator[None]:
    """The migrations' run on SQLite: one real transaction, foreign keys checked once at its end.

    Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so DDL ran in autocommit:
    a failed upgrade left half a schema, and `PRAGMA defer_foreign_keys` lasted one statement.
    Rebuilding a table others point at (SQLite's way to alter it) drops the old one, which with
    foreign keys on refuses while rows refer to it; Alembic's advice is foreign keys off for the run
    and `PRAGMA foreign_key_check` before committing (both PRAGMAs are ignored inside a transaction).
    """
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    if connection.in_transaction() or driver.in_transaction:
        # Its owner would commit after the foreign keys are back on, which SQLite ignores in a transaction.
        raise RuntimeError("the migrations must start on a connection outside a transaction")
    isolation = driver.isolation_level
    driver.execute("PRAGMA foreign_keys=OFF")
    driver.isolation_level = None  # the driver begins nothing by itself: the BEGIN below covers the DDL too
    try:
        driver.execute("BEGIN IMMEDIATE")
        yield
    finally:
        if driver.in_transaction:
            driver.rollback()
        driver.isolation_level = isolation
        driver.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a migration that left a row pointing at nothing (SQLite checks nothing while it runs)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        shown = ", ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in broken[:10])
        raise RuntimeError(f"the migration left {len(broken)} rows pointing at no row: {shown}")


def schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """The revisions the database is at, and the heads of the migrations this code ships."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def schema_is_behind(engine: Engine) -> bool:
    """True when migrations this code needs have not run yet (an empty database included).

    A database ahead of the code (a revision these migrations do not know) is not behind:
    during a rolling upgrade the old servers keep serving on the migrated schema.
    """
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    current, heads = schema_revisions(engine)
    if current == heads:
        return False
    if not current:
        return True
    script = ScriptDirectory.from_config(alembic_config(engine))
    try:
        for revision in current:
            script.get_revision(revision)
    except CommandError:
        return False
    return True


def realign_id_sequences(connection: Connection) -> None:
    """After rows were inserted with their ids given (bulk loads), move each table's id sequence past them.

    PostgreSQL would otherwise hand those ids out again and the next ordinary insert would
    fail; SQLite takes the next id from the table itself, so there is nothing to do.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


def new_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def referenced(session: Session, model: type[M], key: int) -> M:
    """The row a foreign key points at: the database keeps it there, so it is never missing."""
    row = session.get(model, key)
    assert row is not None, f"{model.__name__} {key} is missing under a foreign key"
    return row


def by_id(rows: Iterable[S]) -> dict[int, S]:
    """Rows read from the database, by their id (which a stored row always has)."""
    keyed: dict[int, S] = {}
    for row in rows:
        assert row.id is not None
        keyed[row.id] = row
    return keyed


def unwritten_changes(row: SQLModel) -> dict[str, Any]:
    """The row's columns set in memory since it was last written, by attribute name."""
    state = inspect(row)
    changed = {}
    # Only attributes set since the row was loaded or written have an entry in committed_state:
    # looking at those alone spares asking every column of a wide row for its history.
    columns = state.mapper.column_attrs
    for key in list(state.committed_state):
        if key in columns:
            history = state.attrs[key].history
            if history.added:
                changed[key] = history.added[0]
    return changed


def rows_matched(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE and count the rows its WHERE matched (a compare-and-set won when it is 1)."""
    # Session.execute is typed as returning a Result; for an UPDATE or DELETE it is a CursorResult.
    return cast(CursorResult, session.execute(statement)).rowcount


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service function as one transaction: commit on return, roll back on error."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session: Session = kwargs["session"]  # type: ignore[assignment]
        try:
            result = fn(*args, **kwargs)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise

    return wrapper
