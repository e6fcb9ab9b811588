"""The SLA sweep on a frozen clock: colours change once, people hear once, expired tolerated gaps end."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.applications.submission import supplement_material
from services.audit_check import verify_chains
from services.casework import desk, tasks
from services.models import Application, ApplicationStatus, Notification, Role, Task, TaskStatus
from services.sla import SweepReport, sweep
from tests.conftest import PDF
from tests.factories import make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"
TOLERANT_ITEM = "330100-HRSS-003"  # personnel_file is a non-core material


@pytest.fixture
def front_desk(session):
    return make_staff(session, Role.FRONT_DESK)


def accepted(session, catalog, store, front_desk, code=THREE_DAY_ITEM, **kwargs) -> tuple[Application, Task]:
    applicant, application = submitted(session, catalog, store, code, **kwargs)
    desk.accept_application(
        session=session, actor=front_desk, key=application.key, catalog=catalog, tolerate=bool(kwargs.get("leave_out"))
    )
    session.expire_all()
    return applicant, session.exec(select(Task).where(Task.application_id == application.id)).one()


def messages(session, user) -> int:
    return session.exec(select(func.count()).select_from(Notification).where(Notification.user_id == user.id)).one()


def colour(session, task) -> str:
    session.expire_all()
    return session.get(Task, task.id).sla_colour


def test_a_task_turns_amber_then_red_and_each_change_is_announced_once(session, catalog, store, at, front_desk):
    _, task = accepted(session, catalog, store, front_desk)
    assert task.deadline == date(2026, 11, 5)
    first, second = make_staff(session, Role.CLERK, "TRANSPORT"), make_staff(session, Role.CLERK, "TRANSPORT")
    own_supervisor = make_staff(session, Role.SUPERVISOR, "TRANSPORT")
    city_supervisor = make_staff(session, Role.SUPERVISOR)
    other_supervisor = make_staff(session, Role.SUPERVISOR, "HEALTH")

    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)
    assert colour(session, task) == "green"

    at(2026, 11, 4)  # one working day left
    assert sweep(session=session, catalog=catalog) == SweepReport(recoloured=1, notified=1, terminated=0)
    assert colour(session, task) == "amber"
    assert (messages(session, first), messages(session, second)) == (1, 1)  # unclaimed: the department's clerks
    assert messages(session, own_supervisor) == 0
    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)

    tasks.claim_task(session=session, actor=first, key=task.key, catalog=catalog)
    at(2026, 11, 6)  # past the deadline
    assert sweep(session=session, catalog=catalog) == SweepReport(recoloured=1, notified=1, terminated=0)
    assert colour(session, task) == "red"
    assert (messages(session, first), messages(session, second)) == (2, 1)  # claimed: only its holder
    # Red goes up to the department's supervisor only; the city hears when it is long overdue.
    assert (
        messages(session, own_supervisor),
        messages(session, city_supervisor),
        messages(session, other_supervisor),
    ) == (1, 0, 0)

    at(2026, 11, 9)
    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)
    assert (messages(session, first), messages(session, own_supervisor)) == (2, 1)
    assert verify_chains(session=session).ok


def test_a_granted_extension_turns_a_red_task_green_without_a_message(session, catalog, store, at, front_desk):
    _, task = accepted(session, catalog, store, front_desk)
    holder = make_staff(session, Role.CLERK, "TRANSPORT")
    tasks.claim_task(session=session, actor=holder, key=task.key, catalog=catalog)
    at(2026, 11, 6)
    sweep(session=session, catalog=catalog)
    tasks.request_extension(session=session, actor=holder, key=task.key, catalog=catalog, days=5, reason="需现场核验")
    tasks.decide_extension(
        session=session, actor=make_staff(session, Role.SUPERVISOR), key=task.key, catalog=catalog, grant=True
    )
    before = messages(session, holder)
    assert sweep(session=session, catalog=catalog) == SweepReport(recoloured=1, notified=0, terminated=0)
    assert colour(session, task) == "green" and messages(session, holder) == before


def test_a_paused_task_keeps_its_colour(session, catalog, store, at, front_desk):
    _, task = accepted(session, catalog, store, front_desk)
    holder = make_staff(session, Role.CLERK, "TRANSPORT")
    tasks.claim_task(session=session, actor=holder, key=task.key, catalog=catalog)
    tasks.suspend_task(
        session=session, actor=holder, key=task.key, catalog=catalog, procedure="expert_review", reason="需专家评审"
    )
    at(2026, 11, 20)
    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)
    assert colour(session, task) == "green"


def test_a_tolerated_gap_past_its_due_day_terminates_the_application_once(session, catalog, store, at, front_desk):
    _, task = accepted(session, catalog, store, front_desk, code=TOLERANT_ITEM, leave_out=("personnel_file",))
    assert task.supplement_due == date(2026, 11, 9)
    at(2026, 11, 9)  # the due day itself is still in time
    assert sweep(session=session, catalog=catalog).terminated == 0
    at(2026, 11, 10)
    assert sweep(session=session, catalog=catalog).terminated == 1
    session.expire_all()
    application = session.get(Application, task.application_id)
    assert application.status == ApplicationStatus.TERMINATED and application.closed_at is not None
    assert session.get(Task, task.id).status == TaskStatus.CANCELLED
    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)
    assert verify_chains(session=session).ok


def test_a_gap_closed_in_time_is_not_terminated(session, catalog, store, at, front_desk):
    applicant, task = accepted(session, catalog, store, front_desk, code=TOLERANT_ITEM, leave_out=("personnel_file",))
    supplement_material(
        session=session,
        actor=applicant,
        key=session.get(Application, task.application_id).key,
        material_key="personnel_file",
        filename="file.pdf",
        data=PDF,
        store=store,
        catalog=catalog,
    )
    at(2026, 11, 20)
    assert sweep(session=session, catalog=catalog).terminated == 0
    session.expire_all()
    assert session.get(Application, task.application_id).status == ApplicationStatus.ACCEPTED


def test_the_sweep_works_in_batches(session, catalog, store, at, front_desk):
    made = [accepted(session, catalog, store, front_desk)[1] for _ in range(3)]
    at(2026, 11, 6)
    assert sweep(session=session, catalog=catalog, batch=2).recoloured == 3
    assert {colour(session, task) for task in made} == {"red"}
