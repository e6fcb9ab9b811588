"""Batched inserts: rows as tuples in a fixed column order, encoded as the column types would, one executemany."""

import json
import operator
from datetime import UTC, date

from sqlalchemy import JSON, Boolean, Date, DateTime, TypeDecorator

from services.models import (
    Application,
    Attachment,
    AuditEvent,
    AuditUnsealed,
    Certificate,
    ExtensionRequest,
    Notice,
    Rating,
    Rectification,
    Task,
    User,
    Visit,
)

# The order rows are written in, so every foreign key points at a row already there.
ORDER = (
    "user_account",
    "application",
    "certificate",
    "attachment",
    "task",
    "notice",
    "visit",
    "extensionrequest",
    "rating",
    "rectification",
    "auditevent",
    "audit_unsealed",
)
MODELS = {
    "application": Application,
    "certificate": Certificate,
    "attachment": Attachment,
    "task": Task,
    "notice": Notice,
    "visit": Visit,
    "extensionrequest": ExtensionRequest,
    "rating": Rating,
    "rectification": Rectification,
    "auditevent": AuditEvent,
    "audit_unsealed": AuditUnsealed,
    "user_account": User,
}
# The audit chain fills these in as it goes, so its rows start with them.
CHAINED = ("id", "prev_hash", "hash")


def _sqlite_encoder(column):
    """What SQLAlchemy's bind processors make of a value for SQLite, without their per-value overhead.

    tests/service/test_seed.py checks these against the processors themselves for every seeded column.
    """
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        return lambda value: value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    if isinstance(kind, Date):
        return date.isoformat
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, Boolean):
        return int
    return None


def column_encoder(column, dialect_name: str):
    """How one column's values go to the driver; None: as they are.

    PostgreSQL's driver takes dates, times and booleans as they are, and JSON as its text.
    """
    if dialect_name == "sqlite":
        return _sqlite_encoder(column)
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return json.dumps if isinstance(kind, JSON) else None


def columns_of(name: str) -> list[str]:
    """The order a table's rows are built in."""
    names = [column.name for column in MODELS[name].__table__.columns]
    if name == "auditevent":
        names = list(CHAINED) + [n for n in names if n not in CHAINED]
    return names


class TableWriter:
    """One table's insert statement, its column order, and the encoding of rows given as dicts."""

    def __init__(self, name: str, dialect):
        table = MODELS[name].__table__
        self.name = name
        self.columns = columns_of(name)
        placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(self.columns)}) "
            f"VALUES ({', '.join([placeholder] * len(self.columns))})"
        )
        encoders = [column_encoder(table.columns[n], dialect.name) for n in self.columns]
        self.encoders = [(position, encoder) for position, encoder in enumerate(encoders) if encoder]
        self.values = operator.itemgetter(*self.columns)

    def encode(self, row: dict) -> tuple:
        values = list(self.values(row))
        for position, encoder in self.encoders:
            if values[position] is not None:
                values[position] = encoder(values[position])
        return tuple(values)
