"""The SQL the figures are counted with, shared by the direct count and the rollup so they cannot drift apart."""

from datetime import date, datetime, time

from sqlalchemy import Date, and_, case, exists, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select

from services import clock
from services.models import Application, ApplicationStatus, Notice, Rating, Task, TaskStatus, Visit
from services.models.cases import ONLINE_CHANNEL

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


def china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.CHINA)


def count_if(condition):
    return func.count(case((condition, 1)))


def _without_visit(application_id) -> ColumnElement:
    return not_(exists().where(Visit.application_id == application_id))


def at_most_one_visit(application_id) -> ColumnElement:
    # 最多跑一次: an assisted filing is its one visit (services/casework/assisted.py).
    visits = select(func.count()).select_from(Visit).where(Visit.application_id == application_id).scalar_subquery()
    return visits <= 1


def application_counts() -> dict[str, ColumnElement]:
    """Aggregates over applications, named as the columns of ApplicationDayCounts."""
    finished = col(Application.status).in_(FINISHED)
    has_deadline = and_(finished, col(Application.deadline).is_not(None))
    closed_on = china_date(Application.closed_at)
    return {
        "submitted": func.count(),
        "online": count_if(Application.channel == ONLINE_CHANNEL),
        "finished": count_if(finished),
        "finished_without_visit": count_if(and_(finished, _without_visit(Application.id))),
        "finished_at_most_one_visit": count_if(and_(finished, at_most_one_visit(Application.id))),
        "finished_with_deadline": count_if(has_deadline),
        "finished_in_time": count_if(and_(has_deadline, closed_on <= Application.deadline)),
        "finished_same_day": count_if(and_(finished, closed_on == Application.accepted_on)),
        "accepted": count_if(col(Application.accepted_at).is_not(None)),
    }


def task_counts() -> dict[str, ColumnElement]:
    """Aggregates over tasks joined to their applications, named as the columns of TaskDayCounts."""
    decided = col(Task.status).in_(DECIDED)
    has_deadline = and_(decided, col(Task.deadline).is_not(None))
    decided_on = china_date(Task.decided_at)
    application_finished = col(Application.status).in_(FINISHED)
    return {
        "tasks": func.count(),
        "online": count_if(Application.channel == ONLINE_CHANNEL),
        "application_finished": count_if(application_finished),
        "application_finished_without_visit": count_if(and_(application_finished, _without_visit(Task.application_id))),
        "application_finished_at_most_one_visit": count_if(
            and_(application_finished, at_most_one_visit(Task.application_id))
        ),
        "decided": count_if(decided),
        "decided_with_deadline": count_if(has_deadline),
        "decided_in_time": count_if(and_(has_deadline, decided_on <= Task.deadline)),
        "decided_same_day": count_if(and_(decided, decided_on == Task.started_on)),
    }


def open_late(today: date) -> ColumnElement:
    # A paused clock stopped on paused_since: the task is late only if it was late by then.
    return and_(
        col(Task.status).in_(TaskStatus.OPEN),
        col(Task.deadline).is_not(None),
        Task.deadline < func.coalesce(Task.paused_since, today),
    )


def decided_late() -> ColumnElement:
    # Fixed once decided, so the rollup keeps it; only open tasks turn late as days pass.
    return and_(
        col(Task.status).in_(DECIDED), col(Task.deadline).is_not(None), china_date(Task.decided_at) > Task.deadline
    )


def overdue(today: date) -> ColumnElement:
    return or_(open_late(today), decided_late())


def notices_of(application_id, *, breach_only: bool = False):
    """The notices issued on one application (only the second ones, the breaches, if asked), as a subquery."""
    query = select(func.count()).select_from(Notice).where(Notice.application_id == application_id)
    return (query.where(Notice.breach) if breach_only else query).scalar_subquery()


def visits_beyond_promise_of(application_id):
    return (
        select(func.count())
        .select_from(Visit)
        .where(Visit.application_id == application_id, Visit.beyond_promise)
        .scalar_subquery()
    )


def rating_score_of(application_id):
    """The score of one application's rating (NULL when unrated), as a subquery: counted and summed by the rollup."""
    return select(Rating.score).where(Rating.application_id == application_id).scalar_subquery()
