"""The centre's intake, the parties and the agencies act on a dispute: each action one row of its tables.

Every change locks the dispute first (`lock_case`), so two people acting on one dispute at once
queue up: the second sees what the first left, or is told the dispute moved on.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from services.catalog import Catalog
from services.db import transactional
from services.models import Dispute, Task, User
from services.policy import may_view_task, require_visible
from services.workflow.engine import fire
from services.workflow.locks import lock_case, lock_task_and_case

from .access import may_view_dispute


def tasks_of_dispute(session: Session, dispute: Dispute) -> list[Task]:
    return list(
        session.exec(
            select(Task)
            .where(col(Task.case_kind) == Dispute.CHAIN_KIND, col(Task.case_id) == dispute.id)
            .order_by(col(Task.id))
        )
    )


def _fire_on_dispute(
    session: Session,
    actor: User,
    key: str,
    event: str,
    catalog: Catalog,
    reason: str | None = None,
    given: dict[str, Any] | None = None,
) -> Dispute:
    dispute = lock_case(session, Dispute, col(Dispute.key) == key)
    require_visible(
        dispute is not None and may_view_dispute(actor, dispute, tasks_of_dispute(session, dispute)), "dispute"
    )
    fire(session=session, subject=dispute, event=event, actor=actor, catalog=catalog, reason=reason, given=given)
    return dispute


def _fire_on_task(
    session: Session,
    actor: User,
    key: str,
    event: str,
    catalog: Catalog,
    reason: str | None = None,
    given: dict[str, Any] | None = None,
) -> Task:
    task, dispute = lock_task_and_case(session, key)
    require_visible(
        task is not None and task.case_kind == Dispute.CHAIN_KIND and may_view_task(actor, task), "dispute task"
    )
    assert task is not None
    fire(
        session=session,
        subject=task,
        event=event,
        actor=actor,
        catalog=catalog,
        case=dispute,
        reason=reason,
        given=given,
    )
    return task


# --- the centre's intake --------------------------------------------------------------


@transactional
def register_dispute(*, session: Session, actor: User, key: str, routes: list[str], catalog: Catalog) -> Dispute:
    """Register the dispute and route it: one task for each route's agency."""
    return _fire_on_dispute(session, actor, key, "register", catalog, given={"routes": routes})


@transactional
def decline_dispute(*, session: Session, actor: User, key: str, reason: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "decline", catalog, reason=reason)


@transactional
def record_visit_to_centre(*, session: Session, actor: User, key: str, purpose: str, catalog: Catalog) -> Dispute:
    """A party came to the centre in person: counted, so "at most one place" is measured, not assumed."""
    return _fire_on_dispute(session, actor, key, "record_visit", catalog, reason=purpose)


@transactional
def escalate_dispute(*, session: Session, actor: User, key: str, centre: str, reason: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "escalate", catalog, reason=reason, given={"centre": centre})


@transactional
def close_dispute(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "close", catalog)


# --- the parties ----------------------------------------------------------------------


@transactional
def answer_dispute(*, session: Session, actor: User, key: str, answer: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "answer", catalog, given={"answer": answer})


@transactional
def consent_to_extension(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "consent_extension", catalog)


@transactional
def refuse_extension(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "refuse_extension", catalog)


@transactional
def withdraw_dispute(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "withdraw", catalog)


@transactional
def request_judicial_confirmation(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "request_confirmation", catalog)


@transactional
def report_agreement_honoured(*, session: Session, actor: User, key: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "report_honoured", catalog)


# --- the agencies ---------------------------------------------------------------------


@transactional
def claim_dispute_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire_on_task(session, actor, key, "claim", catalog)


@transactional
def release_dispute_task(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire_on_task(session, actor, key, "release", catalog)


@transactional
def schedule_mediation_session(
    *, session: Session, actor: User, key: str, at: datetime | None, place: str, catalog: Catalog
) -> Task:
    return _fire_on_task(session, actor, key, "schedule_session", catalog, given={"at": at, "place": place})


@transactional
def propose_extension(
    *, session: Session, actor: User, key: str, days: int | None, reason: str, catalog: Catalog
) -> Task:
    return _fire_on_task(session, actor, key, "propose_extension", catalog, reason=reason, given={"days": days})


@transactional
def record_agreement(*, session: Session, actor: User, key: str, terms: str, catalog: Catalog) -> Task:
    return _fire_on_task(session, actor, key, "record_agreement", catalog, given={"terms": terms})


@transactional
def record_no_agreement(
    *, session: Session, actor: User, key: str, referral: str, reason: str, catalog: Catalog
) -> Task:
    return _fire_on_task(
        session, actor, key, "record_no_agreement", catalog, reason=reason, given={"referral": referral}
    )


@transactional
def confirm_agreement(*, session: Session, actor: User, key: str, catalog: Catalog) -> Task:
    return _fire_on_task(session, actor, key, "confirm_agreement", catalog)


@transactional
def refuse_confirmation(*, session: Session, actor: User, key: str, reason: str, catalog: Catalog) -> Task:
    return _fire_on_task(session, actor, key, "refuse_confirmation", catalog, reason=reason)
