"""The case lock, for every kind of case: each change to a case or its tasks first takes its row's lock."""

from typing import Any

from sqlmodel import Session, col, select

from services.audit import hold_locked_tip
from services.models import Task
from services.workflow.case_types import case_types


def lock_case(session: Session, model: type, where, *, skip_locked: bool = False) -> Any:
    """Lock the case of this kind (`model`) matching `where` and read it afresh; None when there is none.

    On PostgreSQL changes to one case then queue up behind its row lock (SQLite lets one writer
    in at a time anyway), so each sees what the change before it left. With `skip_locked` a row
    someone holds reads as None instead of waiting, for a sweep that leaves busy cases to their holder.
    """
    case = session.exec(
        select(model).where(where).with_for_update(skip_locked=skip_locked).execution_options(populate_existing=True)
    ).first()
    if case is not None:
        hold_locked_tip(session, case)
    return case


def lock_task_and_case(session: Session, key: str) -> tuple[Task | None, Any]:
    """Lock the case of the task with this key (any kind), then read the task afresh, before changing either.

    Every writer of a task holds its case's lock first, so the task read after the lock is the
    latest committed one. (Applications' tasks have a one-statement version of this on their
    write path: `services.casework.tasks.lock_task_case`.)
    """
    task = session.exec(select(Task).where(col(Task.key) == key)).first()
    if task is None:
        return None, None
    kind, case_id = task.case_ref
    cases = case_types()[kind].model.__table__  # type: ignore[attr-defined]  # SQLModel sets it
    case = lock_case(session, case_types()[kind].model, cases.c.id == case_id)
    session.refresh(task)
    return task, case
