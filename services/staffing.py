"""Who holds what in a department, and the supervisor's levers: hand a task on, or all of a clerk's.

When a clerk is away (leave, sickness) their claimed tasks would wait for them; a supervisor
of the department (or of the city) hands them to a colleague or back to the queue, with a
reason, through the task table's `reassign` and `force_release` rows: audited, the clerks told.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.casework.tasks import lock_task_case
from services.catalog import Catalog
from services.db import transactional
from services.errors import NotFound
from services.i18n import N_
from services.models import Application, Role, Task, User
from services.policy import is_supervisor_of, require_role, require_visible, watched_department
from services.workflow.case_types import case_types
from services.workflow.engine import available_events, fire
from services.workflow.locks import lock_task_and_case

LEVERS = ("reassign", "force_release")


@dataclass(frozen=True)
class ClerkLoad:
    clerk: User
    held: int  # tasks they hold now


@dataclass(frozen=True)
class HeldTask:
    task: Task
    number: str | None  # its case's public number, whatever the kind
    levers: list[str]  # the levers the supervisor may pull on it now


def _held_states() -> list[str]:
    return sorted({state for case_type in case_types().values() for state in case_type.task_lists.held})


def department_clerks(*, session: Session, actor: User) -> list[ClerkLoad]:
    """The clerks the supervisor watches (their department's, or the city's), with what each holds.

    Closed accounts too: what a departed clerk still holds is exactly what needs handing on.
    """
    require_role(actor, Role.SUPERVISOR)
    department = watched_department(actor)
    query = select(User).where(col(User.role) == Role.CLERK)
    if department is not None:
        query = query.where(col(User.department) == department)
    clerks = list(session.exec(query.order_by(col(User.department), col(User.full_name), col(User.id))))
    counts = dict(
        session.exec(
            select(Task.assignee_id, func.count())
            .where(col(Task.assignee_id).in_([c.id for c in clerks]), col(Task.status).in_(_held_states()))
            .group_by(col(Task.assignee_id))
        ).all()
    )
    return [ClerkLoad(clerk, counts.get(clerk.id, 0)) for clerk in clerks]


def held_tasks(*, session: Session, actor: User, clerk_id: int, catalog: Catalog) -> tuple[User, list[HeldTask]]:
    """What one clerk holds, each with the levers the supervisor may pull on it."""
    clerk = _watched_clerk(session, actor, clerk_id)
    tasks = list(
        session.exec(
            select(Task)
            .where(col(Task.assignee_id) == clerk.id, col(Task.status).in_(_held_states()))
            .order_by(col(Task.deadline), col(Task.id))
        )
    )
    rows = []
    for task in tasks:
        case = _case(session, task)
        levers = [e for e in available_events(actor, task, case, catalog) if e in LEVERS]
        rows.append(HeldTask(task, case.number, levers))
    return clerk, rows


@transactional
def reassign_task(
    *, session: Session, actor: User, key: str, to_clerk_id: int | None, reason: str, catalog: Catalog
) -> Task:
    """Hand a held task to another clerk of its department, or (`to_clerk_id` None) back to the queue."""
    task, case = _lock(session, actor, key)
    _pull(session, actor, task, case, catalog, to_clerk_id, reason)
    return task


@transactional
def reassign_inbox(
    *, session: Session, actor: User, clerk_id: int, to_clerk_id: int | None, reason: str, catalog: Catalog
) -> int:
    """Hand everything a clerk holds to a colleague, or back to the queue: all of it, or (on a conflict) none.

    Each task's case is locked before it is read afresh, so a task its clerk decided a moment
    ago is no longer theirs and is left alone; one they decide while this runs waits for it and
    is then refused (the task has moved on). Returns how many tasks changed hands.
    """
    clerk = _watched_clerk(session, actor, clerk_id)
    keys = list(
        session.exec(
            select(Task.key)
            .where(col(Task.assignee_id) == clerk.id, col(Task.status).in_(_held_states()))
            .order_by(col(Task.id))
        )
    )
    moved = 0
    for key in keys:
        task, case = _lock(session, actor, key)
        if task.assignee_id != clerk.id or task.status not in _held_states():
            continue  # released, handed on or decided meanwhile (a decided task keeps its clerk as assignee)
        if to_clerk_id is None and "force_release" not in available_events(actor, task, case, catalog):
            continue  # a suspended or approved task cannot go back to the queue: it stays with its clerk
        _pull(session, actor, task, case, catalog, to_clerk_id, reason)
        moved += 1
    return moved


def _pull(
    session: Session, actor: User, task: Task, case, catalog: Catalog, to_clerk_id: int | None, reason: str
) -> None:
    if to_clerk_id is None:
        fire(
            session=session, subject=task, event="force_release", actor=actor, catalog=catalog, case=case, reason=reason
        )
    else:
        fire(
            session=session,
            subject=task,
            event="reassign",
            actor=actor,
            catalog=catalog,
            case=case,
            reason=reason,
            given={"to_clerk": to_clerk_id},
        )


def _lock(session: Session, actor: User, key: str):
    task = session.exec(select(Task).where(col(Task.key) == key)).first()
    require_visible(task is not None and is_supervisor_of(actor, task.department), "task")
    assert task is not None  # require_visible refused a missing task
    if task.case_kind == Application.CHAIN_KIND:
        locked, case, _ = lock_task_case(session, key)
    else:
        locked, case = lock_task_and_case(session, key)
    if locked is None:
        raise NotFound(N_("no such task"))
    return locked, case


def _case(session: Session, task: Task):
    kind, case_id = task.case_ref
    return session.get(case_types()[kind].model, case_id)


def _watched_clerk(session: Session, actor: User, clerk_id: int) -> User:
    require_role(actor, Role.SUPERVISOR)
    clerk = session.get(User, clerk_id)
    require_visible(
        clerk is not None and clerk.role == Role.CLERK and is_supervisor_of(actor, clerk.department or ""), "clerk"
    )
    assert clerk is not None  # require_visible refused a missing one
    return clerk
