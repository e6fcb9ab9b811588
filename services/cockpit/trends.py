"""The reform's figures over time: one point per day, week or month of submission, from the metrics rollup.

Each point's rates come out of the same arithmetic as the dashboard's figures (a Tally of the
rollup's counts), so the points of a period add up to what the dashboard shows for it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as select_columns  # sqlmodel's select is typed for at most four columns
from sqlmodel import Session, col

from services.catalog import Catalog
from services.cockpit.scope import Scope
from services.errors import Invalid
from services.i18n import N_
from services.metrics.figures import Tally, application_tally, shown_departments
from services.metrics.read import APPLICATION_COUNTS, Period
from services.models import ApplicationDayCounts, TaskDayCounts

MEASURES = ("submitted", "zero_visit", "on_time", "same_day", "compression", "rating")
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class TrendPoint:
    start: date  # the first day of the day, week (Monday) or month
    value: float | None  # a count, a rate in [0, 1], a mean score; None when nothing could be counted
    base: int  # what the value was counted over: applications, finished ones, ratings…


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def period_end(start: date, grain: str) -> date:
    """The last day of the day, week or month starting on `start`."""
    return _next_start(start, grain) - timedelta(days=1)


def _next_start(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _period(scope: Scope, catalog: Catalog) -> Period:
    services = [s.code for s in catalog.for_department(scope.department)] if scope.department else None
    return Period(scope.since, scope.until, services)


def _tallies(session: Session, scope: Scope, catalog: Catalog, grain: str) -> dict[date, Tally]:
    """Per period, the tally of the applications submitted in it (as read_metrics counts the whole period)."""
    period = _period(scope, catalog)
    counts: dict[date, Counter[str]] = {}
    for day, *values in session.execute(
        select_columns(
            col(ApplicationDayCounts.day), *(func.sum(getattr(ApplicationDayCounts, n)) for n in APPLICATION_COUNTS)
        )
        .where(*period.where(ApplicationDayCounts))
        .group_by(col(ApplicationDayCounts.day))
    ).all():
        counts.setdefault(period_start(day, grain), Counter()).update(
            dict(zip(APPLICATION_COUNTS, values, strict=True))
        )
    # The time compression weighs each item by its tasks, over the departments shown (as the dashboard does).
    per_item: dict[date, Counter[str]] = {}
    for day, item_code, tasks in session.execute(
        select_columns(col(TaskDayCounts.day), col(TaskDayCounts.item_code), func.sum(TaskDayCounts.tasks))
        .where(
            *period.where(TaskDayCounts),
            col(TaskDayCounts.department).in_(shown_departments(catalog, scope.department)),
        )
        .group_by(col(TaskDayCounts.day), col(TaskDayCounts.item_code))
    ).all():
        per_item.setdefault(period_start(day, grain), Counter())[item_code] += tasks
    return {
        start: application_tally(counts.get(start, Counter()), per_item=per_item.get(start, Counter()))
        for start in counts.keys() | per_item.keys()
    }


def _ratings(session: Session, scope: Scope, catalog: Catalog, grain: str) -> dict[date, tuple[int, int]]:
    """Per period of submission, (how many ratings, their total score) of the applications rated, from the rollup."""
    ratings: dict[date, tuple[int, int]] = {}
    for day, n, total in session.execute(
        select_columns(
            col(ApplicationDayCounts.day),
            func.sum(ApplicationDayCounts.rated),
            func.sum(ApplicationDayCounts.rating_score),
        )
        .where(*_period(scope, catalog).where(ApplicationDayCounts))
        .group_by(col(ApplicationDayCounts.day))
    ).all():
        start = period_start(day, grain)
        before = ratings.get(start, (0, 0))
        ratings[start] = (before[0] + n, before[1] + total)
    return ratings


def _point(start: date, measure: str, tally: Tally | None, rating: tuple[int, int] | None, catalog: Catalog):
    if measure == "rating":
        n, total = rating or (0, 0)
        return TrendPoint(start, total / n if n else None, n)
    tally = tally or Tally()
    if measure == "submitted":
        return TrendPoint(start, tally.count, tally.count)
    rates = tally.rates(catalog)
    value, base = {
        "zero_visit": (rates.zero_visit, tally.finished),
        "on_time": (rates.on_time, tally.on_time_base),
        "same_day": (rates.same_day, tally.same_day_base),
        "compression": (rates.time_compression, sum(tally.per_item.values())),
    }[measure]
    return TrendPoint(start, value, base)


def trend(*, session: Session, catalog: Catalog, scope: Scope, measure: str, grain: str) -> list[TrendPoint]:
    """`measure` per `grain` over the scope's period, every period in it shown (an empty one as such)."""
    if measure not in MEASURES or grain not in GRAINS:
        raise Invalid(N_("no such figure"))
    tallies = _tallies(session, scope, catalog, grain) if measure != "rating" else {}
    ratings = _ratings(session, scope, catalog, grain) if measure == "rating" else {}
    span = _span(session, scope, catalog)
    if span is None:
        return []
    first, last = period_start(span[0], grain), period_start(span[1], grain)
    points = []
    start = first
    while start <= last:
        points.append(_point(start, measure, tallies.get(start), ratings.get(start), catalog))
        start = _next_start(start, grain)
    return points


def _span(session: Session, scope: Scope, catalog: Catalog) -> tuple[date, date] | None:
    """The days every measure's trend covers: the period asked for, its open ends closed by the first and last
    days anything was submitted (so the trends of one page line up); None when it is open and nothing was."""
    if scope.since is not None and scope.until is not None:
        return scope.since, scope.until
    first, last = session.execute(
        select_columns(func.min(ApplicationDayCounts.day), func.max(ApplicationDayCounts.day)).where(
            *_period(scope, catalog).where(ApplicationDayCounts)
        )
    ).one()
    if first is None:
        return None
    return scope.since or first, scope.until or last
