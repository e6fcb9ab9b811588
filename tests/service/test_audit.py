from sqlalchemy import update
from sqlmodel import select

from services.audit import record_event, verify_chain
from services.models import AuditEvent
from tests.factories import make_citizen


def _chain(session, n=5):
    actor = make_citizen(session)
    for i in range(n):
        record_event(session, actor=actor, event="attach", payload={"i": i})
    session.commit()


def test_a_fresh_chain_verifies(session):
    _chain(session)
    report = verify_chain(session=session)
    assert report.ok and report.checked == 5


def test_an_edited_event_is_named(session):
    _chain(session)
    session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(reason="quietly changed"))
    session.commit()
    report = verify_chain(session=session)
    assert not report.ok
    assert report.broken_seq == 3
    assert "hash" in report.problem


def test_a_deleted_event_is_named(session):
    _chain(session)
    session.delete(session.exec(select(AuditEvent).where(AuditEvent.seq == 2)).one())
    session.commit()
    report = verify_chain(session=session)
    assert report.broken_seq == 2


def test_a_cut_tail_is_noticed(session):
    _chain(session)
    session.delete(session.exec(select(AuditEvent).where(AuditEvent.seq == 5)).one())
    session.commit()
    assert verify_chain(session=session).broken_seq == 5


def test_events_link_to_their_predecessor(session):
    _chain(session, 3)
    events = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_the_chain_verifies_when_events_were_written_on_a_china_time_clock(session):
    from datetime import datetime, timedelta, timezone

    from services import clock

    previous = clock.current_clock()
    clock.use_clock(clock.FrozenClock(datetime(2026, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=8)))))
    try:
        _chain(session, 2)
    finally:
        clock.use_clock(previous)
    session.expire_all()
    assert verify_chain(session=session).ok


def test_the_hash_of_an_event_is_taken_as_it_always_was():
    """Chains written before the digest was split into fields and text still verify: same text, same hash."""
    from datetime import datetime, timedelta, timezone

    from services.audit import event_digest

    event = AuditEvent(
        seq=7,
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
    assert event_digest(event, "a" * 64) == "129f9c390daefdaccb53cdbf1ff90efb06835df8ca5ac9faf6eeebd4e2a651e9"
