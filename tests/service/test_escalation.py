"""The escalation chain of the SLA sweep, on the working-day calendar: amber → the clerk, red → the
department's supervisor, N working days late → the city's supervisor; each step once, audited on the case."""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.audit import history
from services.audit_check import verify_chains
from services.casework import tasks
from services.catalog.model import SlaThreshold, SlaThresholds
from services.escalation import AMBER, CITY, RED
from services.models import Application, Notification, Role, Task
from services.sla import sweep
from services.workdays import add_override
from tests.factories import make_staff
from tests.service.test_sla import THREE_DAY_ITEM, accepted


@pytest.fixture
def front_desk(session):
    return make_staff(session, Role.FRONT_DESK)


@pytest.fixture
def people(session):
    return {
        "holder": make_staff(session, Role.CLERK, "TRANSPORT"),
        "colleague": make_staff(session, Role.CLERK, "TRANSPORT"),
        "supervisor": make_staff(session, Role.SUPERVISOR, "TRANSPORT"),
        "other_supervisor": make_staff(session, Role.SUPERVISOR, "HEALTH"),
        "city": make_staff(session, Role.SUPERVISOR),
    }


def told(session, people) -> dict[str, int]:
    return {
        name: session.exec(select(func.count()).select_from(Notification).where(Notification.user_id == user.id)).one()
        for name, user in people.items()
    }


def steps(session, task) -> list[str]:
    session.expire_all()
    application = session.get(Application, session.get(Task, task.id).application_id)
    return [event.event for event in history(session=session, case=application) if event.event in (AMBER, RED, CITY)]


def test_each_step_goes_up_once_and_is_audited_on_the_case(session, catalog, store, at, front_desk, people):
    _, task = accepted(session, catalog, store, front_desk)  # due Thursday 2026-11-05; the city hears at 3 days late
    tasks.claim_task(session=session, actor=people["holder"], key=task.key, catalog=catalog)
    quiet = told(session, people)

    at(2026, 11, 4)  # one working day left: amber, the holder is told
    assert sweep(session=session, catalog=catalog).notified == 1
    assert steps(session, task) == [AMBER]
    amber = told(session, people)
    assert {name: amber[name] - quiet[name] for name in people} == {
        "holder": 1,
        "colleague": 0,
        "supervisor": 0,
        "other_supervisor": 0,
        "city": 0,
    }

    at(2026, 11, 6)  # red: the department's supervisor, not yet the city
    sweep(session=session, catalog=catalog)
    assert steps(session, task) == [AMBER, RED]
    red = told(session, people)
    assert (red["supervisor"] - amber["supervisor"], red["city"], red["other_supervisor"]) == (1, 0, 0)

    at(2026, 11, 9)  # Monday: two working days late (Friday, Monday); the weekend does not count
    assert sweep(session=session, catalog=catalog).notified == 0
    assert steps(session, task) == [AMBER, RED]

    at(2026, 11, 10)  # three working days late: the city's supervisor is told
    assert sweep(session=session, catalog=catalog).notified == 1
    assert steps(session, task) == [AMBER, RED, CITY]
    city = told(session, people)
    assert (city["city"], city["supervisor"], city["holder"]) == (1, red["supervisor"], red["holder"])

    at(2026, 11, 20)  # later sweeps take no step twice
    assert sweep(session=session, catalog=catalog).notified == 0
    assert sweep(session=session, catalog=catalog).notified == 0
    assert steps(session, task) == [AMBER, RED, CITY]
    assert told(session, people) == city
    assert verify_chains(session=session).ok


def test_a_day_off_in_the_calendar_puts_the_city_step_off_by_a_day(session, catalog, store, at, front_desk, people):
    _, task = accepted(session, catalog, store, front_desk)
    add_override(session=session, actor=None, day=date(2026, 11, 10), kind="holiday", note="台风停工")
    at(2026, 11, 10)  # a day off now: still two working days late
    sweep(session=session, catalog=catalog)
    assert steps(session, task) == [RED]
    at(2026, 11, 11)
    sweep(session=session, catalog=catalog)
    assert steps(session, task) == [RED, CITY]


def test_the_catalogue_thresholds_move_the_amber_and_the_city_step(session, catalog, store, at, front_desk, people):
    own = SlaThreshold(amber_working_days=2, escalate_after_working_days=1)
    tuned = replace(catalog, sla=SlaThresholds(catalog.sla.default, {THREE_DAY_ITEM: own}))
    _, task = accepted(session, tuned, store, front_desk)  # due 2026-11-05

    at(2026, 11, 3)  # two working days left: amber for this item (by default it would still be green)
    sweep(session=session, catalog=tuned)
    assert steps(session, task) == [AMBER]
    session.expire_all()
    assert session.get(Task, task.id).sla_colour == "amber"

    at(2026, 11, 6)  # one working day late is enough for the city here
    sweep(session=session, catalog=tuned)
    assert steps(session, task) == [AMBER, RED, CITY]
    assert told(session, people)["city"] == 1


def test_a_task_decided_before_it_turns_red_is_not_escalated(session, catalog, store, at, front_desk, people):
    _, task = accepted(session, catalog, store, front_desk)
    tasks.claim_task(session=session, actor=people["holder"], key=task.key, catalog=catalog)
    tasks.approve_task(session=session, actor=people["holder"], key=task.key, catalog=catalog)
    at(2026, 11, 20)
    assert sweep(session=session, catalog=catalog).notified == 0
    assert steps(session, task) == []
