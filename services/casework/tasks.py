"""A department's work (viewflow's shape): queue, inbox, archive; claim, decide, suspend, extend."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, tuple_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from services import clock
from services.applications.progress import WhereNow, task_clock, where_now
from services.audit import hold_locked_tip
from services.catalog import Catalog
from services.catalog.model import SlaThresholds
from services.db import transactional
from services.deadline_colour import ColourRanges
from services.errors import Conflict
from services.i18n import N_
from services.models import Application, Certificate, ExtensionRequest, Role, Task, User, task_sla_key
from services.policy import may_view_task, require_department_clerk, require_role, require_visible, watched_department
from services.workdays import load_calendar
from services.workflow.case_types import case_types, counting_states
from services.workflow.engine import available_events, fire

PAGE_SIZE = 30


@dataclass(frozen=True)
class TaskRow:
    task: Task
    case: Any  # an application, or a case of another kind
    colour: str
    days_left: int | None


class TaskPage(list):
    """One page of a task list; `next_cursor` opens the page after it (None on the last page)."""

    def __init__(self, rows: list[TaskRow], next_cursor: str | None = None):
        super().__init__(rows)
        self.next_cursor = next_cursor


@dataclass(frozen=True)
class TaskFilters:
    item_code: str | None = None
    status: str | None = None
    colour: str | None = None


def _row(task: Task, case: Any, colours: ColourRanges) -> TaskRow:
    counted = task_clock(task, colours.calendar, colours.today, colours.thresholds)
    if counted is None:
        return TaskRow(task, case, "green", None)
    return TaskRow(task, case, counted.colour, counted.days_left)


def _of_kind(kind: str, statuses: tuple[str, ...] | frozenset[str]):
    return and_(col(Task.case_kind) == kind, col(Task.status).in_(statuses))


@dataclass(frozen=True)
class _Listing:
    """One list's query before ordering, and how to tell a task's colour in SQL."""

    query: Select[Task, Application]
    statuses: dict[str, tuple[str, ...]]  # by kind of case: the task states this list shows
    colour: str | None
    colours: ColourRanges

    def dated_colour(self):
        """`task_clock`'s colour as SQL, for tasks with a deadline; so a filtered page is full.

        Only a running clock is red or amber; a task no longer counting is green, a paused one neither.
        """
        counting = counting_states()
        running_states = {kind: [s for s in states if s in counting[kind]] for kind, states in self.statuses.items()}
        closed_states = {kind: [s for s in states if s not in counting[kind]] for kind, states in self.statuses.items()}
        running = and_(
            or_(*(_of_kind(kind, states) for kind, states in running_states.items() if states)),
            col(Task.paused_since).is_(None),
        )
        colours = self.colours
        if self.colour in ("red", "amber"):
            return and_(running, colours.is_(Task.deadline, self.colour, code_column=task_sla_key()))
        green = (
            [and_(running, colours.is_(Task.deadline, "green", code_column=task_sla_key()))]
            if any(running_states.values())
            else []
        )
        closed = [_of_kind(kind, states) for kind, states in closed_states.items() if states]
        return or_(*closed, *green)

    def rows(self, session: Session, rows) -> list[TaskRow]:
        """The page's rows, each with its case: an application came with its task; other kinds one query each."""
        wanted: dict[str, set[int]] = {}
        for task, application in rows:
            if application is None:
                wanted.setdefault(task.case_kind, set()).add(task.case_id)
        cases: dict[tuple[str, int], Any] = {}
        for kind, ids in wanted.items():
            model: Any = case_types()[kind].model
            for case in session.exec(select(model).where(model.__table__.c.id.in_(ids))):
                cases[kind, case.id] = case
        return [_row(task, application or cases[task.case_ref], self.colours) for task, application in rows]


def _listing(session: Session, lists: str, filters: TaskFilters, catalog: Catalog | None) -> _Listing:
    """`lists`: "ready", "held" or "decided" (`TaskLists`), of every kind of case.

    Colours by the catalogue's SLA thresholds (without a catalogue, the built-in ones).
    """
    statuses: dict[str, tuple[str, ...]] = {
        kind: getattr(case_type.task_lists, lists) for kind, case_type in case_types().items()
    }
    chosen: dict[str, tuple[str, ...]] = {
        kind: (status,) for kind, states in statuses.items() if (status := filters.status) in states
    }
    statuses = chosen or statuses  # a status this list does not show filters nothing
    # An application's task brings its application in the same statement; other kinds' cases follow.
    query = select(Task, Application).outerjoin(Application, col(Application.id) == Task.application_id)
    query = query.where(or_(*(_of_kind(kind, states) for kind, states in statuses.items())))
    if filters.item_code:
        query = query.where(Task.item_code == filters.item_code)
    colour = filters.colour if filters.colour in ("red", "amber", "green") else None
    thresholds = catalog.sla if catalog is not None else SlaThresholds()
    return _Listing(
        query, statuses, colour, ColourRanges(load_calendar(session=session), clock.china_today(), thresholds)
    )


def _by_deadline(session: Session, listing: _Listing, cursor: str | None, limit: int) -> TaskPage:
    """Most urgent first: tasks with a deadline by (deadline, id), then those without one (green) by id.

    Two index ranges read in order from the cursor on, instead of sorting every match;
    the cursor is "<deadline>_<id>", or "-_<id>" once the page is among the tasks without one.
    """
    after_deadline, after_id = _deadline_cursor(cursor)
    among_undated = after_id and after_deadline is None
    rows = []
    if not among_undated:
        dated = listing.query.where(col(Task.deadline).is_not(None))
        if listing.colour:
            dated = dated.where(listing.dated_colour())
        if after_deadline is not None:
            dated = dated.where(tuple_(Task.deadline, Task.id) > tuple_(after_deadline, after_id))
        rows = list(session.exec(dated.order_by(col(Task.deadline), col(Task.id)).limit(limit + 1)))
    if len(rows) <= limit and listing.colour in (None, "green"):
        undated = listing.query.where(col(Task.deadline).is_(None))
        if among_undated:
            undated = undated.where(col(Task.id) > after_id)
        rows += session.exec(undated.order_by(col(Task.id)).limit(limit + 1 - len(rows)))
    if len(rows) <= limit:
        return TaskPage(listing.rows(session, rows))
    last = rows[limit - 1][0]
    cursor = f"{last.deadline.isoformat() if last.deadline else '-'}_{last.id}"
    return TaskPage(listing.rows(session, rows[:limit]), cursor)


def _deadline_cursor(cursor: str | None) -> tuple[date | None, int]:
    moment, _, row_id = (cursor or "").rpartition("_")
    try:
        return (None if moment == "-" else date.fromisoformat(moment)), int(row_id)
    except ValueError:
        return None, 0  # a mangled cursor starts from the first page


def _by_decision(session: Session, listing: _Listing, cursor: str | None, limit: int) -> TaskPage:
    """Newest decision first, by (decided_at, id) descending; the cursor is "<decided_at>_<id>"."""
    query = listing.query
    if listing.colour:
        query = query.where(listing.dated_colour())
    moment, _, row_id = (cursor or "").rpartition("_")
    try:
        after = datetime.fromisoformat(moment), int(row_id)
    except ValueError:
        after = None
    if after and after[0].tzinfo is not None:
        query = query.where(tuple_(Task.decided_at, Task.id) < tuple_(*after))
    rows = list(session.exec(query.order_by(col(Task.decided_at).desc(), col(Task.id).desc()).limit(limit + 1)))
    if len(rows) <= limit:
        return TaskPage(listing.rows(session, rows))
    last = rows[limit - 1][0]
    assert last.decided_at is not None  # these lists hold decided tasks
    return TaskPage(listing.rows(session, rows[:limit]), f"{last.decided_at.isoformat()}_{last.id}")


def department_queue(
    *,
    session: Session,
    actor: User,
    catalog: Catalog | None = None,
    filters: TaskFilters = TaskFilters(),
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> TaskPage:
    """Ready tasks of my department, most urgent first."""
    department = require_department_clerk(actor)
    listing = _listing(session, "ready", filters, catalog)
    listing = replace(listing, query=listing.query.where(Task.department == department))
    return _by_deadline(session, listing, cursor, limit)


def inbox(
    *,
    session: Session,
    actor: User,
    catalog: Catalog | None = None,
    filters: TaskFilters = TaskFilters(),
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> TaskPage:
    """Tasks I hold: claimed, suspended, or approved and waiting for delivery."""
    require_department_clerk(actor)
    listing = _listing(session, "held", filters, catalog)
    listing = replace(listing, query=listing.query.where(Task.assignee_id == actor.id))
    return _by_deadline(session, listing, cursor, limit)


def archive(
    *,
    session: Session,
    actor: User,
    catalog: Catalog | None = None,
    filters: TaskFilters = TaskFilters(),
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> TaskPage:
    """What I decided, newest first."""
    require_department_clerk(actor)
    listing = _listing(session, "decided", filters, catalog)
    listing = replace(listing, query=listing.query.where(Task.decided_by_id == actor.id))
    return _by_decision(session, listing, cursor, limit)


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
    application = session.get(Application, task.application_id) if task is not None else None
    require_visible(task is not None and may_view_task(actor, task), "task")
    # require_visible refused a missing task, and a task's application always exists
    assert task is not None and application is not None
    return task, application


# Built once (every change to a task runs it): building a statement costs more CPU than running it.
_LOCK_TASK_CASE = (
    select(Application, Task, User)
    .join(Task, col(Task.application_id) == Application.id)
    .join(User, col(User.id) == Application.applicant_id)
    .where(col(Task.key) == bindparam("key"))
    .with_for_update(of=[Application, Task])
    .execution_options(populate_existing=True)
)


def lock_task_case(session: Session, key: str) -> tuple[Task | None, Application | None, User | None]:
    """Lock the application of the task with this key, then read the task afresh, before changing either.

    Changes to the tasks of one application then queue up behind its row lock, so a bundle's
    fan-in and fan-out see what the change before them left: two clerks deciding its last two
    tasks at once cannot both miss that the case is finished, and two claims cannot both start
    its review. One statement locks both rows and reads them: on PostgreSQL, after waiting for a
    lock, FOR UPDATE reads the latest committed version of every row it locks, so the task is as
    fresh as if it were read after the lock (every writer of a task holds its case's lock first).
    The applicant's account comes along, unlocked, for the firing (a decision's certificate and
    notices name the applicant).
    """
    row = session.execute(_LOCK_TASK_CASE, {"key": key}).first()
    if row is None:
        return None, None, None
    application, task, applicant = row
    hold_locked_tip(session, application)
    return task, application, applicant


def task_detail(*, session: Session, actor: User, key: str, catalog: Catalog) -> TaskDetail:
    task, application = _load(session, actor, key)
    siblings = session.exec(
        select(Task).where(col(Task.application_id) == application.id, col(Task.item_code).in_(task.waits_on))
    ).all()
    certificate_ids = [t.certificate_id for t in siblings if t.certificate_id] + (
        [task.certificate_id] if task.certificate_id else []
    )
    certificates = (
        {c.id: c for c in session.exec(select(Certificate).where(col(Certificate.id).in_(certificate_ids)))}
        if certificate_ids
        else {}
    )
    extension = session.exec(
        select(ExtensionRequest)
        .where(col(ExtensionRequest.task_id) == task.id)
        .order_by(col(ExtensionRequest.id).desc())
    ).first()
    return TaskDetail(
        task,
        application,
        _row(task, application, ColourRanges(load_calendar(session=session), clock.china_today(), catalog.sla)),
        available_events(actor, task, application, catalog),
        [(t, certificates.get(t.certificate_id)) for t in siblings],
        extension,
        certificates.get(task.certificate_id),
        where_now(session=session, application=application, catalog=catalog),
    )


def _lock_and_fire(session: Session, actor: User, key: str, catalog: Catalog, event: str, **kwargs) -> Task:
    """Fire `event` on the task with this key, its case locked first."""
    task, application, applicant = lock_task_case(session, key)
    require_visible(task is not None and may_view_task(actor, task), "task")
    assert task is not None and application is not None  # require_visible refused a missing task
    fire(
        session=session,
        subject=task,
        event=event,
        actor=actor,
        catalog=catalog,
        case=application,
        applicant=applicant,
        **kwargs,
    )
    return task


@transactional
def claim_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    """Two clerks cannot hold one task: of two racing claims, one wins and the other is told."""
    try:
        return _lock_and_fire(session, actor, key, catalog, "claim")
    except Conflict:
        raise Conflict(N_("another clerk has already claimed this task")) from None


@transactional
def release_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "release")


@transactional
def approve_task(
    *,
    session: Session,
    actor: User,
    key: str,
    catalog: Catalog,
    note: str | None = None,
    decided_amount: str | None = None,
) -> Task:
    """`decided_amount`: the yuan due, which approving a review of a benefit offer's amount names."""
    return _lock_and_fire(
        session, actor, key, catalog, "approve", reason=note, given={"decided_amount": decided_amount}
    )


@transactional
def reject_task(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "reject", reason=reason)


@transactional
def suspend_task(*, session: Session, actor: User, key: str, catalog: Catalog, procedure: str, reason: str) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "suspend", reason=reason, given={"procedure": procedure})


@transactional
def resume_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "resume")


@transactional
def request_notice(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "request_notice", reason=reason)


@transactional
def request_extension(*, session: Session, actor: User, key: str, catalog: Catalog, days: int, reason: str) -> Task:
    return _lock_and_fire(session, actor, key, catalog, "request_extension", reason=reason, given={"days": days})


@transactional
def decide_extension(
    *, session: Session, actor: User, key: str, catalog: Catalog, grant: bool, answer: str | None = None
) -> Task:
    """A supervisor grants or refuses the pending extension of a task."""
    return _lock_and_fire(
        session, actor, key, catalog, "grant_extension" if grant else "refuse_extension", reason=answer
    )


def pending_extensions(*, session: Session, actor: User) -> list[tuple[ExtensionRequest, Task, Application]]:
    require_role(actor, Role.SUPERVISOR)
    query = (
        select(ExtensionRequest, Task, Application)
        .join(Task, col(Task.id) == ExtensionRequest.task_id)
        .join(Application, col(Application.id) == Task.application_id)
        .where(ExtensionRequest.status == "requested")
    )
    if department := watched_department(actor):
        query = query.where(Task.department == department)
    return [(r, t, a) for r, t, a in session.exec(query.order_by(col(ExtensionRequest.requested_at)))]
