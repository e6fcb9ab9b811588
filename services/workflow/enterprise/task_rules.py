"""Guards and effects of the rows of an enterprise request's tasks: the clock, the input, the answer."""

from services import clock
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import EnterpriseTaskRole, EnterpriseTaskStatus, Role
from services.models.enterprise import ANSWER_MAX_LENGTH
from services.notifications import notify_staff
from services.requirements.fields import refuse_if_too_long


def start_clock(firing) -> None:
    task = firing.task
    task.started_on = firing.today
    task.deadline = firing.calendar.add_working_days(firing.today, task.promised_days)
    firing.session.add(task)
    firing.record["deadline"] = task.deadline.isoformat()


def assign_to_actor(firing) -> None:
    firing.task.assignee_id = firing.actor.id
    firing.session.add(firing.task)


def unassign(firing) -> None:
    firing.task.assignee_id = None
    firing.session.add(firing.task)


def input_given(firing) -> None:
    """A co-handler's input, or the lead's answer: the text the firm's answer is made of."""
    text = (firing.given.get("answer") or "").strip()
    if not text:
        raise Invalid(N_("write what your department says"), {"answer": N_("Write what your department says.")})
    refuse_if_too_long("answer", text, ANSWER_MAX_LENGTH)


def co_handlers_done(firing) -> None:
    waiting = [
        task.department
        for task in firing.tasks()
        if task.item_code == EnterpriseTaskRole.CO_HANDLER and task.status in EnterpriseTaskStatus.OPEN
    ]
    if waiting:
        raise Conflict(N_("a co-handling department has not given its input yet"), departments=waiting)


def stamp_done(firing) -> None:
    task = firing.task
    task.decided_at = clock.now()
    task.decided_by_id = firing.actor.id if firing.actor else None
    task.decision_reason = (firing.given.get("answer") or "").strip() or firing.reason
    firing.session.add(task)


def notify_lead(firing) -> None:
    request = firing.case
    lead = request.lead_department
    department = firing.catalog.departments[firing.task.department]
    notify_staff(
        firing.session,
        role=Role.CLERK,
        department=lead,
        case=request,
        template=N_("%(department)s gave its input on enterprise request %(number)s"),
        params={"department": department.name.zh, "department_en": department.name.en, "number": request.number},
    )


def answer_request(firing) -> None:
    """The lead's draft is the firm's answer."""
    firing.fire(
        firing.case,
        "answer",
        given={"answer": firing.given["answer"], "answered_by_id": firing.actor.id},
    )
