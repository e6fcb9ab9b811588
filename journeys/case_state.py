"""Read-only snapshots of cases other than applications, for the expectations (served only in test mode).

Each kind answers the keys its expectations read (journeys/vocabulary.py EXPECTATION_KINDS), in the
shape the application's snapshot uses, so one comparison serves every kind.
"""

from sqlalchemy import func
from sqlmodel import Session, col, select

from journeys.state import english
from services import clock
from services.applications.progress import task_clock
from services.catalog import default_catalog
from services.errors import NotFound
from services.models import (
    Application,
    BenefitOffer,
    CommonProblem,
    Dispute,
    DisputeVisit,
    EnterpriseRequest,
    Notification,
    Rating,
    Task,
    User,
)
from services.workdays import load_calendar
from services.workflow.benefits.rules import yuan


def _key(session: Session, model: type, row_id: int | None) -> str | None:
    row = session.get(model, row_id) if row_id is not None else None
    return row.key if row is not None else None


def _tasks(session: Session, kind: str, case_id: int) -> dict[str, dict]:
    """The case's tasks by department or agency (the latest where one holds more: the court's confirmation)."""
    calendar, today = load_calendar(session=session), clock.china_today()
    rows = {}
    for task in session.exec(
        select(Task).where(col(Task.case_kind) == kind, col(Task.case_id) == case_id).order_by(col(Task.id))
    ):
        counted = task_clock(task, calendar, today, default_catalog().sla)
        rows[task.department] = {
            "key": task.key,
            "role": task.item_code,
            "status": task.status,
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "colour": counted.colour if counted else "none",
        }
    return rows


def _notifications(session: Session, chain: str) -> list[dict]:
    found = session.exec(
        select(Notification, User.key)
        .join(User, col(User.id) == col(Notification.user_id))
        .where(col(Notification.case_chain) == chain, col(Notification.channel) == "in_app")
        .order_by(col(Notification.id))
    ).all()
    return [
        {"to": user_key, "text": english(n.template, n.params), "sent": n.sent_at is not None} for n, user_key in found
    ]


def request_state(*, session: Session, key: str) -> dict:
    request = session.exec(select(EnterpriseRequest).where(col(EnterpriseRequest.key) == key)).first()
    if request is None:
        raise NotFound("no such request")
    assert request.id is not None  # read from the database
    rating = session.exec(select(Rating).where(col(Rating.case_chain) == request.chain)).first()
    problem = session.get(CommonProblem, request.problem_id) if request.problem_id else None
    return {
        "key": request.key,
        "number": request.number,
        "category": request.category,
        "status": request.status,
        "deadline": request.deadline.isoformat() if request.deadline else None,
        "lead_department": request.lead_department,
        "escalated": request.escalated_at is not None,
        "reopened": request.reopened_at is not None,
        "answer": request.answer,
        "problem": problem.title if problem else None,
        "tasks": _tasks(session, request.CHAIN_KIND, request.id),
        "notifications": _notifications(session, request.chain),
        "rating": rating.score if rating else None,
        "today": clock.china_today().isoformat(),
    }


def dispute_state(*, session: Session, key: str) -> dict:
    dispute = session.exec(select(Dispute).where(col(Dispute.key) == key)).first()
    if dispute is None:
        raise NotFound("no such dispute")
    assert dispute.id is not None  # read from the database
    visits = session.exec(
        select(func.count()).select_from(DisputeVisit).where(col(DisputeVisit.dispute_id) == dispute.id)
    ).one()
    return {
        "key": dispute.key,
        "number": dispute.number,
        "status": dispute.status,
        "deadline": dispute.deadline.isoformat() if dispute.deadline else None,
        "centre": dispute.centre_code,
        "referral": dispute.referral,
        "answer": dispute.answer,
        "visits": visits,
        "tasks": _tasks(session, dispute.CHAIN_KIND, dispute.id),
        "notifications": _notifications(session, dispute.chain),
        "today": clock.china_today().isoformat(),
    }


def offer_state(*, session: Session, key: str) -> dict:
    offer = session.exec(select(BenefitOffer).where(col(BenefitOffer.key) == key)).first()
    if offer is None:
        raise NotFound("no such offer")
    assert offer.id is not None  # read from the database
    return {
        "key": offer.key,
        "number": offer.number,
        "policy": offer.policy,
        "status": offer.status,
        "amount": yuan(offer.amount_fen),
        "deadline": offer.deadline.isoformat() if offer.deadline else None,
        "review": _key(session, Application, offer.review_application_id),
        "tasks": _tasks(session, offer.CHAIN_KIND, offer.id),
        "notifications": _notifications(session, offer.chain),
        "today": clock.china_today().isoformat(),
    }
