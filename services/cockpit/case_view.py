"""The supervisor's read-only view of one case of any registered kind: its timeline, tasks, messages and rating."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from services.audit import history
from services.catalog import Catalog
from services.cockpit.scope import case_of_task
from services.db import referenced
from services.models import Application, AuditEvent, Notification, Rating, Role, Task, User
from services.policy import require_role, require_visible, watched_department
from services.workflow.case_kind import CaseType
from services.workflow.case_types import case_types


@dataclass(frozen=True)
class SupervisedCase:
    case_type: CaseType
    case: Any
    applicant: User
    tasks: list[Task]
    events: list[AuditEvent]  # the full timeline, causes before their effects
    messages: list[Notification]  # everything sent about the case, on every channel
    rating: Rating | None


def _about(chain_column, application_column, case: Any):
    """Rows about the case: an application's by its foreign key, any kind's by its chain."""
    if isinstance(case, Application):
        return or_(application_column == case.id, chain_column == case.chain)
    return chain_column == case.chain


def supervised_case(*, session: Session, actor: User, catalog: Catalog, kind: str, number: str) -> SupervisedCase:
    """The case numbered `number`; a department's supervisor sees only cases their department has a part in."""
    require_role(actor, Role.SUPERVISOR)
    case_type = case_types().get(kind)
    require_visible(case_type is not None, "case")
    assert case_type is not None  # require_visible refused an unknown kind
    model: Any = case_type.model
    case = session.exec(select(model).where(model.number == number)).first()
    require_visible(case is not None, "case")
    assert case is not None  # require_visible refused a missing one
    tasks = list(
        session.exec(
            select(Task).join(model, case_of_task(case_type)).where(model.id == case.id).order_by(col(Task.id))
        ).all()
    )
    department = watched_department(actor)
    if department is not None:
        by_service = isinstance(case, Application) and department in catalog.service(case.service_code).departments
        require_visible(by_service or any(task.department == department for task in tasks), "case")
    messages = session.exec(
        select(Notification)
        .where(_about(Notification.case_chain, Notification.application_id, case))
        .order_by(col(Notification.created_at), col(Notification.id))
    ).all()
    rating = session.exec(select(Rating).where(_about(Rating.case_chain, Rating.application_id, case))).first()
    return SupervisedCase(
        case_type,
        case,
        referenced(session, User, case.applicant_id),
        tasks,
        history(session=session, case=case),
        list(messages),
        rating,
    )
