"""Each case's audit chain: how it is written, in what order, and what `verify_chains` says when it is tampered with."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from services import clock
from services.audit import GENESIS, caused_events, event_digest, record_event
from services.audit_check import verify_chains
from services.casework import desk, tasks
from services.models import Application, AuditEvent, AuditUnsealed, Role, Task, TaskStatus
from tests.factories import make_citizen, make_staff
from tests.sample import newborn, submitted

ITEM = "330100-TRANSPORT-003"  # one task, an e-certificate: approve delivers and completes


def _case_with_events(session, n=5) -> Application:
    applicant = make_citizen(session)
    application = Application(applicant_id=applicant.id, service_code=ITEM)
    session.add(application)
    session.flush()
    for i in range(n):
        record_event(session, actor=applicant, event="attach", case=application, payload={"i": i})
    session.commit()
    return application


def _event(session, application, position) -> AuditEvent:
    return session.exec(
        select(AuditEvent).where(AuditEvent.chain == application.chain, AuditEvent.position == position)
    ).one()


def _move(session, application, position, to):
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.chain == application.chain, AuditEvent.position == position)
        .values(position=to)
    )


def _delete(session, application, *positions):
    """Delete events as a tamperer would, queue rows and all."""
    doomed = select(AuditEvent.id).where(AuditEvent.chain == application.chain)
    if positions:
        doomed = doomed.where(AuditEvent.position.in_(positions))
    ids = list(session.exec(doomed))
    session.execute(delete(AuditUnsealed).where(AuditUnsealed.event_id.in_(ids)))
    session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))


def _problem(session) -> str:
    session.commit()
    report = verify_chains(session=session)
    assert not report.ok
    return report.problem


# --- how chains are written -------------------------------------------------------


def test_each_case_numbers_its_own_events_from_one_and_links_them(session):
    first, second = _case_with_events(session, 3), _case_with_events(session, 2)
    for application, length in ((first, 3), (second, 2)):
        events = session.exec(
            select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.position)
        ).all()
        assert [e.position for e in events] == list(range(1, length + 1))
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        session.refresh(application)
        assert (application.audit_length, application.audit_tip) == (length, events[-1].hash)
    report = verify_chains(session=session)
    assert report.ok and (report.checked, report.chains) == (5, 2)


def test_an_event_of_no_case_names_its_own_chain(session):
    actor = make_staff(session, Role.SUPERVISOR)
    with pytest.raises(ValueError):
        record_event(session, actor=actor, event="calendar.add")
    session.rollback()
    for _ in range(2):
        record_event(session, actor=actor, event="calendar.add", chain="calendar")
        session.commit()
    assert [e.position for e in session.exec(select(AuditEvent).where(AuditEvent.chain == "calendar"))] == [1, 2]
    assert verify_chains(session=session).ok


def test_a_cause_that_fails_leaves_no_event_and_the_chain_goes_on_from_where_it_was(session):
    application = _case_with_events(session, 2)
    applicant = make_citizen(session)
    with pytest.raises(RuntimeError), caused_events(session):
        record_event(session, actor=applicant, event="attach", case=application)
        raise RuntimeError("an effect failed")
    session.rollback()
    record_event(session, actor=applicant, event="attach", case=application)
    session.commit()
    assert [e.position for e in session.exec(select(AuditEvent).where(AuditEvent.chain == application.chain))] == [
        1,
        2,
        3,
    ]
    assert verify_chains(session=session).ok


def test_what_effects_add_to_a_cause_is_in_its_event_and_its_hash(session):
    application = _case_with_events(session, 1)
    payload: dict = {}
    with caused_events(session):
        record_event(session, actor=None, event="attach", case=application, payload=payload)
        payload["added by an effect"] = True
    session.commit()
    stored = _event(session, application, 2)
    assert stored.payload == {"added by an effect": True}
    assert verify_chains(session=session).ok


def test_the_hash_covers_chain_position_and_every_field_in_one_canonical_form():
    event = AuditEvent(
        chain="application:11",
        position=4,
        at=datetime(2026, 2, 13, 9, 30, 5, 120000, tzinfo=timezone(timedelta(hours=8))),
        actor_id=3,
        actor_role="clerk",
        application_id=11,
        task_id=None,
        event="task.approve",
        from_status="claimed",
        to_status="approved",
        reason="材料齐全",
        payload={"item": "330100-PSB-004", "deadline": "2026-02-20", "n": [1, 2.5, True, None]},
        prev_hash="a" * 64,
        hash="",
    )
    pinned = event_digest(event, "a" * 64)
    # The same event at another moment written in another zone is the same event.
    assert event_digest(event.model_copy(update={"at": event.at.astimezone(UTC)}), "a" * 64) == pinned
    for changed in ({"chain": "application:12"}, {"position": 5}, {"reason": "材料齐全 "}, {"payload": {}}):
        assert event_digest(event.model_copy(update=changed), "a" * 64) != pinned
    assert event_digest(event, "b" * 64) != pinned
    # Receipts are checked outside the project with nothing but this form: it must never drift.
    assert pinned == "598825e789323a111bc1f49d9655fd80e42f8bc9d2dac94c12b2f1b93cf9c733"


def test_the_chain_verifies_when_events_were_written_on_a_china_time_clock(session):
    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(datetime(2026, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=8)))))
    try:
        _case_with_events(session, 2)
    finally:
        clock.use_clock(previous)
    session.expire_all()
    assert verify_chains(session=session).ok


# --- cause before effect ----------------------------------------------------------


def _story(session, application) -> list[tuple[str, str | None]]:
    """The case's events in chain order: (event, the item of the task it moved)."""
    events = session.exec(
        select(AuditEvent).where(AuditEvent.chain == application.chain).order_by(AuditEvent.position)
    ).all()
    return [(e.event, e.payload.get("item")) for e in events]


def _accepted_newborn_bundle(session, catalog, store) -> Application:
    """Accepted: its instant item (the medical birth certificate's) is decided at the counter, at acceptance."""
    _, application = submitted(session, catalog, store, newborn(catalog).code)
    front_desk = make_staff(session, Role.FRONT_DESK)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    return application


def test_acceptance_is_recorded_before_the_review_it_starts(session, catalog, store):
    application = _accepted_newborn_bundle(session, catalog, store)
    events = [event for event, _ in _story(session, application)]
    assert events.index("accept") < events.index("task.claim") < events.index("start_review")


def test_an_approval_is_recorded_before_the_delivery_and_the_completion_it_causes(session, catalog, store):
    _, application = submitted(session, catalog, store, ITEM)
    front_desk = make_staff(session, Role.FRONT_DESK)
    desk.accept_application(session=session, actor=front_desk, key=application.key, catalog=catalog)
    task = session.exec(select(Task).where(Task.application_id == application.id)).one()
    clerk = make_staff(session, Role.CLERK, task.department)
    tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    tasks.approve_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    assert [event for event, _ in _story(session, application)][-3:] == ["task.approve", "task.deliver", "complete"]


def test_a_task_is_unblocked_only_after_the_approvals_it_waited_on(session, catalog, store):
    bundle = newborn(catalog)
    application = _accepted_newborn_bundle(session, catalog, store)
    for _ in bundle.items:
        session.expire_all()
        ready = session.exec(
            select(Task).where(Task.application_id == application.id, Task.status == TaskStatus.READY)
        ).all()
        for task in ready:
            clerk = make_staff(session, Role.CLERK, task.department)
            tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
            tasks.approve_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    story = _story(session, application)
    waiting = {item: needs for item, needs in bundle.depends.items() if needs}
    unblocked = [(position, item) for position, (event, item) in enumerate(story) if event == "task.unblock"]
    assert {item for _, item in unblocked} >= set(waiting)
    for position, item in unblocked:
        approved_before = {done for event, done in story[:position] if event == "task.approve"}
        assert set(waiting.get(item, ())) <= approved_before, (item, story)
    assert verify_chains(session=session).ok


# --- tampering, named -------------------------------------------------------------


def test_an_edited_event_is_named(session):
    application = _case_with_events(session)
    session.execute(
        update(AuditEvent).where(AuditEvent.chain == application.chain, AuditEvent.position == 3).values(reason="x")
    )
    assert _problem(session) == f"{application.chain}: event #3 was edited: its content does not match its hash"


def test_an_edit_with_its_hash_rewritten_is_named_by_the_next_event(session):
    application = _case_with_events(session)
    edited = _event(session, application, 3)
    edited.reason = "quietly changed"
    edited.hash = event_digest(edited, edited.prev_hash)
    session.add(edited)
    assert "event #3 was edited and its hash rewritten" in _problem(session)


def test_a_deleted_event_is_named(session):
    application = _case_with_events(session)
    _delete(session, application, 2)
    assert _problem(session) == f"{application.chain}: event #2 is missing: it was deleted"


def test_a_deleted_event_with_the_later_ones_renumbered_is_named(session):
    application = _case_with_events(session)
    _delete(session, application, 2)
    for position in (3, 4, 5):
        _move(session, application, position, position - 1)
    assert "the event before #2 was deleted" in _problem(session)


def test_a_deleted_last_event_is_named_against_its_case(session):
    application = _case_with_events(session)
    _delete(session, application, 5)
    assert _problem(session) == f"{application.chain}: event #5 was deleted off the end (its case records 5 events)"


def test_two_swapped_events_are_named_as_reordered(session):
    application = _case_with_events(session)
    _move(session, application, 2, 99)
    _move(session, application, 3, 2)
    _move(session, application, 99, 3)
    assert _problem(session) == f"{application.chain}: event #2 belongs after #3: the chain was reordered"


def test_an_inserted_event_is_named(session):
    application = _case_with_events(session)
    for position in (5, 4, 3):
        _move(session, application, position, position + 1)
    before = _event(session, application, 2)
    forged = AuditEvent(
        **{
            **before.model_dump(exclude={"id", "hash", "prev_hash"}),
            "position": 3,
            "reason": "forged",
            "prev_hash": before.hash,
            "hash": "",
        }
    )
    forged.hash = event_digest(forged, before.hash)
    session.add(forged)
    assert _problem(session) == f"{application.chain}: event #3 was inserted: #4 points past it at #2"


def test_an_event_appended_behind_its_cases_back_is_named(session):
    application = _case_with_events(session, 2)
    last = _event(session, application, 2)
    forged = AuditEvent(
        **{**last.model_dump(exclude={"id", "hash", "prev_hash"}), "position": 3, "prev_hash": last.hash, "hash": ""}
    )
    forged.hash = event_digest(forged, last.hash)
    session.add(forged)
    assert _problem(session) == f"{application.chain}: event #3 was inserted after the last event its case records"


def test_a_case_whose_every_event_was_deleted_is_named(session):
    application = _case_with_events(session, 2)
    _delete(session, application)
    assert _problem(session) == f"{application.chain}: event #1 was deleted off the end (its case records 2 events)"


def test_payloads_the_fast_decoder_refuses_still_verify(session):
    """A number past 64 bits is valid in a payload; the check reads it as the column type does."""
    application = _case_with_events(session, 1)
    record_event(session, actor=None, event="attach", case=application, payload={"big": 2**70})
    session.commit()
    assert verify_chains(session=session).ok
