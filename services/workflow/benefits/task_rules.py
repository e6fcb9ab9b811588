"""Effects of the rows of a flagged offer's review task: a clerk of the policy's department decides."""

from services import clock


def assign_to_actor(firing) -> None:
    firing.task.assignee_id = firing.actor.id
    firing.session.add(firing.task)


def unassign(firing) -> None:
    firing.task.assignee_id = None
    firing.session.add(firing.task)


def stamp_decision(firing) -> None:
    task = firing.task
    task.decided_at = clock.now()
    task.decided_by_id = firing.actor.id if firing.actor else None
    task.decision_reason = firing.reason
    firing.session.add(task)


def clear_offer(firing) -> None:
    """The clerk's approval pays the offer if the budget has room (the caller holds the budget's lock)."""
    firing.fire(firing.case, "clear", given={"budget": firing.given["budget"]})


def refuse_offer(firing) -> None:
    firing.fire(firing.case, "refuse", reason=firing.reason)
