"""The business-environment office (营商办): triage within a working day, direct answers, second answers, escalation."""

import logging

from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.db import transactional
from services.enterprise.access import get_request
from services.errors import Conflict
from services.models import EnterpriseRequest, EnterpriseRequestStatus, User
from services.workdays import load_calendar
from services.workflow.engine import fire
from services.workflow.enterprise.rules import reply_by
from services.workflow.locks import lock_case

log = logging.getLogger(__name__)


@transactional
def route_request(
    *, session: Session, actor: User, key: str, catalog: Catalog, lead: str, co_handlers: list[str]
) -> EnterpriseRequest:
    """The office names the lead department and the co-handlers: each gets a task, due when the answer is."""
    request = get_request(session, actor, key, for_update=True)
    fire(
        session=session,
        subject=request,
        event="route",
        actor=actor,
        catalog=catalog,
        given={"lead": lead, "co_handlers": list(co_handlers)},
    )
    return request


@transactional
def answer_request_directly(
    *, session: Session, actor: User, key: str, catalog: Catalog, answer: str
) -> EnterpriseRequest:
    request = get_request(session, actor, key, for_update=True)
    fire(
        session=session,
        subject=request,
        event="answer_directly",
        actor=actor,
        catalog=catalog,
        given={"answer": answer},
    )
    return request


@transactional
def answer_reopened_request(
    *, session: Session, actor: User, key: str, catalog: Catalog, answer: str
) -> EnterpriseRequest:
    """The second answer, after the firm reopened the request: the office's supervisor gives it."""
    request = get_request(session, actor, key, for_update=True)
    fire(session=session, subject=request, event="answer_again", actor=actor, catalog=catalog, given={"answer": answer})
    return request


def escalate_overdue_requests(*, session: Session, catalog: Catalog) -> int:
    """Tell the office's supervisor of each request past its promised answer, once; returns how many.

    Run with the SLA sweep. Each request is its own transaction, taken with SKIP LOCKED: one
    someone is changing right now is left for the next run.
    """
    today = clock.china_today()
    keys = list(
        session.exec(
            select(EnterpriseRequest.key).where(
                col(EnterpriseRequest.status).in_(EnterpriseRequestStatus.BEING_HANDLED),
                col(EnterpriseRequest.deadline) < today,
                col(EnterpriseRequest.escalated_at).is_(None),
            )
        )
    )
    session.rollback()  # end the read; each escalation is its own transaction
    escalated = 0
    for key in keys:
        try:
            _escalate(session=session, catalog=catalog, key=key)
        except Conflict:
            continue  # answered, escalated or being changed meanwhile
        escalated += 1
    log.info("enterprise requests: %d escalated", escalated)
    return escalated


def close_unconfirmed_requests(*, session: Session, catalog: Catalog) -> int:
    """Close each answer the firm let pass its reply window without a word; returns how many.

    Run with the SLA sweep, one transaction per request, like the escalation.
    """
    calendar, today = load_calendar(session=session), clock.china_today()
    answered = session.exec(
        select(EnterpriseRequest).where(col(EnterpriseRequest.status) == EnterpriseRequestStatus.ANSWERED)
    )
    keys = [request.key for request in answered if reply_by(calendar, request) < today]
    session.rollback()  # end the read; each closing is its own transaction
    closed = 0
    for key in keys:
        try:
            close_unconfirmed_request(session=session, catalog=catalog, key=key)
        except Conflict:
            continue  # the firm replied, or someone is changing it, meanwhile
        closed += 1
    log.info("enterprise requests: %d closed without the firm's reply", closed)
    return closed


@transactional
def close_unconfirmed_request(*, session: Session, catalog: Catalog, key: str) -> None:
    """Close one answer past its reply window (Conflict if the firm replied or it is being changed)."""
    request = lock_case(session, EnterpriseRequest, col(EnterpriseRequest.key) == key, skip_locked=True)
    if request is None:
        raise Conflict("someone else is changing this request")
    fire(session=session, subject=request, event="close_unconfirmed", actor=None, catalog=catalog)


@transactional
def _escalate(*, session: Session, catalog: Catalog, key: str) -> None:
    request = lock_case(session, EnterpriseRequest, col(EnterpriseRequest.key) == key, skip_locked=True)
    if request is None:
        raise Conflict("someone else is changing this request")
    fire(session=session, subject=request, event="escalate", actor=None, catalog=catalog)
