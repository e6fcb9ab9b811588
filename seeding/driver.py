"""How the fast path talks to a database: through SQLAlchemy's connection, or straight to SQLite with apsw.

Storing a million cases is binding some twenty million rows. The standard library's
sqlite3 spends much of an insert looking up adapters for each value (None included); apsw
stores the same tuples in about half the time (bench.sqlite_drivers measures both). So a
big load on a SQLite file is stored through apsw, on a connection of its own to the same
file, and everything else keeps SQLAlchemy's connection. Both take the same SQL and rows.
"""

from contextlib import suppress

import apsw
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, make_url


class AlchemyRows:
    """Rows through a SQLAlchemy connection (PostgreSQL, or SQLite in this process)."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect

    def begin(self) -> None:
        """Nothing to do: SQLAlchemy begins a transaction on the first statement."""

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.connection.exec_driver_sql(sql, params)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self.connection.exec_driver_sql(sql, rows)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return [tuple(row) for row in self.connection.exec_driver_sql(sql, params)]

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


class ApswRows:
    """Rows straight into a SQLite file through apsw, one explicit transaction at a time."""

    dialect = sqlite.dialect()

    def __init__(self, path: str):
        self.connection = apsw.Connection(path)
        self.connection.set_busy_timeout(15_000)
        self.open = False

    def begin(self) -> None:
        if not self.open:
            self.connection.execute("BEGIN")
            self.open = True

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self.connection.executemany(sql, rows)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return list(self.connection.execute(sql, params))

    def commit(self) -> None:
        if self.open:
            self.open = False
            self.connection.execute("COMMIT")

    def rollback(self) -> None:
        if self.open:
            self.open = False
            with suppress(apsw.Error):  # SQLite may have rolled back already (after a failed statement)
                self.connection.execute("ROLLBACK")

    def close(self) -> None:
        self.rollback()
        self.connection.close()


def is_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
