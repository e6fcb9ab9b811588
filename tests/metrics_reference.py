"""The figures counted straight from the cases by SQL aggregates: the reference the rollup must equal.

Every aggregate is one GROUP BY query over all the applications of the period
and their tasks, so its cost grows with the tables; the dashboard reads the
rollup instead (services/metrics/read.py), and the tests hold the two to the same numbers.
"""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from services import clock
from services.catalog import Catalog
from services.metrics.figures import Metrics, Tally, application_tally, assemble, shown_departments, task_tally
from services.metrics.sql import application_counts, china_midnight, count_if, overdue, task_counts
from services.models import Application, Notice, Task, Visit
from services.models.cases import ONLINE_CHANNEL


def _application_scope(catalog: Catalog, since: date | None, until: date | None, department: str | None) -> list:
    """Submitted applications (drafts never count), by China submission date, of the department's services."""
    scope = [Application.submitted_at.is_not(None)]
    if since is not None:
        scope.append(Application.submitted_at >= china_midnight(since))
    if until is not None:
        scope.append(Application.submitted_at < china_midnight(until + timedelta(days=1)))
    if department is not None:
        scope.append(Application.service_code.in_([s.code for s in catalog.for_department(department)]))
    return scope


def _tasks_in(scope: list, departments: list[str], *columns):
    """SELECT columns over the departments' tasks of the applications in scope."""
    return (
        select(*columns)
        .select_from(Task)
        .join(Application, Application.id == Task.application_id)
        .where(*scope, Task.department.in_(departments))
    )


def compute_metrics(
    *,
    session: Session,
    catalog: Catalog,
    since: date | None = None,
    until: date | None = None,
    department: str | None = None,
) -> Metrics:
    """The figures of applications submitted from `since` to `until` (China dates, inclusive).

    With `department`, the overall figures cover the applications for that
    department's services and the breakdown only that department.
    """
    today = clock.china_today()
    scope = _application_scope(catalog, since, until, department)
    departments = shown_departments(catalog, department)
    return assemble(
        catalog=catalog,
        since=since,
        until=until,
        department=department,
        today=today,
        overall=_overall(session, scope, departments, today),
        by_department=_by_department(session, scope, departments, today),
    )


def _overall(session: Session, scope: list, departments: list[str], today: date) -> Tally:
    columns = application_counts()
    counts = dict(zip(columns, session.exec(select(*columns.values()).where(*scope)).one(), strict=True))
    by_status = dict(
        session.exec(select(Application.status, func.count()).where(*scope).group_by(Application.status)).all()
    )
    counts["notices"], counts["second_notices"] = session.exec(
        select(func.count(Notice.id), count_if(Notice.breach))
        .select_from(Notice)
        .join(Application, Application.id == Notice.application_id)
        .where(*scope)
    ).one()
    counts["visits_beyond_promise"] = session.exec(
        select(count_if(Visit.beyond_promise))
        .select_from(Visit)
        .join(Application, Application.id == Visit.application_id)
        .where(*scope)
    ).one()
    late = session.exec(_tasks_in(scope, departments, count_if(overdue(today)))).one()
    per_item = Counter(
        dict(session.exec(_tasks_in(scope, departments, Task.item_code, func.count()).group_by(Task.item_code)).all())
    )
    return application_tally(counts, overdue=late, by_status=by_status, per_item=per_item)


def _by_department(session: Session, scope: list, departments: list[str], today: date) -> dict[str, Tally]:
    def grouped(*columns, by=(Task.department,)):
        return session.exec(_tasks_in(scope, departments, *by, *columns).group_by(*by)).all()

    columns = task_counts()
    main: dict[str, dict[str, int]] = {}
    late: dict[str, int] = {}
    for code, *values, late_tasks in grouped(*columns.values(), count_if(overdue(today))):
        main[code], late[code] = dict(zip(columns, values, strict=True)), late_tasks
    by_status: dict[str, dict[str, int]] = {}
    for code, status, n in grouped(func.count(), by=(Task.department, Task.status)):
        by_status.setdefault(code, {})[status] = n
    per_item: dict[str, Counter[str]] = {}
    for code, item_code, n in grouped(func.count(), by=(Task.department, Task.item_code)):
        per_item.setdefault(code, Counter())[item_code] = n
    applied_online: dict[str, set[str]] = {}
    online_tasks = _tasks_in(scope, departments, Task.department, Task.item_code).where(
        Application.channel == ONLINE_CHANNEL
    )
    for code, item_code in session.exec(online_tasks.distinct()).all():
        applied_online.setdefault(code, set()).add(item_code)
    cases = _department_case_counts(session, scope, departments)

    return {
        code: task_tally(
            counts | cases[code],
            overdue=late[code],
            by_status=by_status.get(code, {}),
            per_item=per_item.get(code, Counter()),
            applied_online=applied_online.get(code, set()),
        )
        for code, counts in main.items()
    }


def _department_case_counts(session: Session, scope: list, departments: list[str]) -> dict[str, dict[str, int]]:
    """Per department: the applications it has tasks in, their notices, second notices, visits beyond promise."""
    involved = (
        _tasks_in(scope, departments, Task.department.label("department"), Task.application_id.label("application_id"))
        .distinct()
        .subquery()
    )
    applications = dict(session.exec(select(involved.c.department, func.count()).group_by(involved.c.department)).all())
    notices = {
        row[0]: row[1:]
        for row in session.exec(
            select(involved.c.department, func.count(Notice.id), count_if(Notice.breach))
            .join(Notice, Notice.application_id == involved.c.application_id)
            .group_by(involved.c.department)
        ).all()
    }
    visits = dict(
        session.exec(
            select(involved.c.department, count_if(Visit.beyond_promise))
            .join(Visit, Visit.application_id == involved.c.application_id)
            .group_by(involved.c.department)
        ).all()
    )
    return {
        code: {
            "applications": applications.get(code, 0),
            "notices": notices.get(code, (0, 0))[0],
            "second_notices": notices.get(code, (0, 0))[1],
            "visits_beyond_promise": visits.get(code, 0),
        }
        for code in departments
    }
