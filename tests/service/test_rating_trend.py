"""The ratings trend reads the metrics rollup; it must equal a count over the ratings themselves.

The independent count below joins each rating to its application in Python and groups by the China
day of submission, as the trend did before the rollup held ratings.
"""

from collections import Counter
from datetime import date

import pytest
from sqlmodel import select

from seeding import SeedOptions
from services import clock
from services.applications.submission import rate_application
from services.cockpit.scope import Scope
from services.cockpit.trends import period_start, trend
from services.metrics import refresh_rollup
from services.models import Application, Rating, User
from tests.conftest import seeded_city_session

AS_OF = date(2026, 11, 22)
OPTIONS = SeedOptions(applications=60, slow_cases=20, seed=7, as_of=AS_OF)
RATEABLE = {"completed", "partially_completed", "rejected"}


@pytest.fixture
def city(tmp_path, migrated_template, catalog):
    with seeded_city_session(tmp_path, migrated_template, catalog, OPTIONS) as session:
        refresh_rollup(session=session, full=True)
        yield session


def counted(session, catalog, grain: str, department: str | None = None) -> dict[date, tuple[int, float]]:
    """(ratings, mean score) per period of submission, from the rating rows and their applications."""
    services = {s.code for s in catalog.for_department(department)} if department else None
    applications = {a.id: a for a in session.exec(select(Application)).all()}
    n: Counter[date] = Counter()
    total: Counter[date] = Counter()
    for rating in session.exec(select(Rating)).all():
        application = applications.get(rating.application_id)
        if application is None or (services is not None and application.service_code not in services):
            continue
        start = period_start(clock.to_china(application.submitted_at).date(), grain)
        n[start] += 1
        total[start] += rating.score
    return {start: (n[start], total[start] / n[start]) for start in n}


def trended(session, catalog, grain: str, department: str | None = None) -> dict[date, tuple[int, float]]:
    points = trend(session=session, catalog=catalog, scope=Scope(None, None, department), measure="rating", grain=grain)
    assert all(p.value is None for p in points if p.base == 0), "a period without ratings has no mean"
    return {p.start: (p.base, p.value) for p in points if p.base}


def assert_same(trended_points, counted_points) -> None:
    assert {start: n for start, (n, _) in trended_points.items()} == {
        start: n for start, (n, _) in counted_points.items()
    }
    for start, (_, mean) in counted_points.items():
        assert trended_points[start][1] == pytest.approx(mean)


def assert_trend_equals_the_ratings(session, catalog) -> None:
    for grain in ("day", "week", "month"):
        assert_same(trended(session, catalog, grain), counted(session, catalog, grain))
    applications = session.exec(select(Application)).all()
    departments = {d for a in applications for d in catalog.service(a.service_code).departments}
    for department in sorted(departments):
        assert_same(trended(session, catalog, "month", department), counted(session, catalog, "month", department))


def test_the_ratings_trend_from_the_rollup_equals_a_count_over_the_ratings(city, catalog):
    session = city
    assert counted(session, catalog, "month"), "the seed rates some applications"
    assert_trend_equals_the_ratings(session, catalog)


def test_a_new_rating_reaches_the_trend_by_the_next_refresh_and_a_full_one_agrees(city, catalog):
    session = city
    rated = set(session.exec(select(Rating.application_id)).all())
    unrated = [
        a
        for a in session.exec(select(Application).order_by(Application.id)).all()
        if a.status in RATEABLE and a.id not in rated
    ]
    assert len(unrated) >= 2, "the seed leaves some finished applications unrated"
    before = counted(session, catalog, "month")
    for application, score in zip(unrated[:2], (1, 4), strict=True):
        applicant = session.get(User, application.applicant_id)
        rate_application(session=session, actor=applicant, key=application.key, catalog=catalog, score=score)

    report = refresh_rollup(session=session)
    assert not report.full
    assert counted(session, catalog, "month") != before
    assert_trend_equals_the_ratings(session, catalog)

    refresh_rollup(session=session, full=True)
    assert_trend_equals_the_ratings(session, catalog)
