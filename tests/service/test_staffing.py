"""A supervisor's levers: a held task handed to a colleague or back to the queue, one clerk's whole inbox too."""

import threading

import pytest
from sqlmodel import select

from services import staffing
from services.audit import history
from services.casework import desk, tasks
from services.db import new_session
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import Application, Notification, Role, Task, TaskStatus, User
from tests.factories import make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"


def claimed_task(session, catalog, store, holder=None):
    """An accepted application's task, claimed by a clerk of its department."""
    _, application = submitted(session, catalog, store, THREE_DAY_ITEM)
    desk.accept_application(session=session, actor=make_staff(session), key=application.key, catalog=catalog)
    task = session.exec(select(Task).where(Task.application_id == application.id)).one()
    holder = holder or make_staff(session, Role.CLERK, task.department)
    tasks.claim_task(session=session, actor=holder, key=task.key, catalog=catalog)
    return task, holder


def messages_to(session, user) -> list[str]:
    return [n.template for n in session.exec(select(Notification).where(Notification.user_id == user.id))]


def test_a_supervisor_hands_a_claimed_task_to_a_colleague_with_a_reason_and_both_are_told(session, catalog, store):
    task, away = claimed_task(session, catalog, store)
    colleague = make_staff(session, Role.CLERK, task.department)
    supervisor = make_staff(session, Role.SUPERVISOR, task.department)
    staffing.reassign_task(
        session=session, actor=supervisor, key=task.key, to_clerk_id=colleague.id, reason="病假", catalog=catalog
    )
    session.refresh(task)
    assert task.assignee_id == colleague.id and task.status == TaskStatus.CLAIMED
    assert any("handed to a colleague" in t for t in messages_to(session, away))
    assert any("handed %(number)s to you" in t for t in messages_to(session, colleague))
    application = session.get(Application, task.application_id)
    last = history(session=session, case=application)[-1]
    assert (last.event, last.reason, last.actor_id) == ("task.reassign", "病假", supervisor.id)
    assert (last.payload["from_clerk"], last.payload["to_clerk"]) == (away.id, colleague.id)
    # The new holder decides it; the old one may not.
    with pytest.raises(NotAllowed):
        tasks.approve_task(session=session, actor=away, key=task.key, catalog=catalog)
    tasks.approve_task(session=session, actor=colleague, key=task.key, catalog=catalog)


def test_a_task_returned_to_the_queue_can_be_claimed_by_anyone_of_the_department(session, catalog, store):
    task, away = claimed_task(session, catalog, store)
    supervisor = make_staff(session, Role.SUPERVISOR)  # the city's supervisor may too
    staffing.reassign_task(
        session=session, actor=supervisor, key=task.key, to_clerk_id=None, reason="离职", catalog=catalog
    )
    session.refresh(task)
    assert task.status == TaskStatus.READY and task.assignee_id is None
    assert any("returned to the department queue" in t for t in messages_to(session, away))
    tasks.claim_task(
        session=session, actor=make_staff(session, Role.CLERK, task.department), key=task.key, catalog=catalog
    )


def test_handing_a_task_to_someone_who_is_not_a_clerk_of_its_department_names_the_field(session, catalog, store):
    task, away = claimed_task(session, catalog, store)
    supervisor = make_staff(session, Role.SUPERVISOR, task.department)
    strangers = [make_staff(session, Role.CLERK, "other-dept"), make_staff(session, Role.FRONT_DESK), away]
    for stranger in strangers:
        with pytest.raises(Invalid) as refused:
            staffing.reassign_task(
                session=session, actor=supervisor, key=task.key, to_clerk_id=stranger.id, reason="x", catalog=catalog
            )
        assert "to_clerk" in refused.value.errors
    session.refresh(task)
    assert task.assignee_id == away.id  # nothing changed


def test_a_lever_needs_a_reason_and_a_supervisor_of_the_department(session, catalog, store):
    task, _ = claimed_task(session, catalog, store)
    colleague = make_staff(session, Role.CLERK, task.department)
    with pytest.raises(Invalid):
        staffing.reassign_task(
            session=session,
            actor=make_staff(session, Role.SUPERVISOR, task.department),
            key=task.key,
            to_clerk_id=colleague.id,
            reason="  ",
            catalog=catalog,
        )
    with pytest.raises(NotFound):  # another department's supervisor does not see it
        staffing.reassign_task(
            session=session,
            actor=make_staff(session, Role.SUPERVISOR, "other-dept"),
            key=task.key,
            to_clerk_id=colleague.id,
            reason="x",
            catalog=catalog,
        )


def test_a_clerks_whole_inbox_goes_to_a_colleague_in_one_step(session, catalog, store):
    first, away = claimed_task(session, catalog, store)
    second, _ = claimed_task(session, catalog, store, holder=away)
    colleague = make_staff(session, Role.CLERK, first.department)
    supervisor = make_staff(session, Role.SUPERVISOR, first.department)
    loads = {load.clerk.id: load.held for load in staffing.department_clerks(session=session, actor=supervisor)}
    assert loads[away.id] == 2 and loads[colleague.id] == 0
    moved = staffing.reassign_inbox(
        session=session, actor=supervisor, clerk_id=away.id, to_clerk_id=colleague.id, reason="休假", catalog=catalog
    )
    assert moved == 2
    session.expire_all()
    assert {session.get(Task, t.id).assignee_id for t in (first, second)} == {colleague.id}
    _, held = staffing.held_tasks(session=session, actor=supervisor, clerk_id=away.id, catalog=catalog)
    assert held == []


def test_a_departed_clerks_tasks_can_still_be_handed_on(session, catalog, store):
    task, away = claimed_task(session, catalog, store)
    away.is_active = False
    session.add(away)
    session.commit()
    supervisor = make_staff(session, Role.SUPERVISOR, task.department)
    assert (
        staffing.reassign_inbox(
            session=session, actor=supervisor, clerk_id=away.id, to_clerk_id=None, reason="离职", catalog=catalog
        )
        == 1
    )


def test_a_clerk_deciding_while_being_reassigned_either_decides_first_or_is_told_it_moved(engine, catalog, store):
    with new_session(engine) as session:
        task, holder = claimed_task(session, catalog, store)
        colleague = make_staff(session, Role.CLERK, task.department)
        supervisor = make_staff(session, Role.SUPERVISOR, task.department)
        key, ids = task.key, (holder.id, colleague.id, supervisor.id)
    barrier = threading.Barrier(2)
    outcomes = {}

    def clerk():
        with new_session(engine) as own:
            barrier.wait()
            try:
                tasks.approve_task(session=own, actor=own.get(User, ids[0]), key=key, catalog=catalog)
                outcomes["clerk"] = "approved"
            except (Conflict, NotAllowed) as error:
                outcomes["clerk"] = error

    def supervise():
        with new_session(engine) as own:
            barrier.wait()
            try:
                staffing.reassign_task(
                    session=own, actor=own.get(User, ids[2]), key=key, to_clerk_id=ids[1], reason="x", catalog=catalog
                )
                outcomes["supervisor"] = "reassigned"
            except (Conflict, NotAllowed) as error:
                outcomes["supervisor"] = error

    threads = [threading.Thread(target=clerk), threading.Thread(target=supervise)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with new_session(engine) as session:
        task = session.exec(select(Task).where(Task.key == key)).one()
        events = [e.event for e in history(session=session, case=session.get(Application, task.application_id))]
    if outcomes["clerk"] == "approved":
        # The approval went first: the task is no longer held, the lever is refused in words.
        assert isinstance(outcomes["supervisor"], Conflict | NotAllowed) and task.status == TaskStatus.DELIVERED
        assert "task.reassign" not in events
    else:
        assert outcomes["supervisor"] == "reassigned" and task.assignee_id == ids[1]
        assert task.status == TaskStatus.CLAIMED and "task.approve" not in events
        assert str(outcomes["clerk"])  # a message, not a crash


def test_a_clerk_deciding_while_their_whole_inbox_is_handed_on_loses_nothing(engine, catalog, store):
    """Bulk reassignment (leave, sickness) against the clerk's own decision: one wins per task, each audited."""
    with new_session(engine) as session:
        first, holder = claimed_task(session, catalog, store)
        second, _ = claimed_task(session, catalog, store, holder=holder)
        colleague = make_staff(session, Role.CLERK, first.department)
        supervisor = make_staff(session, Role.SUPERVISOR, first.department)
        keys, ids = (first.key, second.key), (holder.id, colleague.id, supervisor.id)
    barrier = threading.Barrier(2)
    outcomes = {}

    def clerk():
        with new_session(engine) as own:
            barrier.wait()
            try:
                tasks.approve_task(session=own, actor=own.get(User, ids[0]), key=keys[1], catalog=catalog)
                outcomes["clerk"] = "approved"
            except (Conflict, NotAllowed) as error:
                outcomes["clerk"] = error

    def supervise():
        with new_session(engine) as own:
            barrier.wait()
            try:
                outcomes["moved"] = staffing.reassign_inbox(
                    session=own,
                    actor=own.get(User, ids[2]),
                    clerk_id=ids[0],
                    to_clerk_id=ids[1],
                    reason="病假",
                    catalog=catalog,
                )
            except Exception as error:  # noqa: BLE001  (the assertions below show it)
                outcomes["moved"] = error

    threads = [threading.Thread(target=clerk), threading.Thread(target=supervise)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with new_session(engine) as session:
        rows = [session.exec(select(Task).where(Task.key == key)).one() for key in keys]
        events = [
            [(e.event, e.task_id) for e in history(session=session, case=session.get(Application, t.application_id))]
            for t in rows
        ]
    untouched, contested = rows
    # The task the clerk did not touch went to the colleague either way, with its audit event.
    assert untouched.assignee_id == ids[1] and ("task.reassign", untouched.id) in events[0]
    if outcomes["clerk"] == "approved":
        assert outcomes["moved"] == 1
        assert contested.status == TaskStatus.DELIVERED and contested.decided_by_id == ids[0]
        assert ("task.reassign", contested.id) not in events[1]
    else:
        # Handed on first: the clerk is told in words, the task is the colleague's and undecided.
        assert (
            outcomes["moved"] == 2 and isinstance(outcomes["clerk"], Conflict | NotAllowed) and str(outcomes["clerk"])
        )
        assert (contested.status, contested.assignee_id) == (TaskStatus.CLAIMED, ids[1])
        assert ("task.reassign", contested.id) in events[1]
        assert ("task.approve", contested.id) not in events[1]
