"""Read-only views of enterprise requests: the firm's list, the office's lists, one request with its history."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists
from sqlmodel import Session, col, select

from services import clock
from services.audit import history
from services.catalog import Catalog
from services.deadline_colour import Colour, colour
from services.enterprise.access import get_request, is_office_staff
from services.errors import NotAllowed, NotFound
from services.i18n import N_
from services.models import (
    AuditEvent,
    CommonProblem,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    RequestAttachment,
    Role,
    Task,
    User,
)
from services.workdays import load_calendar
from services.workflow.engine import available_events
from services.workflow.enterprise.rules import reply_by

LIST_LIMIT = 100


def my_requests(*, session: Session, actor: User) -> list[EnterpriseRequest]:
    """The firm's own requests, newest first."""
    return list(
        session.exec(
            select(EnterpriseRequest)
            .where(
                col(EnterpriseRequest.applicant_id) == actor.id,
                col(EnterpriseRequest.status) != EnterpriseRequestStatus.DRAFT,
            )
            .order_by(col(EnterpriseRequest.submitted_at).desc(), col(EnterpriseRequest.id).desc())
            .limit(LIST_LIMIT)
        )
    )


@dataclass(frozen=True)
class OfficeRow:
    request: EnterpriseRequest
    colour: Colour  # of the promised answer's deadline


@dataclass(frozen=True)
class OfficeLists:
    """The office's work: to triage, with the departments, reopened (the supervisor's), most urgent first."""

    triage: list[OfficeRow]
    in_progress: list[OfficeRow]
    reopened: list[OfficeRow]


def office_lists(*, session: Session, actor: User) -> OfficeLists:
    """The office's and the city's: every request; a department's supervisor: those the department has a task on."""
    department = None
    if not is_office_staff(actor):
        if actor.role != Role.SUPERVISOR:
            raise NotAllowed(N_("only the business-environment office may do this"))
        department = actor.department
    calendar, today = load_calendar(session=session), clock.china_today()

    def rows(status: str) -> list[OfficeRow]:
        query = select(EnterpriseRequest).where(col(EnterpriseRequest.status) == status)
        if department is not None:
            query = query.where(
                exists().where(
                    col(Task.case_kind) == EnterpriseRequest.CHAIN_KIND,
                    col(Task.case_id) == EnterpriseRequest.id,
                    col(Task.department) == department,
                )
            )
        found = session.exec(
            query.order_by(col(EnterpriseRequest.deadline), col(EnterpriseRequest.id)).limit(LIST_LIMIT)
        )
        return [
            OfficeRow(request, colour(calendar, today, request.deadline) if request.deadline else "green")
            for request in found
        ]

    return OfficeLists(
        triage=rows(EnterpriseRequestStatus.TRIAGE),
        in_progress=rows(EnterpriseRequestStatus.IN_PROGRESS),
        reopened=rows(EnterpriseRequestStatus.REOPENED),
    )


@dataclass(frozen=True)
class RequestDetail:
    request: EnterpriseRequest
    firm: User
    attachments: list[RequestAttachment]
    tasks: list[Task]
    problem: CommonProblem | None
    events: list[AuditEvent]
    actions: list[str]  # the rows of the request's table this actor may fire now
    colour: Colour
    reply_by: date | None  # while the answer waits for the firm: its last day to confirm or reopen


def request_detail(*, session: Session, actor: User, key: str, catalog: Catalog) -> RequestDetail:
    request = get_request(session, actor, key)
    firm = session.get(User, request.applicant_id)
    assert firm is not None  # a foreign key holds it
    tasks = list(
        session.exec(
            select(Task)
            .where(col(Task.case_kind) == request.CHAIN_KIND, col(Task.case_id) == request.id)
            .order_by(col(Task.id))
        )
    )
    attachments = list(
        session.exec(
            select(RequestAttachment)
            .where(col(RequestAttachment.request_id) == request.id)
            .order_by(col(RequestAttachment.id))
        )
    )
    problem = session.get(CommonProblem, request.problem_id) if request.problem_id else None
    calendar, today = load_calendar(session=session), clock.china_today()
    return RequestDetail(
        request=request,
        firm=firm,
        attachments=attachments,
        tasks=tasks,
        problem=problem,
        events=history(session=session, case=request),
        actions=available_events(actor, request, request, catalog),
        colour=colour(calendar, today, request.deadline) if request.deadline else "green",
        reply_by=reply_by(calendar, request) if request.status == EnterpriseRequestStatus.ANSWERED else None,
    )


def request_attachment(*, session: Session, actor: User, key: str) -> RequestAttachment:
    """A file of a request the actor may see."""
    attachment = session.exec(select(RequestAttachment).where(col(RequestAttachment.key) == key)).first()
    if attachment is None:
        raise NotFound("no such file")
    request = session.get(EnterpriseRequest, attachment.request_id)
    assert request is not None  # a foreign key holds it
    get_request(session, actor, request.key)
    return attachment


@dataclass(frozen=True)
class ProblemDetail:
    problem: CommonProblem
    requests: list[EnterpriseRequest]


def problem_detail(*, session: Session, actor: User, key: str) -> ProblemDetail:
    """A common problem with the requests linked to it, for the office."""
    if not is_office_staff(actor):
        raise NotAllowed(N_("only the business-environment office may do this"))
    problem = session.exec(select(CommonProblem).where(col(CommonProblem.key) == key)).first()
    if problem is None:
        raise NotFound("no such common problem")
    linked = session.exec(
        select(EnterpriseRequest)
        .where(col(EnterpriseRequest.problem_id) == problem.id)
        .order_by(col(EnterpriseRequest.submitted_at), col(EnterpriseRequest.id))
    )
    return ProblemDetail(problem, list(linked))
