"""Who may see an enterprise request, and the locked reads every change starts with.

The firm sees its own; the business-environment office and city supervisors see every raised one;
a department's clerks and supervisor see those it was given a task on. A request outside the
actor's view is "not found", as an application is.
"""

from sqlmodel import Session, col, select

from services import policy
from services.errors import NotFound
from services.models import EnterpriseRequest, EnterpriseRequestStatus, Role, Task, User
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from services.workflow.locks import lock_case, lock_task_and_case


def task_departments(session: Session, request: EnterpriseRequest) -> set[str]:
    return set(
        session.exec(
            select(Task.department).where(col(Task.case_kind) == request.CHAIN_KIND, col(Task.case_id) == request.id)
        )
    )


def is_office_staff(actor: User | None) -> bool:
    """A clerk or supervisor of the business-environment office, or a city supervisor."""
    return policy.is_clerk_of(actor, OFFICE_DEPARTMENT) or policy.is_supervisor_of(actor, OFFICE_DEPARTMENT)


def may_view_request(session: Session, actor: User | None, request: EnterpriseRequest) -> bool:
    if actor is None:
        return False
    if actor.id == request.applicant_id:
        return True
    if request.status == EnterpriseRequestStatus.DRAFT or actor.role not in (Role.CLERK, Role.SUPERVISOR):
        return False
    if is_office_staff(actor):
        return True
    return bool(actor.department) and actor.department in task_departments(session, request)


def get_request(session: Session, actor: User, key: str, *, for_update: bool = False) -> EnterpriseRequest:
    """The request with this key if the actor may see it; locked first (and read afresh) to change it."""
    if for_update:
        request = lock_case(session, EnterpriseRequest, col(EnterpriseRequest.key) == key)
    else:
        request = session.exec(select(EnterpriseRequest).where(col(EnterpriseRequest.key) == key)).first()
    if request is None or not may_view_request(session, actor, request):
        raise NotFound("no such request")
    return request


def get_request_task(
    session: Session, actor: User, key: str, *, for_update: bool = True
) -> tuple[Task, EnterpriseRequest]:
    """A request's task of the actor's department (or any, for the office) and its request.

    To change it (`for_update`), the request is locked first and both are read afresh.
    """
    if for_update:
        task, request = lock_task_and_case(session, key)
    else:
        task = session.exec(select(Task).where(col(Task.key) == key)).first()
        request = session.get(EnterpriseRequest, task.case_id) if task is not None and task.case_id else None
    if (
        task is None
        or request is None
        or task.case_kind != EnterpriseRequest.CHAIN_KIND
        or not (
            policy.is_clerk_of(actor, task.department)
            or policy.is_supervisor_of(actor, task.department)
            or is_office_staff(actor)
        )
    ):
        raise NotFound("no such task")
    return task, request
