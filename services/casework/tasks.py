"""A department's work (viewflow's shape): queue, inbox, archive; claim, decide, suspend, extend."""
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from services import clock
from services.applications.progress import WhereNow, task_clock, where_now
from services.catalog import Catalog
from services.db import transactional
from services.errors import Conflict, NotAllowed, NotFound
from services.i18n import N_
from services.models import Application, Certificate, ExtensionRequest, Role, Task, TaskStatus, User
from services.workdays import WorkingCalendar, load_calendar
from services.workflow.engine import available_events, fire

PAGE_SIZE = 30
DECIDED = (TaskStatus.APPROVED, TaskStatus.DELIVERED, TaskStatus.REJECTED)


@dataclass(frozen=True)
class TaskRow:
    task: Task
    application: Application
    colour: str
    days_left: int | None


@dataclass(frozen=True)
class TaskFilters:
    item_code: str | None = None
    status: str | None = None
    colour: str | None = None


def _department_clerk(actor: User) -> str:
    if actor.role != Role.CLERK or not actor.department:
        raise NotAllowed(N_("only a department clerk may do this"))
    return actor.department


def _rows(session: Session, query, calendar: WorkingCalendar, today: date, colour: str | None,
          limit: int) -> list[TaskRow]:
    rows = []
    for task, application in session.exec(query.limit(limit * 4 if colour else limit)).all():
        row = _row(task, application, calendar, today)
        if colour is None or row.colour == colour:
            rows.append(row)
        if len(rows) == limit:
            break
    return rows


def _row(task: Task, application: Application, calendar: WorkingCalendar, today: date) -> TaskRow:
    counted = task_clock(task, calendar, today)
    if counted is None:
        return TaskRow(task, application, "green", None)
    return TaskRow(task, application, counted.colour, counted.days_left)


def _base(statuses, filters: TaskFilters):
    query = select(Task, Application).join(Application, Application.id == Task.application_id)
    query = query.where(Task.status.in_(statuses))
    if filters.item_code:
        query = query.where(Task.item_code == filters.item_code)
    if filters.status and filters.status in statuses:
        query = query.where(Task.status == filters.status)
    return query


def department_queue(*, session: Session, actor: User, filters: TaskFilters = TaskFilters(),
                     limit: int = PAGE_SIZE) -> list[TaskRow]:
    """Ready tasks of my department, most urgent first."""
    department = _department_clerk(actor)
    query = _base((TaskStatus.READY,), filters).where(Task.department == department)
    query = query.order_by(Task.deadline.is_(None), Task.deadline, Task.id)
    return _rows(session, query, load_calendar(session=session), clock.china_today(), filters.colour, limit)


def inbox(*, session: Session, actor: User, filters: TaskFilters = TaskFilters(),
          limit: int = PAGE_SIZE) -> list[TaskRow]:
    """Tasks I hold: claimed, suspended, or approved and waiting for delivery."""
    _department_clerk(actor)
    query = _base((TaskStatus.CLAIMED, TaskStatus.SUSPENDED, TaskStatus.APPROVED), filters)
    query = query.where(Task.assignee_id == actor.id).order_by(Task.deadline.is_(None), Task.deadline, Task.id)
    return _rows(session, query, load_calendar(session=session), clock.china_today(), filters.colour, limit)


def archive(*, session: Session, actor: User, filters: TaskFilters = TaskFilters(),
            limit: int = PAGE_SIZE) -> list[TaskRow]:
    """What I decided, newest first."""
    _department_clerk(actor)
    query = _base(DECIDED, filters).where(Task.decided_by_id == actor.id)
    query = query.order_by(Task.decided_at.desc(), Task.id.desc())
    return _rows(session, query, load_calendar(session=session), clock.china_today(), filters.colour, limit)


@dataclass(frozen=True)
class TaskDetail:
    task: Task
    application: Application
    row: TaskRow
    actions: list[str]
    upstream: list[tuple[Task, Certificate | None]]
    extension: ExtensionRequest | None
    certificate: Certificate | None
    where: WhereNow


def _load(session: Session, actor: User, key: str) -> tuple[Task, Application]:
    task = session.exec(select(Task).where(Task.key == key)).first()
    if task is None:
        raise NotFound("no such task")
    visible = (actor.role == Role.CLERK and actor.department == task.department) or \
        actor.role == Role.FRONT_DESK or \
        (actor.role == Role.SUPERVISOR and actor.department in (None, task.department))
    if not visible:
        # Staff may know a case exists; what they may not do is act on another department's.
        if actor.is_staff:
            raise NotAllowed(N_("this task belongs to another department"))
        raise NotFound("no such task")
    return task, session.get(Application, task.application_id)


def task_detail(*, session: Session, actor: User, key: str, catalog: Catalog) -> TaskDetail:
    task, application = _load(session, actor, key)
    siblings = session.exec(select(Task).where(Task.application_id == application.id,
                                               Task.item_code.in_(task.waits_on))).all()
    certificate_ids = [t.certificate_id for t in siblings if t.certificate_id] + \
        ([task.certificate_id] if task.certificate_id else [])
    certificates = {c.id: c for c in session.exec(select(Certificate).where(Certificate.id.in_(certificate_ids)))} \
        if certificate_ids else {}
    extension = session.exec(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
                             .order_by(ExtensionRequest.id.desc())).first()
    return TaskDetail(
        task, application, _row(task, application, load_calendar(session=session), clock.china_today()),
        available_events(actor, task, application, catalog),
        [(t, certificates.get(t.certificate_id)) for t in siblings],
        extension, certificates.get(task.certificate_id),
        where_now(session=session, application=application, catalog=catalog),
    )


def _fire(session: Session, actor: User, key: str, catalog: Catalog, event: str, **kwargs) -> Task:
    task, application = _load(session, actor, key)
    fire(session=session, subject=task, event=event, actor=actor, catalog=catalog, application=application, **kwargs)
    return task


@transactional
def claim_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    """Two clerks cannot hold one task: of two racing claims, one wins and the other is told."""
    try:
        return _fire(session, actor, key, catalog, "claim")
    except Conflict:
        raise Conflict(N_("another clerk has already claimed this task")) from None


@transactional
def release_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire(session, actor, key, catalog, "release")


@transactional
def approve_task(*, session: Session, actor: User, key: str, catalog: Catalog, note: str | None = None) -> Task:
    return _fire(session, actor, key, catalog, "approve", reason=note)


@transactional
def reject_task(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> Task:
    return _fire(session, actor, key, catalog, "reject", reason=reason)


@transactional
def suspend_task(*, session: Session, actor: User, key: str, catalog: Catalog, procedure: str, reason: str) -> Task:
    return _fire(session, actor, key, catalog, "suspend", reason=reason, given={"procedure": procedure})


@transactional
def resume_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire(session, actor, key, catalog, "resume")


@transactional
def request_notice(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> Task:
    return _fire(session, actor, key, catalog, "request_notice", reason=reason)


@transactional
def request_extension(*, session: Session, actor: User, key: str, catalog: Catalog, days: int, reason: str) -> Task:
    return _fire(session, actor, key, catalog, "request_extension", reason=reason, given={"days": days})


@transactional
def decide_extension(*, session: Session, actor: User, key: str, catalog: Catalog, grant: bool,
                     answer: str | None = None) -> Task:
    """A supervisor grants or refuses the pending extension of a task."""
    return _fire(session, actor, key, catalog, "grant_extension" if grant else "refuse_extension", reason=answer)


def pending_extensions(*, session: Session, actor: User) -> list[tuple[ExtensionRequest, Task, Application]]:
    if actor.role != Role.SUPERVISOR:
        raise NotAllowed(N_("only a supervisor may do this"))
    query = (select(ExtensionRequest, Task, Application)
             .join(Task, Task.id == ExtensionRequest.task_id)
             .join(Application, Application.id == Task.application_id)
             .where(ExtensionRequest.status == "requested"))
    if actor.department:
        query = query.where(Task.department == actor.department)
    return [tuple(row) for row in session.exec(query.order_by(ExtensionRequest.requested_at)).all()]
