"""Logging: one line per request, JSON lines in production and readable lines elsewhere.

Every record logged while a request is served carries its request id, so a failure's traceback
and the request's line can be found together. Lines name the user by their random key, never by
name, ID number or mobile.
"""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger("web.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it cannot forge a log line or a header.
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
# Our own code logs at LOG_LEVEL; libraries stay at WARNING, so DEBUG shows our detail and not theirs.
OWN_LOGGERS = ("web", "services")

_plain_record = logging.getLogRecordFactory()
_STANDARD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    record = _plain_record(*args, **kwargs)
    record.request_id = g.get("request_id") if has_request_context() else None
    return record


def _count_statement(_connection, _cursor, _statement, _parameters, _context, _executemany) -> None:
    if has_request_context():
        g.sql_statements = g.get("sql_statements", 0) + 1


class JsonLines(logging.Formatter):
    """One JSON object a line: what log collectors read without a parser of their own."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.request_id,
        }
        entry.update({name: value for name, value in vars(record).items() if name not in _STANDARD_FIELDS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(
            {name: value for name, value in entry.items() if value is not None}, ensure_ascii=False, default=str
        )


class ReadableLines(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        line = super().formatMessage(record)
        return f"{line} [{record.request_id}]" if record.request_id else line


def configure_logging(level: str, json_lines: bool) -> None:
    """Send every record to stderr in one format; called again (a test's second app) it replaces its handler."""
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "atmostonce", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.atmostonce = True
    handler.setFormatter(JsonLines() if json_lines else ReadableLines())
    root.addHandler(handler)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)


def _user_key() -> str | None:
    # Only a user this request already loaded: the line costs no query, and works when the database is away.
    resumed = g.get("sign_in")
    return resumed.user.key if resumed is not None and resumed.complete else None


def register_logging(app: Flask) -> None:
    level = app.config["LOG_LEVEL"].upper()
    configure_logging(level, json_lines=app.config["APP_ENV"] == "production")
    # Flask's own handler would print the tracebacks it logs a second time, unformatted.
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(level)

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if INCOMING_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        g.sql_statements = 0

    @app.after_request
    def _log(response):
        response.headers[REQUEST_ID_HEADER] = g.request_id
        fields = {
            "user": _user_key(),
            "endpoint": request.endpoint,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
        }
        if log.isEnabledFor(logging.DEBUG):
            fields["sql_statements"] = g.sql_statements
        log.info(
            "%s %s %s %.1f ms", request.method, request.path, response.status_code, fields["duration_ms"], extra=fields
        )
        return response
