"""Common problems: similar requests grouped by the office, so one policy answer reaches every firm that asked."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.db import transactional
from services.enterprise.access import get_request, is_office_staff
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.i18n import N_
from services.models import CommonProblem, EnterpriseRequest, EnterpriseRequestStatus, User
from services.models.enterprise import ANSWER_MAX_LENGTH, PROBLEM_TITLE_MAX_LENGTH
from services.policy import is_clerk_of
from services.requirements.fields import refuse_if_too_long
from services.workflow.engine import fire
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from services.workflow.locks import lock_case


@dataclass(frozen=True)
class ProblemRow:
    problem: CommonProblem
    requests: int  # linked, in every status


def _require_office_clerk(actor: User) -> None:
    if not is_clerk_of(actor, OFFICE_DEPARTMENT):
        raise NotAllowed(N_("only a clerk of the business-environment office may do this"))


def _lock_problem(session: Session, key: str) -> CommonProblem:
    problem = session.exec(
        select(CommonProblem)
        .where(col(CommonProblem.key) == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if problem is None:
        raise NotFound("no such common problem")
    return problem


def common_problems(*, session: Session, actor: User) -> list[ProblemRow]:
    """Every common problem, newest first, with how many requests are linked to it."""
    if not is_office_staff(actor):
        raise NotAllowed(N_("only the business-environment office may do this"))
    linked = (
        select(EnterpriseRequest.problem_id, func.count().label("n"))
        .group_by(col(EnterpriseRequest.problem_id))
        .subquery()
    )
    rows = session.exec(
        select(CommonProblem, func.coalesce(linked.c.n, 0))
        .outerjoin(linked, linked.c.problem_id == CommonProblem.id)
        .order_by(col(CommonProblem.created_at).desc(), col(CommonProblem.id).desc())
    )
    return [ProblemRow(problem, count) for problem, count in rows]


@transactional
def create_common_problem(
    *, session: Session, actor: User, catalog: Catalog, title: str, category: str
) -> CommonProblem:
    _require_office_clerk(actor)
    title = title.strip()
    errors = {}
    if not title:
        errors["title"] = N_("Name the common problem.")
    if category not in catalog.request_categories:
        errors["category"] = N_("Choose the category of your request.")
    if errors:
        raise Invalid(N_("the common problem cannot be created as it is"), errors)
    refuse_if_too_long("title", title, PROBLEM_TITLE_MAX_LENGTH)
    assert actor.id is not None  # a signed-in account
    problem = CommonProblem(title=title, category=category, created_by_id=actor.id)
    session.add(problem)
    return problem


@transactional
def link_request_to_problem(
    *, session: Session, actor: User, key: str, problem_key: str, catalog: Catalog
) -> EnterpriseRequest:
    """Linked to a problem already answered, the request is answered with its policy answer at once.

    The problem is locked before the request, as its answer does: a link and the answer never miss each other.
    """
    problem = _lock_problem(session, problem_key)
    request = get_request(session, actor, key, for_update=True)
    fire(
        session=session, subject=request, event="link_problem", actor=actor, catalog=catalog, given={"problem": problem}
    )
    return request


@transactional
def answer_common_problem(*, session: Session, actor: User, problem_key: str, catalog: Catalog, answer: str) -> int:
    """The one policy answer: every linked request still being handled is answered with it (each firm is told,
    each case's chain records it). Returns how many were answered."""
    _require_office_clerk(actor)
    answer = answer.strip()
    if not answer:
        raise Invalid(N_("an answer is required"), {"answer": N_("Write the answer.")})
    refuse_if_too_long("answer", answer, ANSWER_MAX_LENGTH)
    problem = _lock_problem(session, problem_key)
    if problem.answer is not None:
        raise Conflict(N_("this common problem has its answer already"))
    problem.answer = answer
    problem.answered_by_id = actor.id
    problem.answered_at = clock.now()
    session.add(problem)
    ids = list(
        session.exec(
            select(EnterpriseRequest.id)
            .where(
                col(EnterpriseRequest.problem_id) == problem.id,
                col(EnterpriseRequest.status).in_(EnterpriseRequestStatus.BEING_HANDLED),
            )
            .order_by(col(EnterpriseRequest.id))
        )
    )
    answered = 0
    for request_id in ids:
        request = lock_case(session, EnterpriseRequest, col(EnterpriseRequest.id) == request_id)
        if request.status not in EnterpriseRequestStatus.BEING_HANDLED:
            continue  # withdrawn or answered since it was read
        fire(
            session=session,
            subject=request,
            event="answer_by_policy",
            actor=None,
            catalog=catalog,
            given={"answer": answer, "problem": problem.key, "answered_by_id": actor.id},
        )
        answered += 1
    return answered
