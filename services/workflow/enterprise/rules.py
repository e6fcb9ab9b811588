"""Guards and effects of the enterprise request rows (企呼我应)."""

from datetime import date

from services import clock
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import (
    CommonProblem,
    EnterpriseRequest,
    EnterpriseTaskRole,
    EnterpriseTaskStatus,
    Role,
    Task,
)
from services.models.enterprise import ANSWER_MAX_LENGTH, REPLY_WORKING_DAYS
from services.notifications import notify, notify_staff
from services.requirements.fields import refuse_if_too_long
from services.workflow import ratings
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from services.workflow.numbers import next_number

TRIAGE_WORKING_DAYS = 1
MAX_CO_HANDLERS = 5


def _request(firing) -> EnterpriseRequest:
    assert isinstance(firing.case, EnterpriseRequest)
    return firing.case


# --- guards -----------------------------------------------------------------


def known_handlers(firing) -> None:
    """A lead department, and co-handlers other than the lead, all from the catalogue."""
    lead = (firing.given.get("lead") or "").strip()
    co_handlers = list(dict.fromkeys(firing.given.get("co_handlers") or ()))
    errors = {}
    if not lead:
        errors["lead"] = N_("Choose the lead department.")
    elif lead not in firing.catalog.departments or lead == OFFICE_DEPARTMENT:
        errors["lead"] = N_("Choose a department from the list.")
    unknown = [code for code in co_handlers if code not in firing.catalog.departments or code == OFFICE_DEPARTMENT]
    if unknown:
        errors["co_handlers"] = N_("Choose co-handling departments from the list.")
    elif lead and lead in co_handlers:
        errors["co_handlers"] = N_("The lead department cannot also be a co-handler.")
    elif len(co_handlers) > MAX_CO_HANDLERS:
        errors["co_handlers"] = N_("Choose at most five co-handling departments.")
    if errors:
        raise Invalid(N_("the lead department or the co-handlers are not right"), errors)


def answer_given(firing) -> None:
    answer = (firing.given.get("answer") or "").strip()
    if not answer:
        raise Invalid(N_("an answer is required"), {"answer": N_("Write the answer.")})
    refuse_if_too_long("answer", answer, ANSWER_MAX_LENGTH)


def not_linked_yet(firing) -> None:
    if _request(firing).problem_id is not None:
        raise Conflict(N_("this request is already linked to a common problem"))


def overdue_and_not_escalated(firing) -> None:
    request = _request(firing)
    if request.escalated_at is not None:
        raise Conflict(N_("this request was escalated already"))
    if request.deadline is None or request.deadline >= firing.today:
        raise Conflict(N_("this request is not overdue"))


def reopened_only_once(firing) -> None:
    if _request(firing).reopened_at is not None:
        raise Conflict(
            N_(
                "This request was reopened once already, and the supervisor's answer is the last one: "
                "confirm it solved or close it as not solved."
            )
        )


def reopened_before(firing) -> None:
    if _request(firing).reopened_at is None:
        raise Conflict(N_("a first answer that did not solve the problem is reopened, not closed"))


def reply_window_passed(firing) -> None:
    if firing.today <= reply_by(firing.calendar, _request(firing)):
        raise Conflict(N_("the firm may still reply to this answer"))


# --- effects ----------------------------------------------------------------


def assign_request_number(firing) -> None:
    today = clock.china_today()
    value = next_number(firing.session, f"qh-number-{today:%Y%m%d}")
    request = _request(firing)
    request.number = f"QH-{today:%Y%m%d}-{value:06d}"
    firing.record["number"] = request.number


def stamp_raised(firing) -> None:
    """The answer is promised in the category's working days, counted from the day it is raised."""
    request = _request(firing)
    request.submitted_at = clock.now()
    days = firing.catalog.request_categories[request.category].answer_working_days
    request.deadline = firing.calendar.add_working_days(firing.today, days)
    firing.record.update(category=request.category, deadline=request.deadline.isoformat())
    if firing.given.get("attachments"):
        firing.record["attachments"] = list(firing.given["attachments"])


def _open_task(firing, role: str, department: str, promised_days: int) -> Task:
    request = _request(firing)
    task = Task(
        case_kind=request.CHAIN_KIND,
        case_id=request.id,
        item_code=role,
        sla_code=request.category,
        department=department,
        promised_days=promised_days,
    )
    firing.session.add(task)
    firing.session.flush()
    firing.tasks_added()
    firing.fire(task, "unblock")
    return task


def open_triage(firing) -> None:
    """The office's task: its colour turns amber and red like any department's, and red reaches its supervisor."""
    task = _open_task(firing, EnterpriseTaskRole.TRIAGE, OFFICE_DEPARTMENT, TRIAGE_WORKING_DAYS)
    firing.record["triage"] = task.key
    notify_staff(
        firing.session,
        role=Role.CLERK,
        department=OFFICE_DEPARTMENT,
        case=_request(firing),
        template=N_("New enterprise request %(number)s to triage by %(deadline)s"),
        params={"number": _request(firing).number, "deadline": task.deadline.isoformat() if task.deadline else ""},
    )


def finish_triage(firing) -> None:
    for task in firing.tasks():
        if task.item_code == EnterpriseTaskRole.TRIAGE and task.status in EnterpriseTaskStatus.OPEN:
            firing.fire(task, "finish")


def open_handling_tasks(firing) -> None:
    """One task for the lead, one for each co-handler, all due when the request's answer is."""
    request = _request(firing)
    lead = firing.given["lead"].strip()
    co_handlers = list(dict.fromkeys(firing.given.get("co_handlers") or ()))
    request.lead_department = lead
    assert request.deadline is not None  # stamped when it was raised
    days_left = max(0, firing.calendar.working_days_between(firing.today, request.deadline))
    tasks = [_open_task(firing, EnterpriseTaskRole.LEAD, lead, days_left)]
    tasks += [_open_task(firing, EnterpriseTaskRole.CO_HANDLER, code, days_left) for code in co_handlers]
    firing.record.update(lead=lead, co_handlers=co_handlers, tasks=[task.key for task in tasks])
    for task in tasks:
        notify_staff(
            firing.session,
            role=Role.CLERK,
            department=task.department,
            case=request,
            template=N_("Enterprise request %(number)s is in your queue, due by %(deadline)s"),
            params={"number": request.number, "deadline": request.deadline.isoformat()},
        )


def keep_answer(firing) -> None:
    request = _request(firing)
    request.answer = firing.given["answer"].strip()
    request.answered_by_id = firing.given.get("answered_by_id") or (firing.actor.id if firing.actor else None)
    if request.first_answered_on is None:
        request.first_answered_on = firing.today
    request.answered_on = firing.today
    firing.record["answer"] = request.answer
    if firing.given.get("problem"):
        firing.record["problem"] = firing.given["problem"]


def link_to_problem(firing) -> None:
    """Linked to a problem that has its policy answer already, the request is answered with it at once."""
    problem: CommonProblem = firing.given["problem"]
    request = _request(firing)
    request.problem_id = problem.id
    firing.record["problem"] = problem.key
    if problem.answer is not None:
        firing.fire(
            request,
            "answer_by_policy",
            given={"answer": problem.answer, "problem": problem.key, "answered_by_id": problem.answered_by_id},
        )


def cancel_open_tasks(firing) -> None:
    for task in firing.tasks():
        if task.status in EnterpriseTaskStatus.OPEN:
            firing.fire(task, "cancel", reason=f"request {firing.transition.event.replace('_', ' ')}")


def stamp_escalated(firing) -> None:
    _request(firing).escalated_at = clock.now()


def stamp_reopened(firing) -> None:
    request = _request(firing)
    request.reopened_at = clock.now()
    request.reopen_reason = firing.reason


def stamp_closed(firing) -> None:
    _request(firing).closed_at = clock.now()


def save_rating(firing) -> None:
    """As for applications: a poor rating asks each department that handled the request to rectify."""
    ratings.save_rating(firing, _departments_to_answer(firing))


def _departments_to_answer(firing) -> tuple[str, ...]:
    """The lead and the co-handlers that gave their input; the office when it answered alone."""
    handled = [
        task.department
        for task in firing.tasks()
        if task.item_code != EnterpriseTaskRole.TRIAGE and task.status == EnterpriseTaskStatus.DONE
    ]
    return tuple(dict.fromkeys(handled)) or (OFFICE_DEPARTMENT,)


# --- notifications ----------------------------------------------------------


def _tell_firm(firing, template: str, **params) -> None:
    request = _request(firing)
    notify(
        firing.session,
        user=firing.applicant,
        case=request,
        template=template,
        params={"number": request.number, **params},
    )


def notify_raised(firing) -> None:
    request = _request(firing)
    assert request.deadline is not None  # stamped just before
    _tell_firm(
        firing,
        N_("We have received enterprise request %(number)s. You will have an answer by %(deadline)s."),
        deadline=request.deadline.isoformat(),
    )


def notify_routed(firing) -> None:
    department = firing.catalog.departments[_request(firing).lead_department]
    _tell_firm(
        firing,
        N_("Enterprise request %(number)s is with %(department)s, who will answer it."),
        department=department.name.zh,
        department_en=department.name.en,
    )


def notify_answered(firing) -> None:
    _tell_firm(firing, N_("Enterprise request %(number)s is answered: %(answer)s"), answer=_request(firing).answer)


def notify_office_supervisors(firing) -> None:
    request = _request(firing)
    template = (
        N_("Enterprise request %(number)s was reopened by the firm: %(reason)s")
        if firing.transition.event == "reopen"
        else N_("Enterprise request %(number)s is overdue: it was due by %(deadline)s.")
    )
    notify_staff(
        firing.session,
        role=Role.SUPERVISOR,
        department=OFFICE_DEPARTMENT,
        case=request,
        template=template,
        params={
            "number": request.number,
            "reason": firing.reason or "",
            "deadline": request.deadline.isoformat() if request.deadline else "",
        },
    )


def reply_by(calendar, request) -> date:
    """The last day the firm may confirm or reopen the answer it reads now."""
    assert request.answered_on is not None  # answered
    return calendar.add_working_days(request.answered_on, REPLY_WORKING_DAYS)


def notify_closed_unconfirmed(firing) -> None:
    _tell_firm(
        firing,
        N_(
            "Enterprise request %(number)s is closed: you did not reply to its answer within %(days)s working days. "
            "You can still rate it; raise a new request if the problem remains."
        ),
        days=REPLY_WORKING_DAYS,
    )
