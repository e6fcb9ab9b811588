"""The figures from the rollup: sums over day rows, plus the one count that moves with the date alone.

Equal to the tests' `compute_metrics` (tests/metrics_reference.py) for the same arguments once `refresh_rollup` has
seen every change (the dashboard refreshes just before it reads). What the
rollup cannot hold is whether an open task is late today; that is counted
live, over the open tasks only.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.metrics.figures import Metrics, Tally, application_tally, assemble, shown_departments, task_tally
from services.metrics.rollup import refresh_rollup
from services.metrics.sql import china_date, open_late
from services.models import Application, ApplicationDayCounts, DepartmentDayCases, Task, TaskDayCounts


def _counts_of(model) -> list[str]:
    return [column.name for column in model.__table__.columns if not column.primary_key]


APPLICATION_COUNTS = _counts_of(ApplicationDayCounts)
TASK_COUNTS = _counts_of(TaskDayCounts)
CASE_COUNTS = _counts_of(DepartmentDayCases)


@dataclass(frozen=True)
class Period:
    """Which rollup rows count: submitted from `since` to `until`, for `services` (None: every one)."""

    since: date | None
    until: date | None
    services: list[str] | None

    def where(self, model) -> list:
        scope = []
        if self.since is not None:
            scope.append(model.day >= self.since)
        if self.until is not None:
            scope.append(model.day <= self.until)
        if self.services is not None:
            scope.append(model.service_code.in_(self.services))
        return scope

    def holds(self, day: date, service_code: str) -> bool:
        """The same test for a row counted live."""
        return (
            (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
            and (self.services is None or service_code in self.services)
        )


def _sums(model, names: list[str]) -> list:
    return [func.sum(getattr(model, name)) for name in names]


def read_metrics(
    *,
    session: Session,
    catalog: Catalog,
    since: date | None = None,
    until: date | None = None,
    department: str | None = None,
) -> Metrics:
    """The figures of applications submitted from `since` to `until` (China dates, inclusive), from the rollup."""
    today = clock.china_today()
    departments = shown_departments(catalog, department)
    period = Period(since, until, [s.code for s in catalog.for_department(department)] if department else None)

    by_department = _department_tallies(session, period, departments, today)
    totals: Counter[str] = Counter()
    by_status = {}
    for status, *values in session.exec(
        select(ApplicationDayCounts.status, *_sums(ApplicationDayCounts, APPLICATION_COUNTS))
        .where(*period.where(ApplicationDayCounts))
        .group_by(ApplicationDayCounts.status)
    ).all():
        counts = dict(zip(APPLICATION_COUNTS, values, strict=True))
        totals.update(counts)
        by_status[status] = counts["submitted"]
    # The overall figures count the shown departments' tasks, as the breakdown does.
    overall = application_tally(
        totals,
        overdue=sum(tally.overdue for tally in by_department.values()),
        by_status=by_status,
        per_item=sum((t.per_item for t in by_department.values()), Counter()),
    )
    return assemble(
        catalog=catalog,
        since=since,
        until=until,
        department=department,
        today=today,
        overall=overall,
        by_department=by_department,
    )


def _department_tallies(session: Session, period: Period, departments: list[str], today: date) -> dict[str, Tally]:
    totals: dict[str, Counter[str]] = {}
    by_status: dict[str, Counter[str]] = {}
    per_item: dict[str, Counter[str]] = {}
    applied_online: dict[str, set[str]] = {}
    values: list[int]  # a row's sums, in TASK_COUNTS order
    for code, item_code, status, *values in session.exec(
        select(
            TaskDayCounts.department, TaskDayCounts.item_code, TaskDayCounts.status, *_sums(TaskDayCounts, TASK_COUNTS)
        )
        .where(*period.where(TaskDayCounts), col(TaskDayCounts.department).in_(departments))
        .group_by(TaskDayCounts.department, TaskDayCounts.item_code, TaskDayCounts.status)
    ).all():
        counts = dict(zip(TASK_COUNTS, values, strict=True))
        totals.setdefault(code, Counter()).update(counts)
        by_status.setdefault(code, Counter())[status] += counts["tasks"]
        per_item.setdefault(code, Counter())[item_code] += counts["tasks"]
        if counts["online"]:
            applied_online.setdefault(code, set()).add(item_code)
    cases = {
        code: dict(zip(CASE_COUNTS, values, strict=True))
        for code, *values in session.exec(
            select(DepartmentDayCases.department, *_sums(DepartmentDayCases, CASE_COUNTS))
            .where(*period.where(DepartmentDayCases), col(DepartmentDayCases.department).in_(departments))
            .group_by(DepartmentDayCases.department)
        ).all()
    }
    late_open: Counter[str] = Counter()
    for code, day, service_code, n in _late_open_tasks(session, today, departments):
        if period.holds(day, service_code):
            late_open[code] += n
    return {
        code: task_tally(
            {**counts, **cases[code]},
            overdue=counts["decided_late"] + late_open[code],
            by_status=dict(by_status[code]),
            per_item=per_item[code],
            applied_online=applied_online.get(code, set()),
        )
        for code, counts in totals.items()
    }


def _late_open_tasks(session: Session, today: date, departments: list[str]) -> list[tuple[str, date, str, int]]:
    """Open tasks past their deadline today, as (department, submission day, service code, how many).

    Grouped like the rollup and left to the caller to filter to the period: conditions on the
    applications here would lead a planner to walk every application of the period (PostgreSQL
    misjudges how many a range of China dates selects), where walking the departments' open
    tasks (a small set, in the department-status-deadline index) is what is cheap.
    """
    day = china_date(Application.submitted_at)
    keys = (Task.department, day, Application.service_code)
    return [
        tuple(row)
        for row in session.exec(
            select(*keys, func.count())
            .select_from(Task)
            .join(Application, col(Application.id) == Task.application_id)
            .where(col(Application.submitted_at).is_not(None), col(Task.department).in_(departments), open_late(today))
            .group_by(*keys)
        ).all()
    ]


def current_metrics(
    *,
    session: Session,
    catalog: Catalog,
    since: date | None = None,
    until: date | None = None,
    department: str | None = None,
) -> Metrics:
    """What the dashboard shows: the rollup brought up to date (only the days changed since), then read."""
    refresh_rollup(session=session)
    return read_metrics(session=session, catalog=catalog, since=since, until=until, department=department)
