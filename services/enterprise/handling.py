"""A department's work on enterprise requests: its queue and inbox of request tasks, the input and the answer."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.db import transactional
from services.deadline_colour import Colour, colour
from services.enterprise.access import get_request_task
from services.models import EnterpriseRequest, EnterpriseTaskRole, EnterpriseTaskStatus, Task, User
from services.policy import require_department_clerk
from services.workdays import load_calendar
from services.workflow.engine import fire

HANDLING_ROLES = (EnterpriseTaskRole.LEAD, EnterpriseTaskRole.CO_HANDLER)
LIST_LIMIT = 100


@dataclass(frozen=True)
class RequestTaskRow:
    task: Task
    request: EnterpriseRequest
    colour: Colour


@dataclass(frozen=True)
class RequestWork:
    """A clerk's request tasks: the department's queue and the ones the clerk holds, most urgent first."""

    queue: list[RequestTaskRow]
    held: list[RequestTaskRow]


def request_work(*, session: Session, actor: User) -> RequestWork:
    department = require_department_clerk(actor)
    calendar, today = load_calendar(session=session), clock.china_today()

    def rows(*where) -> list[RequestTaskRow]:
        found = session.exec(
            select(Task, EnterpriseRequest)
            .join(EnterpriseRequest, col(EnterpriseRequest.id) == Task.case_id)
            .where(col(Task.case_kind) == EnterpriseRequest.CHAIN_KIND, col(Task.item_code).in_(HANDLING_ROLES), *where)
            .order_by(col(Task.deadline), col(Task.id))
            .limit(LIST_LIMIT)
        )
        return [
            RequestTaskRow(task, request, colour(calendar, today, task.deadline) if task.deadline else "green")
            for task, request in found
        ]

    return RequestWork(
        queue=rows(col(Task.department) == department, col(Task.status) == EnterpriseTaskStatus.READY),
        held=rows(col(Task.assignee_id) == actor.id, col(Task.status) == EnterpriseTaskStatus.CLAIMED),
    )


def _fire_task(session: Session, actor: User, key: str, catalog: Catalog, event: str, **kwargs) -> Task:
    task, request = get_request_task(session, actor, key)
    fire(session=session, subject=task, event=event, actor=actor, catalog=catalog, case=request, **kwargs)
    return task


@transactional
def claim_request_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire_task(session, actor, key, catalog, "claim")


@transactional
def release_request_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire_task(session, actor, key, catalog, "release")


@transactional
def give_request_input(*, session: Session, actor: User, key: str, catalog: Catalog, text: str) -> Task:
    """A co-handler's input: its task is done, and the lead department is told."""
    return _fire_task(session, actor, key, catalog, "give_input", given={"answer": text})


@transactional
def draft_request_answer(*, session: Session, actor: User, key: str, catalog: Catalog, answer: str) -> Task:
    """The lead's answer, once every co-handler gave its input: it reaches the firm as the request's answer."""
    return _fire_task(session, actor, key, catalog, "draft_answer", given={"answer": answer})
