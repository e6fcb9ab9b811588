"""Keeps the metrics rollup (services/models/rollups.py) equal to what the cases say.

Every workflow change stamps `updated_at` on the application or task it moves
(services/workflow/engine.py), and a case's submission day never changes once
submitted. So a refresh finds the submission days of whatever changed since
the previous refresh by two index ranges on `updated_at`, deletes those days'
rows and counts them again from the cases, all in one transaction. The first
refresh (no previous one recorded) counts every day; so does `full=True`,
which is what a bulk load that writes cases with past `updated_at` needs.

Two refreshes never interleave: each starts by updating the single
MetricsRefresh row, which takes its row lock on PostgreSQL (a second refresh
waits there until the first commits) and the write lock on SQLite, both held
to the commit. Reading the previous start before that update is deliberate: a
refresh that waited reads the start from before the one it waited for, and only
recounts more days than needed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, text, union, update
from sqlalchemy import select as select_columns  # sqlmodel's select is typed for at most four columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services import clock
from services.db import rows_matched, transactional
from services.metrics.sql import (
    application_counts,
    china_date,
    china_midnight,
    count_if,
    decided_late,
    notices_of,
    rating_score_of,
    task_counts,
    visits_beyond_promise_of,
)
from services.models import (
    Application,
    ApplicationDayCounts,
    DepartmentDayCases,
    MetricsRefresh,
    Task,
    TaskDayCounts,
)

# A change is stamped with `updated_at` when it is made but becomes visible only when its transaction
# commits, and each app server stamps by its own clock. A refresh therefore looks for changes from this
# long before the previous refresh started: enough for any request to commit (gunicorn kills one after
# 60 s) and for the servers' clocks to disagree. Looking further back only recounts a few days more.
REFRESH_OVERLAP = timedelta(minutes=5)

ROLLUPS = (ApplicationDayCounts, TaskDayCounts, DepartmentDayCases)


@dataclass(frozen=True)
class RefreshReport:
    full: bool  # every day was counted again (the first refresh, or asked for)
    days: list[date]  # the submission days counted again, in order


@transactional
def refresh_rollup(*, session: Session, full: bool = False) -> RefreshReport:
    """Bring the rollup up to date with the cases: the days changed since the last refresh, or all of them."""
    if session.get_bind().dialect.name == "postgresql":
        # A day's statements read a few thousand rows; compiling them to machine code (PostgreSQL's JIT,
        # on by default) took longer than running them: 0.45 s against 0.16 s a day at a million cases.
        session.execute(text("SET LOCAL jit = off"))
    previous = session.exec(select(MetricsRefresh.started_at).where(MetricsRefresh.id == 1)).first()
    started = clock.now()
    _claim(session, started)
    if full or previous is None:
        for model in ROLLUPS:
            session.execute(delete(model))
        _count(session, col(Application.submitted_at).is_not(None))
        return RefreshReport(
            True,
            list(
                session.exec(
                    select(col(ApplicationDayCounts.day)).distinct().order_by(col(ApplicationDayCounts.day))
                ).all()
            ),
        )
    # From the earlier of the two starts: a clock set back (a replayed journey) stamps changes before the last start.
    days = _changed_days(session, min(previous, started) - REFRESH_OVERLAP)
    if days:
        for model in ROLLUPS:
            session.execute(delete(model).where(col(model.day).in_(days)))
        _count(session, _submitted_on(days))
    return RefreshReport(False, days)


def _claim(session: Session, started: datetime) -> None:
    """Record this refresh's start; the update holds the refresh row's lock until the commit."""
    claimed = rows_matched(
        session, update(MetricsRefresh).where(col(MetricsRefresh.id) == 1).values(started_at=started)
    )
    if claimed == 0:  # never refreshed since the schema was made or the data wiped
        try:
            with session.begin_nested():
                session.add(MetricsRefresh(id=1, started_at=started))
        except IntegrityError:  # a concurrent first refresh made the row: queue behind it
            session.execute(update(MetricsRefresh).where(col(MetricsRefresh.id) == 1).values(started_at=started))


def _changed_days(session: Session, since: datetime) -> list[date]:
    """Submission days of the applications changed since `since`, themselves or through a task."""
    day = china_date(Application.submitted_at).label("day")
    applications = select(day).where(col(Application.updated_at) >= since, col(Application.submitted_at).is_not(None))
    tasks = (
        select(day)
        .select_from(Task)
        .join(Application, col(Application.id) == Task.application_id)
        .where(col(Task.updated_at) >= since, col(Application.submitted_at).is_not(None))
    )
    return sorted(session.execute(union(applications, tasks)).scalars())


def _submitted_on(days: list[date]):
    """Applications submitted on `days`, as ranges of submitted_at (an index range each, not a function scan)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return or_(
        *(
            and_(
                col(Application.submitted_at) >= china_midnight(first),
                col(Application.submitted_at) < china_midnight(last + timedelta(days=1)),
            )
            for first, last in runs
        )
    )


def _count(session: Session, submitted) -> None:
    """Insert the rollup rows of the applications matching `submitted`, counted from the cases."""
    day = china_date(Application.submitted_at)
    applications = application_counts()
    session.execute(
        insert(ApplicationDayCounts).from_select(
            [
                "day",
                "service_code",
                "status",
                *applications,
                "notices",
                "second_notices",
                "visits_beyond_promise",
                "rated",
                "rating_score",
            ],
            select_columns(
                day,
                col(Application.service_code),
                col(Application.status),
                *applications.values(),
                func.sum(notices_of(Application.id)),
                func.sum(notices_of(Application.id, breach_only=True)),
                func.sum(visits_beyond_promise_of(Application.id)),
                func.count(rating_score_of(Application.id)),
                func.coalesce(func.sum(rating_score_of(Application.id)), 0),
            )
            .where(submitted)
            .group_by(day, Application.service_code, Application.status),
        )
    )

    tasks = task_counts()
    keys = (day, col(Application.service_code), col(Task.department), col(Task.item_code), col(Task.status))
    session.execute(
        insert(TaskDayCounts).from_select(
            ["day", "service_code", "department", "item_code", "status", *tasks, "decided_late"],
            select_columns(*keys, *tasks.values(), count_if(decided_late()))
            .select_from(Task)
            .join(Application, col(Application.id) == Task.application_id)
            .where(submitted)
            .group_by(*keys),
        )
    )

    involved = (
        select(day.label("day"), Application.service_code, Task.department, Task.application_id)
        .select_from(Task)
        .join(Application, col(Application.id) == Task.application_id)
        .where(submitted)
        .distinct()
        .subquery()
    )
    involved_keys = (involved.c.day, involved.c.service_code, involved.c.department)
    session.execute(
        insert(DepartmentDayCases).from_select(
            ["day", "service_code", "department", "applications", "notices", "second_notices", "visits_beyond_promise"],
            select_columns(
                *involved_keys,
                func.count(),
                func.sum(notices_of(involved.c.application_id)),
                func.sum(notices_of(involved.c.application_id, breach_only=True)),
                func.sum(visits_beyond_promise_of(involved.c.application_id)),
            ).group_by(*involved_keys),
        )
    )
