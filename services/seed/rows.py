"""Batched inserts: Core insert() compiled once per table, executemany in one call per batch."""
import json
import operator
from datetime import UTC, date

from sqlalchemy import JSON, Boolean, Date, DateTime, TypeDecorator, insert

from services.models import (
    Application,
    Attachment,
    AuditEvent,
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
ORDER = ("application", "certificate", "attachment", "task", "notice", "visit", "extensionrequest", "rating",
         "rectification", "auditevent")
MODELS = {"application": Application, "certificate": Certificate, "attachment": Attachment, "task": Task,
          "notice": Notice, "visit": Visit, "extensionrequest": ExtensionRequest, "rating": Rating,
          "rectification": Rectification, "auditevent": AuditEvent, "user_account": User}


def _sqlite_encoder(column):
    """What SQLAlchemy's bind processors make of a value for SQLite, without their per-value overhead.

    tests/test_seed.py checks these against the processors themselves for every seeded column.
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


class TableWriter:
    """One table's rows, encoded as its column types would and handed to the driver's executemany."""

    def __init__(self, connection, model):
        table = model.__table__
        dialect = connection.dialect
        compiled = insert(table).compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = compiled.positional
        self.names = list(compiled.positiontup) if compiled.positional else [c.name for c in table.columns]
        if dialect.name == "sqlite":
            encoders = {c.name: _sqlite_encoder(c) for c in table.columns}
        else:
            encoders = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns}
        self.encoders = [(position, encoders[name]) for position, name in enumerate(self.names) if encoders[name]]
        self.values = operator.itemgetter(*self.names)
        self.connection = connection
        self.written = 0

    def encode(self, row: dict) -> tuple:
        values = list(self.values(row))
        for position, encoder in self.encoders:
            if values[position] is not None:
                values[position] = encoder(values[position])
        return tuple(values)

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        if self.positional:
            encoded = [self.encode(row) for row in rows]
        else:
            encoded = [dict(zip(self.names, self.encode(row), strict=True)) for row in rows]
        self.connection.exec_driver_sql(self.sql, encoded)
        self.written += len(rows)
