"""A supervisor's levers on the work of a department: hand a held task to another clerk, or back to the queue.

Rows of a task table, like every other change: the engine's compare-and-set on the task means
a clerk acting on it at the same moment either goes first (and the lever finds the task moved
on) or is refused with a clear conflict afterwards; either way each step is in the case's chain.
"""

from sqlmodel import col, select

from services.errors import Invalid
from services.i18n import N_
from services.models import Role, User
from services.notifications import IN_APP, notify


def new_holder_is_a_clerk_of_the_department(firing) -> None:
    clerk = _new_holder(firing)
    if clerk is None:
        raise Invalid(
            "no such clerk", {"to_clerk": N_("Choose an active clerk of the task's department to hand it to.")}
        )
    if clerk.id == firing.task.assignee_id:
        raise Invalid("same clerk", {"to_clerk": N_("This clerk holds the task already: choose another.")})


def hand_to_new_holder(firing) -> None:
    clerk = _new_holder(firing)
    assert clerk is not None  # the guard found them
    former = firing.task.assignee_id
    firing.task.assignee_id = clerk.id
    firing.session.add(firing.task)
    firing.record.update(from_clerk=former, to_clerk=clerk.id)
    _tell(firing, former, N_("%(number)s was handed to a colleague by your supervisor: %(reason)s"))
    _tell(firing, clerk.id, N_("Your supervisor handed %(number)s to you: %(reason)s"))


def return_to_queue(firing) -> None:
    former = firing.task.assignee_id
    firing.task.assignee_id = None
    firing.session.add(firing.task)
    firing.record.update(from_clerk=former)
    _tell(firing, former, N_("%(number)s was returned to the department queue by your supervisor: %(reason)s"))


def _new_holder(firing) -> User | None:
    clerk_id = firing.given.get("to_clerk")
    if not isinstance(clerk_id, int):
        return None
    return firing.session.exec(
        select(User).where(
            col(User.id) == clerk_id,
            col(User.role) == Role.CLERK,
            col(User.department) == firing.task.department,
            col(User.is_active) == True,  # noqa: E712 (SQL, not Python)
        )
    ).first()


def _tell(firing, user_id: int | None, template: str) -> None:
    if user_id is None:
        return
    notify(
        firing.session,
        user=firing.session.get(User, user_id),
        template=template,
        params={"number": firing.case.number, "reason": firing.reason},
        case=firing.case,
        channels=(IN_APP,),
    )
