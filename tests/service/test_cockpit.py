"""The cockpit's figures on a seeded city, against counts made here from the cases' rows in plain Python.

Nothing of services/metrics or services/cockpit counts the expected numbers: the rows are read whole
and counted with China dates worked out by `clock.to_china`, so a wrong condition or a wrong day in
the SQL shows as a difference.
"""

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from seeding import SeedOptions
from services import clock
from services.casework import desk
from services.cockpit.case_view import supervised_case
from services.cockpit.drill import PAGE_SIZE, list_cases
from services.cockpit.overview import case_mix, live_counts
from services.cockpit.scope import Scope, watched_scope
from services.cockpit.trends import period_start, trend
from services.errors import NotAllowed, NotFound
from services.metrics import read_metrics, refresh_rollup
from services.models import Application, Role, Task, Visit
from services.workflow.case_types import case_types
from tests.conftest import seeded_city_session
from tests.factories import make_staff
from tests.sample import submitted

AS_OF = date(2026, 11, 22)
OPTIONS = SeedOptions(applications=48, slow_cases=40, seed=11, as_of=AS_OF)
FINISHED = {"completed", "partially_completed"}
DECIDED = {"approved", "delivered", "rejected"}


def china_day(moment: datetime | None) -> date | None:
    return clock.to_china(moment).date() if moment else None


@pytest.fixture(scope="module")
def city(tmp_path_factory, migrated_template, catalog):
    """One seeded city for the module's tests, which only read it."""
    folder = tmp_path_factory.mktemp("cockpit")
    with seeded_city_session(folder, migrated_template, catalog, OPTIONS) as session:
        refresh_rollup(session=session, full=True)
        yield session


def _cases(session):
    applications = {a.id: a for a in session.exec(select(Application)).all() if a.submitted_at is not None}
    tasks = [t for t in session.exec(select(Task)).all() if t.case_kind == "application"]
    visited = {v.application_id for v in session.exec(select(Visit)).all()}
    return applications, tasks, visited


def department_tasks(tasks, applications, catalog, department: str) -> list:
    """The department's tasks on applications of its own services: the cases its figures count."""
    services = {s.code for s in catalog.for_department(department)}
    return [
        t
        for t in tasks
        if t.department == department
        and t.application_id in applications
        and applications[t.application_id].service_code in services
    ]


def test_the_department_figures_and_their_lists_equal_counts_from_the_cases(city, catalog):
    session = city
    applications, tasks, _ = _cases(session)
    metrics = read_metrics(session=session, catalog=catalog)
    checked = 0
    for figures in metrics.departments:
        department = figures.department
        mine = department_tasks(tasks, applications, catalog, department)
        base = [t for t in mine if t.status in DECIDED and t.deadline is not None]
        in_time = [t for t in base if china_day(t.decided_at) <= t.deadline]
        decided = [t for t in mine if t.status in DECIDED]
        same_day = [t for t in decided if china_day(t.decided_at) == t.started_on]
        assert figures.count == len(mine)
        assert figures.rates.on_time == (len(in_time) / len(base) if base else None)
        assert figures.rates.same_day == (len(same_day) / len(decided) if decided else None)

        listed = list_cases(
            session=session, catalog=catalog, scope=Scope(None, None, department), kind="application", measure="on_time"
        )
        assert (listed.total, listed.met) == (len(base), len(in_time))
        assert {row.task.id for row in listed.rows} <= {t.id for t in base}
        assert len(listed.rows) == min(len(base), PAGE_SIZE)
        checked += bool(base)
    assert checked >= 3, "the seed decided tasks with deadlines in several departments"


def test_the_city_rates_and_their_lists_count_the_finished_applications(city, catalog):
    session = city
    applications, _, visited = _cases(session)
    finished = [a for a in applications.values() if a.status in FINISHED]
    with_deadline = [a for a in finished if a.deadline is not None]
    in_time = [a for a in with_deadline if china_day(a.closed_at) <= a.deadline]
    no_visit = [a for a in finished if a.id not in visited]
    rates = read_metrics(session=session, catalog=catalog).overall.rates
    assert rates.on_time == len(in_time) / len(with_deadline)
    assert rates.zero_visit == len(no_visit) / len(finished)
    everywhere = Scope(None, None, None)
    on_time = list_cases(session=session, catalog=catalog, scope=everywhere, kind="application", measure="on_time")
    zero = list_cases(session=session, catalog=catalog, scope=everywhere, kind="application", measure="zero_visit")
    assert (on_time.total, on_time.met) == (len(with_deadline), len(in_time))
    assert (zero.total, zero.met) == (len(finished), len(no_visit))
    assert all(row.task is None for row in on_time.rows)


def test_monthly_trends_count_each_month_of_submission(city, catalog):
    session = city
    applications, _, _ = _cases(session)
    by_month = Counter(period_start(china_day(a.submitted_at), "month") for a in applications.values())
    finished_by_month: dict[date, list] = {}
    for a in applications.values():
        if a.status in FINISHED and a.deadline is not None:
            finished_by_month.setdefault(period_start(china_day(a.submitted_at), "month"), []).append(a)
    everywhere = Scope(None, None, None)

    submitted_points = trend(session=session, catalog=catalog, scope=everywhere, measure="submitted", grain="month")
    assert {p.start: p.value for p in submitted_points if p.value} == dict(by_month)
    assert [p.start for p in submitted_points] == sorted({p.start for p in submitted_points})

    on_time = {
        p.start: p.value
        for p in trend(session=session, catalog=catalog, scope=everywhere, measure="on_time", grain="month")
    }
    for month, rows in finished_by_month.items():
        assert on_time[month] == sum(china_day(a.closed_at) <= a.deadline for a in rows) / len(rows)


def test_a_trend_covers_the_period_asked_for_day_by_day_and_week_by_week(city, catalog):
    session = city
    period = Scope(date(2026, 10, 1), date(2026, 10, 31), None)
    days = trend(session=session, catalog=catalog, scope=period, measure="submitted", grain="day")
    weeks = trend(session=session, catalog=catalog, scope=period, measure="submitted", grain="week")
    assert [p.start for p in days] == [date(2026, 10, 1) + timedelta(days=n) for n in range(31)]
    assert weeks[0].start == date(2026, 9, 28) and weeks[-1].start == date(2026, 10, 26)  # Mondays
    assert sum(p.value for p in days) == sum(p.value for p in weeks)
    assert sum(p.value for p in days) == read_metrics(session=session, catalog=catalog, **vars(period)).overall.count


def test_the_mix_and_the_live_counters_count_every_registered_kind(city, catalog):
    session = city
    everywhere = Scope(None, None, None)
    mix = case_mix(session=session, catalog=catalog, scope=everywhere)
    assert [k.kind for k in mix] == list(case_types())
    today = clock.china_today()
    live = live_counts(session=session, catalog=catalog, scope=everywhere)
    every_task = session.exec(select(Task)).all()
    for kind, late in zip(mix, live.overdue, strict=True):
        model = case_types()[kind.kind].model
        assert kind.count == sum(row.submitted_at is not None for row in session.exec(select(model)).all())
        counting = case_types()[kind.kind].task_lists.counting
        expected = [
            t
            for t in every_task
            if t.case_kind == kind.kind
            and t.status in counting
            and t.deadline is not None
            and t.deadline < (t.paused_since or today)
        ]
        assert late.count == len(expected)
        listed = list_cases(session=session, catalog=catalog, scope=everywhere, kind=kind.kind, measure="overdue")
        assert listed.total == len(expected)
    assert sum(k.count for k in mix) > 0 and live.total_overdue > 0


def test_a_department_supervisor_watches_their_department_only(session, catalog, store):
    amr = make_staff(session, Role.SUPERVISOR, "AMR")
    city = make_staff(session, Role.SUPERVISOR)
    clerk = make_staff(session, Role.CLERK, "HRSS")
    front_desk = make_staff(session, Role.FRONT_DESK)
    _, application = submitted(session, catalog, store, "330100-HRSS-011")
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)

    assert watched_scope(actor=amr, catalog=catalog, since=None, until=None, department=None).department == "AMR"
    with pytest.raises(NotAllowed):
        watched_scope(actor=amr, catalog=catalog, since=None, until=None, department="HRSS")
    with pytest.raises(NotAllowed):
        watched_scope(actor=clerk, catalog=catalog, since=None, until=None, department=None)
    with pytest.raises(NotFound):
        supervised_case(session=session, actor=amr, catalog=catalog, kind="application", number=application.number)
    seen = supervised_case(session=session, actor=city, catalog=catalog, kind="application", number=application.number)
    assert [t.department for t in seen.tasks] == ["HRSS"]
    assert [(e.from_status, e.to_status) for e in seen.events if e.application_id and e.task_id is None][-2:] == [
        ("draft", "submitted"),
        ("submitted", "accepted"),
    ]
    with pytest.raises(NotFound):
        supervised_case(session=session, actor=city, catalog=catalog, kind="no_such_kind", number=application.number)
