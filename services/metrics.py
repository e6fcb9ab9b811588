"""The reform's figures, computed from the cases by SQL aggregates (nothing is counted by hand).

Overall figures are over applications; the per-department breakdown is over
the tasks of each department. Every aggregate is one GROUP BY query, so the
cost grows with the database's scan speed, not with Python loops over rows.
Rates are floats in [0, 1], or None when nothing could be counted.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, and_, case, exists, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, select

from services import clock
from services.catalog import Catalog, Item
from services.models import Application, ApplicationStatus, Notice, Task, TaskStatus, Visit

FINISHED = (ApplicationStatus.COMPLETED, ApplicationStatus.PARTIALLY_COMPLETED)
DECIDED = (TaskStatus.APPROVED, TaskStatus.DELIVERED, TaskStatus.REJECTED)


class china_date(FunctionElement):  # noqa: N801  (reads as the SQL function it renders)
    """The China calendar date of a stored UTC timestamp, computed by the database."""

    type = Date()
    name = "china_date"
    inherit_cache = True


@compiles(china_date)
def _china_date_standard(element, compiler, **kw) -> str:
    # PostgreSQL: the column is timestamptz, so AT TIME ZONE yields China's wall clock.
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


@compiles(china_date, "sqlite")
def _china_date_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps UTC text; China has had no daylight saving since 1991, so +8 hours is exact.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


def count_if(condition):
    return func.count(case((condition, 1)))


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    online: float | None  # applied online / submitted
    zero_visit: float | None  # finished with no visit / finished
    on_time: float | None  # finished (or decided) by the deadline / those with a deadline
    same_day: float | None  # finished (or decided) the day the clock started / finished (or decided)
    time_compression: float | None  # mean of 1 - promised/legal over the items accepted
    notices_per_application: float | None  # notices / accepted applications


@dataclass(frozen=True)
class Breaches:
    second_notices: int
    visits_beyond_promise: int
    overdue_tasks: int  # open past the deadline, or decided after it

    @property
    def total(self) -> int:
        return self.second_notices + self.visits_beyond_promise + self.overdue_tasks


@dataclass(frozen=True)
class CatalogFigures:
    """Zhejiang publishes these: how many items, how many online, how many promise zero visits."""

    items: int
    online_share: float | None
    zero_visit_share: float | None


@dataclass(frozen=True)
class Figures:
    """Overall figures: `count` submitted applications, `by_status` theirs."""

    count: int
    rates: Rates
    breaches: Breaches
    by_status: dict[str, int]


@dataclass(frozen=True)
class DepartmentFigures:
    """A department's figures: `count` tasks, `by_status` task statuses."""

    department: str
    count: int
    rates: Rates
    breaches: Breaches
    by_status: dict[str, int]
    catalog: CatalogFigures


@dataclass(frozen=True)
class Metrics:
    since: date | None
    until: date | None
    department: str | None
    today: date
    catalog: CatalogFigures
    overall: Figures
    departments: list[DepartmentFigures]


def catalog_figures(items: list[Item]) -> CatalogFigures:
    # Every catalogue item can be applied for online here: the one form is built for each of them.
    online = len(items)
    return CatalogFigures(len(items), rate(online, len(items)), rate(sum(i.max_visits == 0 for i in items), len(items)))


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA)


def _application_scope(catalog: Catalog, since: date | None, until: date | None, department: str | None) -> list:
    """Submitted applications (drafts never count), by China submission date, of the department's services."""
    scope = [Application.submitted_at.is_not(None)]
    if since is not None:
        scope.append(Application.submitted_at >= _china_midnight(since))
    if until is not None:
        scope.append(Application.submitted_at < _china_midnight(until + timedelta(days=1)))
    if department is not None:
        scope.append(Application.service_code.in_([s.code for s in catalog.for_department(department)]))
    return scope


def _compression(counts: dict[str, int], catalog: Catalog) -> float | None:
    """Mean of 1 - promised/legal over accepted items, weighted by how often each was asked for."""
    total = weight = 0.0
    for code, n in counts.items():
        item = catalog.items.get(code)
        if item is None or item.legal_limit_days == 0:
            continue
        total += n * (1 - item.promised_limit_days / item.legal_limit_days)
        weight += n
    return total / weight if weight else None


def _task_overdue(today: date):
    # A paused clock stopped on paused_since: the task is late only if it was late by then.
    open_late = and_(Task.status.in_(TaskStatus.OPEN), Task.deadline.is_not(None),
                     Task.deadline < func.coalesce(Task.paused_since, today))
    decided_late = and_(Task.status.in_(DECIDED), Task.deadline.is_not(None),
                        china_date(Task.decided_at) > Task.deadline)
    return or_(open_late, decided_late)


def _tasks_in(scope: list, departments: list[str], *columns):
    """SELECT columns over the departments' tasks of the applications in scope."""
    return select(*columns).select_from(Task).join(Application, Application.id == Task.application_id) \
        .where(*scope, Task.department.in_(departments))


def compute_metrics(*, session: Session, catalog: Catalog, since: date | None = None, until: date | None = None,
                    department: str | None = None) -> Metrics:
    """The figures of applications submitted from `since` to `until` (China dates, inclusive).

    With `department`, the overall figures cover the applications for that
    department's services and the breakdown only that department.
    """
    today = clock.china_today()
    scope = _application_scope(catalog, since, until, department)
    departments = [department] if department else list(catalog.departments)
    items = [item for item in catalog.items.values() if item.department in departments]
    task_rows = _department_rows(session, catalog, scope, departments, today)
    return Metrics(
        since=since, until=until, department=department, today=today,
        catalog=catalog_figures(items),
        overall=_overall(session, catalog, scope, departments, today),
        departments=[
            DepartmentFigures(code, *task_rows[code], catalog=catalog_figures([i for i in items if i.department == code]))
            for code in departments
        ],
    )


def _overall(session: Session, catalog: Catalog, scope: list, departments: list[str], today: date) -> Figures:
    finished = Application.status.in_(FINISHED)
    no_visit = not_(exists().where(Visit.application_id == Application.id))
    has_deadline = and_(finished, Application.deadline.is_not(None))
    closed_on = china_date(Application.closed_at)
    submitted, online, done, done_without_visit, with_deadline, in_time, same_day, accepted = session.exec(
        select(
            func.count(),
            count_if(Application.channel == "online"),
            count_if(finished),
            count_if(and_(finished, no_visit)),
            count_if(has_deadline),
            count_if(and_(has_deadline, closed_on <= Application.deadline)),
            count_if(and_(finished, closed_on == Application.accepted_on)),
            count_if(Application.accepted_at.is_not(None)),
        ).where(*scope)
    ).one()
    by_status = dict(session.exec(
        select(Application.status, func.count()).where(*scope).group_by(Application.status)).all())
    notices, second_notices = session.exec(
        select(func.count(Notice.id), count_if(Notice.breach)).select_from(Notice)
        .join(Application, Application.id == Notice.application_id).where(*scope)
    ).one()
    visits_beyond = session.exec(
        select(count_if(Visit.beyond_promise)).select_from(Visit)
        .join(Application, Application.id == Visit.application_id).where(*scope)
    ).one()
    overdue = session.exec(_tasks_in(scope, departments, count_if(_task_overdue(today)))).one()
    per_item = dict(session.exec(_tasks_in(scope, departments, Task.item_code, func.count()).group_by(Task.item_code)).all())
    rates = Rates(
        online=rate(online, submitted),
        zero_visit=rate(done_without_visit, done),
        on_time=rate(in_time, with_deadline),
        same_day=rate(same_day, done),
        time_compression=_compression(per_item, catalog),
        notices_per_application=rate(notices, accepted),
    )
    return Figures(submitted, rates, Breaches(second_notices, visits_beyond, overdue), by_status)


def _department_rows(session: Session, catalog: Catalog, scope: list, departments: list[str],
                     today: date) -> dict[str, tuple[int, Rates, Breaches, dict[str, int]]]:
    """Per department: (task count, rates, breaches, tasks by status)."""
    decided = Task.status.in_(DECIDED)
    has_deadline = and_(decided, Task.deadline.is_not(None))
    decided_on = china_date(Task.decided_at)
    app_finished = Application.status.in_(FINISHED)
    no_visit = not_(exists().where(Visit.application_id == Task.application_id))

    def grouped(*columns, by=(Task.department,)):
        return session.exec(_tasks_in(scope, departments, *by, *columns).group_by(*by)).all()

    main = {row[0]: row[1:] for row in grouped(
        func.count(),
        count_if(Application.channel == "online"),
        count_if(app_finished),
        count_if(and_(app_finished, no_visit)),
        count_if(has_deadline),
        count_if(and_(has_deadline, decided_on <= Task.deadline)),
        count_if(decided),
        count_if(and_(decided, decided_on == Task.started_on)),
        count_if(_task_overdue(today)),
    )}
    by_status: dict[str, dict[str, int]] = {}
    for code, status, n in grouped(func.count(), by=(Task.department, Task.status)):
        by_status.setdefault(code, {})[status] = n
    per_item: dict[str, dict[str, int]] = {}
    for code, item_code, n in grouped(func.count(), by=(Task.department, Task.item_code)):
        per_item.setdefault(code, {})[item_code] = n
    case_counts = _department_case_counts(session, scope, departments)

    rows = {}
    for code in departments:
        tasks, online, done, done_without_visit, with_deadline, in_time, decided_n, same_day, overdue = \
            main.get(code, (0,) * 9)
        applications, notices, second_notices, visits_beyond = case_counts.get(code, (0, 0, 0, 0))
        rates = Rates(
            online=rate(online, tasks),
            zero_visit=rate(done_without_visit, done),
            on_time=rate(in_time, with_deadline),
            same_day=rate(same_day, decided_n),
            time_compression=_compression(per_item.get(code, {}), catalog),
            notices_per_application=rate(notices, applications),
        )
        rows[code] = (tasks, rates, Breaches(second_notices, visits_beyond, overdue), by_status.get(code, {}))
    return rows


def _department_case_counts(session: Session, scope: list, departments: list[str]) -> dict[str, tuple[int, ...]]:
    """Per department: (applications it has tasks in, their notices, second notices, visits beyond promise)."""
    involved = _tasks_in(scope, departments, Task.department.label("department"),
                         Task.application_id.label("application_id")).distinct().subquery()
    applications = dict(session.exec(
        select(involved.c.department, func.count()).group_by(involved.c.department)).all())
    notices = {row[0]: row[1:] for row in session.exec(
        select(involved.c.department, func.count(Notice.id), count_if(Notice.breach))
        .join(Notice, Notice.application_id == involved.c.application_id).group_by(involved.c.department)
    ).all()}
    visits = dict(session.exec(
        select(involved.c.department, count_if(Visit.beyond_promise))
        .join(Visit, Visit.application_id == involved.c.application_id).group_by(involved.c.department)
    ).all())
    return {code: (applications.get(code, 0), *notices.get(code, (0, 0)), visits.get(code, 0))
            for code in departments}
