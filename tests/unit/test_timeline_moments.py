"""A timeline keeps the stored order and gathers what one step set off under that step."""

from datetime import UTC, datetime, timedelta

from services.models import AuditEvent
from web.timeline import group_moments

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CLERK, DESK = 7, 3


def _event(position, event, *, at, actor_id, role, from_status=None, to_status=None):
    return AuditEvent(
        chain="application:1",
        position=position,
        at=at,
        actor_id=actor_id,
        actor_role=role,
        event=event,
        from_status=from_status,
        to_status=to_status,
        prev_hash="",
        hash="",
    )


def _system(position, event, at, from_status, to_status):
    return _event(position, event, at=at, actor_id=None, role="system", from_status=from_status, to_status=to_status)


def _names(moments):
    return [(moment.cause.event, [effect.event for effect in moment.effects]) for moment in moments]


def test_one_clicks_effects_sit_beneath_it_in_the_order_they_were_stored():
    approved = T0 + timedelta(hours=2)
    events = [
        _event(1, "accept", at=T0, actor_id=DESK, role="front_desk", from_status="submitted", to_status="accepted"),
        _event(
            2, "task.claim", at=T0 + timedelta(hours=1), actor_id=CLERK, role="clerk", from_status="q", to_status="c"
        ),
        _event(3, "task.approve", at=approved, actor_id=CLERK, role="clerk", from_status="c", to_status="approved"),
        _system(4, "task.deliver", approved, "approved", "delivered"),
        _system(5, "complete", approved, "in_review", "completed"),
    ]
    assert _names(group_moments(events)) == [
        ("accept", []),
        ("task.claim", []),
        ("task.approve", ["task.deliver", "complete"]),
    ]


def test_a_step_that_carried_something_stored_first_is_still_the_heading():
    # A submission records the certificates it shares just before itself, in the same write.
    events = [
        _event(1, "share_certificate", at=T0, actor_id=5, role="citizen"),
        _event(2, "share_certificate", at=T0, actor_id=5, role="citizen"),
        _event(3, "submit", at=T0, actor_id=5, role="citizen", from_status="draft", to_status="submitted"),
    ]
    (moment,) = group_moments(events)
    assert moment.cause.position == 3
    assert [effect.position for effect in moment.effects] == [1, 2]


def test_two_people_acting_at_the_same_moment_are_two_entries():
    events = [
        _event(1, "accept", at=T0, actor_id=DESK, role="front_desk", from_status="submitted", to_status="accepted"),
        _event(2, "task.claim", at=T0, actor_id=CLERK, role="clerk", from_status="q", to_status="c"),
    ]
    assert _names(group_moments(events)) == [("accept", []), ("task.claim", [])]


def test_moments_follow_the_stored_order_not_the_clock():
    # Entries keep the order given: a later position is never moved before an earlier one.
    later, earlier = T0 + timedelta(minutes=5), T0
    events = [
        _event(1, "accept", at=later, actor_id=DESK, role="front_desk", from_status="s", to_status="a"),
        _event(2, "task.claim", at=earlier, actor_id=CLERK, role="clerk", from_status="q", to_status="c"),
    ]
    assert [moment.cause.position for moment in group_moments(events)] == [1, 2]
