"""The rollup gives the dashboard exactly the figures of the direct count, and stays current cheaply.

A small city of varied cases is worked through the real services on a frozen
clock; `read_metrics` after `refresh_rollup` must equal `compute_metrics` (the
reference) for every period and department asked, before and after the cases
move on, and as the days pass with no change at all.
"""

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlmodel import select

from services import clock
from services.applications.drafts import start_draft
from services.applications.submission import resubmit_application, withdraw_application
from services.casework import desk, tasks
from services.db import make_engine, new_session
from services.metrics import REFRESH_OVERLAP, read_metrics, refresh_rollup
from services.models import Application, Role, Task, User
from services.uploads import FileStore
from tests.conftest import CHINA, FROZEN_START, SERVER_URL, _server_database, migrated_database
from tests.factories import make_citizen, make_staff
from tests.metrics_reference import compute_metrics
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"  # promised 3 working days, zero visits
INSTANT_ITEM = "330100-CIVIL-001"  # decided at acceptance
ONE_VISIT_ITEM = "330100-PSB-007"  # promised 7 working days, one visit allowed
NEWBORN = "BUNDLE-NEWBORN"  # HEALTH, PSB, HCSA and HRSS tasks, some waiting on others

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (date(2026, 11, d) for d in (2, 3, 4, 5))
NEXT_TUESDAY = date(2026, 11, 10)


@dataclass
class City:
    cases: dict[str, Application]
    applicants: dict[str, object]
    front_desk: object
    supervisor: object

    def clerk(self, session, department):
        return make_staff(session, Role.CLERK, department)


def tasks_of(session, application) -> dict[str, Task]:
    session.expire_all()
    return {t.item_code: t for t in session.exec(select(Task).where(Task.application_id == application.id))}


def decide(session, catalog, clerk, task, approve=True):
    tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    if approve:
        tasks.approve_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    else:
        tasks.reject_task(session=session, actor=clerk, key=task.key, catalog=catalog, reason="不符合办理条件")


def notice(session, catalog, front_desk, application, new_fact=None):
    material = catalog.service(application.service_code).materials[0].key
    desk.issue_notice(
        session=session,
        actor=front_desk,
        key=application.key,
        catalog=catalog,
        items=[desk.NoticeItem("material", material, "扫描件不清晰")],
        new_fact=new_fact,
    )


def build_city(session, catalog, store, frozen) -> City:
    """Cases in every state over four submission days, two of them either side of China's midnight."""

    def at(year, month, day, hour=9, minute=0):
        frozen.set(datetime(year, month, day, hour, minute, tzinfo=CHINA))

    front_desk = make_staff(session, Role.FRONT_DESK)
    supervisor = make_staff(session, Role.SUPERVISOR)
    cases, applicants = {}, {}

    def submit(name, code):
        applicants[name], cases[name] = submitted(session, catalog, store, code)
        return cases[name]

    def accept(name):
        desk.accept_application(session=session, actor=front_desk, key=cases[name].key, catalog=catalog)

    clerks = {}

    def clerk(department):
        return clerks.setdefault(department, make_staff(session, Role.CLERK, department))

    # Monday 2 November
    for name in ("on_time", "late", "open", "extended"):
        submit(name, THREE_DAY_ITEM)
        accept(name)
    session.execute(update(Application).where(Application.id == cases["open"].id).values(channel="window"))
    session.commit()
    decide(session, catalog, clerk("TRANSPORT"), tasks_of(session, cases["on_time"])[THREE_DAY_ITEM])
    extended = tasks_of(session, cases["extended"])[THREE_DAY_ITEM]
    tasks.claim_task(session=session, actor=clerk("TRANSPORT"), key=extended.key, catalog=catalog)
    tasks.request_extension(
        session=session, actor=clerk("TRANSPORT"), key=extended.key, catalog=catalog, days=5, reason="需现场核验"
    )
    tasks.decide_extension(session=session, actor=supervisor, key=extended.key, catalog=catalog, grant=True)
    submit("instant", INSTANT_ITEM)
    accept("instant")
    noticed = submit("noticed", THREE_DAY_ITEM)
    notice(session, catalog, front_desk, noticed)
    resubmit_application(session=session, actor=applicants["noticed"], key=noticed.key, catalog=catalog)
    notice(session, catalog, front_desk, noticed, new_fact="申请人更换了车辆")  # a second notice: a breach
    submit("newborn", NEWBORN)
    accept("newborn")
    birth = tasks_of(session, cases["newborn"])
    decide(session, catalog, clerk("HEALTH"), birth["330100-HEALTH-001"])
    hukou = tasks_of(session, cases["newborn"])["330100-PSB-001"]
    tasks.claim_task(session=session, actor=clerk("PSB"), key=hukou.key, catalog=catalog)
    tasks.suspend_task(
        session=session,
        actor=clerk("PSB"),
        key=hukou.key,
        catalog=catalog,
        procedure="site_inspection",
        reason="需实地核查",
    )
    withdrawn = submit("withdrawn", THREE_DAY_ITEM)
    withdraw_application(session=session, actor=applicants["withdrawn"], key=withdrawn.key, catalog=catalog)
    refused = submit("refused", THREE_DAY_ITEM)
    desk.refuse_application(session=session, actor=front_desk, key=refused.key, catalog=catalog, reason="不属于本窗口")

    at(2026, 11, 3)
    desk.record_visit(session=session, actor=front_desk, key=cases["late"].key, catalog=catalog, purpose="核验原件")
    submit("rejected", ONE_VISIT_ITEM)
    accept("rejected")
    desk.record_visit(
        session=session, actor=front_desk, key=cases["rejected"].key, catalog=catalog, purpose="核验原件"
    )  # within the promise of one visit
    decide(session, catalog, clerk("PSB"), tasks_of(session, cases["rejected"])[ONE_VISIT_ITEM], approve=False)
    correcting = submit("correcting", THREE_DAY_ITEM)
    accept("correcting")
    tasks.claim_task(
        session=session,
        actor=clerk("TRANSPORT"),
        catalog=catalog,
        key=tasks_of(session, correcting)[THREE_DAY_ITEM].key,
    )
    notice(session, catalog, front_desk, correcting)  # after acceptance: the task's clock pauses

    at(2026, 11, 4, 23, 59)
    submit("before_midnight", THREE_DAY_ITEM)
    at(2026, 11, 5, 0, 1)
    submit("after_midnight", INSTANT_ITEM)
    accept("after_midnight")
    submit("waiting", THREE_DAY_ITEM)
    accept("waiting")

    at(2026, 11, 10)
    decide(session, catalog, clerk("TRANSPORT"), tasks_of(session, cases["late"])[THREE_DAY_ITEM])
    start_draft(session=session, actor=make_citizen(session), service_code=THREE_DAY_ITEM, catalog=catalog)
    frozen.advance(timedelta(hours=1))  # a quiet hour: the first refresh starts after the last change
    return City(cases, applicants, front_desk, supervisor)


@pytest.fixture(scope="module")
def built_city(tmp_path_factory, migrated_template, catalog):
    """The city is built once for the module (a second of services); each test works on a copy of it."""
    folder = tmp_path_factory.mktemp("city")
    previous = clock.current_clock()
    frozen = clock.FrozenClock(FROZEN_START)
    clock.use_clock(frozen)
    try:
        with migrated_database(folder, migrated_template) as url:
            engine = make_engine(url)
            with new_session(engine) as session:
                city = build_city(session, catalog, FileStore(folder / "files"), frozen)
                # Its rows by id: each test reads them back from its own copy.
                ids = City(
                    cases={name: case.id for name, case in city.cases.items()},
                    applicants={name: person.id for name, person in city.applicants.items()},
                    front_desk=city.front_desk.id,
                    supervisor=city.supervisor.id,
                )
            engine.dispose()
            yield url, ids, frozen.now()
    finally:
        clock.use_clock(previous)


@pytest.fixture
def engine(built_city, tmp_path):
    """A copy of the built city's database: the rollup's tests change it."""
    url = built_city[0]
    if SERVER_URL:
        copy = _server_database(template=make_url(url).database)
    else:
        copy = nullcontext(f"sqlite:///{shutil.copyfile(make_url(url).database, tmp_path / 'city.db')}")
    with copy as copied_url:
        engine = make_engine(copied_url)
        yield engine
        engine.dispose()


@pytest.fixture
def city(built_city, session, frozen) -> City:
    """The built city's people and cases, read from this test's copy, at the moment it was finished."""
    _, ids, finished = built_city
    frozen.set(finished)
    return City(
        cases={name: session.get(Application, id_) for name, id_ in ids.cases.items()},
        applicants={name: session.get(User, id_) for name, id_ in ids.applicants.items()},
        front_desk=session.get(User, ids.front_desk),
        supervisor=session.get(User, ids.supervisor),
    )


def periods(catalog) -> list[dict]:
    asked = [
        {},
        {"since": TUESDAY, "until": WEDNESDAY},
        {"since": THURSDAY},
        {"until": MONDAY},
        {"since": NEXT_TUESDAY},
        {"department": "TRANSPORT", "since": TUESDAY},
    ]
    return asked + [{"department": code} for code in catalog.departments]


def assert_rollup_matches(session, catalog) -> None:
    for asked in periods(catalog):
        assert read_metrics(session=session, catalog=catalog, **asked) == compute_metrics(
            session=session, catalog=catalog, **asked
        ), asked


def test_the_rollup_gives_exactly_the_direct_figures(session, catalog, city):
    report = refresh_rollup(session=session)
    assert report.full and report.days == [MONDAY, TUESDAY, WEDNESDAY, THURSDAY]
    assert_rollup_matches(session, catalog)

    # The city is varied enough for the comparison to mean something.
    figures = compute_metrics(session=session, catalog=catalog)
    assert figures.overall.count == 14
    assert set(figures.overall.by_status) == {
        "completed",
        "in_review",
        "needs_correction",
        "suspended",
        "submitted",
        "withdrawn",
        "not_accepted",
        "rejected",
        "accepted",
    }
    assert figures.overall.breaches.second_notices == 1 and figures.overall.breaches.visits_beyond_promise == 1
    assert figures.overall.breaches.overdue_tasks == 2  # decided late, and open past its deadline
    assert {d.department for d in figures.departments if d.count} == {
        "TRANSPORT",
        "CIVIL",
        "PSB",
        "HEALTH",
        "HCSA",
        "HRSS",
    }
    midnight = compute_metrics(session=session, catalog=catalog, since=THURSDAY, until=THURSDAY)
    assert midnight.overall.count == 2  # 00:01 on Thursday and later; 23:59 on Wednesday counts for Wednesday


def test_changes_show_after_a_refresh_of_only_the_days_they_touch(session, catalog, city, frozen):
    refresh_rollup(session=session)
    frozen.advance(timedelta(hours=1))
    open_task = tasks_of(session, city.cases["open"])[THREE_DAY_ITEM]  # submitted Monday
    decide(session, catalog, city.clerk(session, "TRANSPORT"), open_task)
    desk.record_visit(
        session=session,
        actor=city.front_desk,
        key=city.cases["before_midnight"].key,
        catalog=catalog,
        purpose="补交原件",
    )  # submitted Wednesday 23:59
    assert read_metrics(session=session, catalog=catalog) != compute_metrics(session=session, catalog=catalog)

    frozen.advance(REFRESH_OVERLAP + timedelta(minutes=1))
    report = refresh_rollup(session=session)
    assert not report.full and report.days == [MONDAY, WEDNESDAY]
    assert_rollup_matches(session, catalog)
    # The next refresh looks from a little before this one started: past the changes, so nothing is left.
    assert refresh_rollup(session=session).days == []


def test_a_change_stamped_just_before_a_refresh_but_committed_after_it_is_not_lost(session, catalog, city, frozen):
    refresh_rollup(session=session)
    started = frozen.now()
    # As a request that began two minutes before the refresh and committed after it stamps its change.
    frozen.set(started - timedelta(minutes=2))
    tasks.claim_task(
        session=session,
        actor=city.clerk(session, "TRANSPORT"),
        catalog=catalog,
        key=tasks_of(session, city.cases["waiting"])[THREE_DAY_ITEM].key,
    )
    frozen.set(started + timedelta(minutes=1))
    assert refresh_rollup(session=session).days == [THURSDAY]
    assert_rollup_matches(session, catalog)


def test_a_clock_set_back_does_not_hide_its_changes(session, catalog, city, frozen):
    frozen.advance(timedelta(days=2))
    refresh_rollup(session=session)
    frozen.advance(timedelta(days=-2))  # as a replayed journey's virtual clock may
    desk.record_visit(
        session=session,
        actor=city.front_desk,
        key=city.cases["before_midnight"].key,
        catalog=catalog,
        purpose="补交原件",
    )
    assert refresh_rollup(session=session).days == [WEDNESDAY]
    assert_rollup_matches(session, catalog)


def test_open_tasks_turn_overdue_as_days_pass_without_any_refresh(session, catalog, city, frozen):
    refresh_rollup(session=session)
    before = read_metrics(session=session, catalog=catalog).overall.breaches.overdue_tasks
    frozen.advance(timedelta(days=10))
    assert_rollup_matches(session, catalog)
    after = read_metrics(session=session, catalog=catalog).overall.breaches.overdue_tasks
    assert after > before  # the extended and the waiting tasks ran out of time; the paused ones did not


def test_a_bulk_write_needs_a_full_refresh(session, catalog, city, frozen):
    """Rows written around the workflow (a seed's bulk load) keep their old updated_at: only full=True sees them."""
    refresh_rollup(session=session)
    frozen.advance(timedelta(hours=1))
    session.execute(update(Application).where(Application.id == city.cases["instant"].id).values(channel="window"))
    session.commit()
    assert refresh_rollup(session=session).days == []
    assert read_metrics(session=session, catalog=catalog) != compute_metrics(session=session, catalog=catalog)
    assert refresh_rollup(session=session, full=True).full
    assert_rollup_matches(session, catalog)


def test_two_refreshes_at_once_count_every_day_once(engine, session, catalog, city):
    def refresh(full):
        with new_session(engine) as own:
            return refresh_rollup(session=own, full=full)

    with ThreadPoolExecutor(max_workers=4) as workers:
        reports = list(workers.map(refresh, [True, False, True, False], timeout=120))
    assert sum(report.full for report in reports) >= 2  # all four finished; the first of them counted everything
    session.expire_all()
    assert_rollup_matches(session, catalog)  # a day counted twice would double its figures


# --- the dashboard and the command line ---------------------------------------------------


def test_the_dashboard_is_current_without_a_scheduled_refresh(web, db, app, catalog, frozen):
    front_desk = make_staff(db, Role.FRONT_DESK)
    store = app.extensions["file_store"]
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    _, first = submitted(db, catalog, store, INSTANT_ITEM)
    desk.accept_application(session=db, actor=front_desk, key=first.key, catalog=catalog)

    def submitted_figure():
        html = web.get("/supervisor", headers={"Accept-Language": "en"}).get_data(as_text=True)
        # The figure links to its cases (the cockpit's drill-down).
        return re.search(r"Applications submitted</dt>\s*<dd[^>]*><a [^>]*>(\d+)</a></dd>", html).group(1)

    assert submitted_figure() == "1"
    frozen.advance(timedelta(minutes=30))
    submitted(db, catalog, store, THREE_DAY_ITEM)
    assert submitted_figure() == "2"
    db.expire_all()
    assert read_metrics(session=db, catalog=catalog) == compute_metrics(session=db, catalog=catalog)


def test_the_refresh_command(app, db, catalog, store, frozen):
    from web.cli_ops import register_ops_commands

    register_ops_commands(app)
    cli = app.test_cli_runner()
    submitted(db, catalog, store, INSTANT_ITEM)
    frozen.advance(timedelta(hours=1))
    first = cli.invoke(args=["metrics", "refresh"])
    assert first.exit_code == 0, first.output
    assert first.output == "recounted every day: 1 day (2026-11-02)\n"
    frozen.set(datetime(2026, 11, 3, 9, 0, tzinfo=CHINA))
    submitted(db, catalog, store, INSTANT_ITEM)
    assert cli.invoke(args=["metrics", "refresh"]).output == "recounted 1 changed day (2026-11-03)\n"
    frozen.advance(timedelta(hours=1))
    cli.invoke(args=["metrics", "refresh"])
    assert cli.invoke(args=["metrics", "refresh"]).output == "no day changed since the last refresh\n"
    assert (
        cli.invoke(args=["metrics", "refresh", "--full"]).output
        == "recounted every day: 2 days (2026-11-02, 2026-11-03)\n"
    )
    db.expire_all()
    assert read_metrics(session=db, catalog=catalog) == compute_metrics(session=db, catalog=catalog)
