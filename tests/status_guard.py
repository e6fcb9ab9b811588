"""Watches every test for a status written outside the transition tables, whatever the kind of case.

A case or a task is created in its machine's initial state and changes status only by the
engine's compare-and-set, which runs for a row of its table and records the row's audit event.
The guard fails the statement (and so the test) that breaks this: an ORM object created in
another state, an ORM change of `status`, or an UPDATE that sets `status` from anywhere but the
engine's move. It judges the project's code, not the tests' own set-up: a test may build a case
in the state it needs (the innermost project frame that wrote it is a test's). The seed's bulk
path copies rows the engine made; it inserts through Core and is checked by the seed's own
replay test instead.
"""

import re
import sys
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services.models import Task
from services.workflow import engine as workflow_engine
from services.workflow.case_types import case_types

_MOVE = workflow_engine._move.__code__
_UPDATE = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)\s+WHERE\s', re.IGNORECASE | re.DOTALL)
_SETS_STATUS = re.compile(r'(^|,)\s*"?status"?\s*=', re.IGNORECASE)


class StatusWrittenOutsideTheTable(AssertionError):
    pass


def _initial_states() -> dict[type, str]:
    initial = {}
    for case_type in case_types().values():
        initial[case_type.model] = case_type.machine.initial
    return initial


def _tables() -> set[str]:
    return {case_type.model.__tablename__ for case_type in case_types().values()} | {Task.__tablename__}


ROOT = Path(__file__).resolve().parents[1]
_PROJECT = tuple(str(ROOT / folder) for folder in ("services", "web", "seeding", "journeys", "bench", "tests"))
_TESTS = str(ROOT / "tests")
_THIS = str(Path(__file__).resolve())


def _allowed_writer() -> bool:
    """The engine's move wrote it, or a test's own set-up did (the innermost project frame is a test's)."""
    frame = sys._getframe(1)
    writer = None
    while frame is not None:
        if frame.f_code is _MOVE:
            return True
        filename = frame.f_code.co_filename
        if writer is None and filename.startswith(_PROJECT) and filename != _THIS:
            writer = filename
        frame = frame.f_back
    return writer is not None and writer.startswith(_TESTS)


def _check_statement(_connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    match = _UPDATE.match(statement)
    if match is None or match.group(1) not in _tables():
        return
    if _SETS_STATUS.search(match.group(2)) and not _allowed_writer():
        raise StatusWrittenOutsideTheTable(f"a status of {match.group(1)} written outside the table: {statement}")


def _check_flush(session, _context, _instances) -> None:
    if _allowed_writer():
        return
    initial = _initial_states()
    for instance in session.new:
        model = type(instance)
        if isinstance(instance, Task):
            expected = case_types()[instance.case_kind].task_machine.initial
        elif model in initial:
            expected = initial[model]
        else:
            continue
        if instance.status != expected:
            raise StatusWrittenOutsideTheTable(f"a {model.__name__} created as {instance.status!r}, not {expected!r}")
    for instance in session.dirty:
        if (isinstance(instance, Task) or type(instance) in initial) and inspect(instance).attrs.status.history.added:
            raise StatusWrittenOutsideTheTable(f"the status of a {type(instance).__name__} set outside the table")


def install() -> None:
    event.listen(Engine, "before_cursor_execute", _check_statement)
    event.listen(Session, "before_flush", _check_flush)


def uninstall() -> None:
    event.remove(Engine, "before_cursor_execute", _check_statement)
    event.remove(Session, "before_flush", _check_flush)
