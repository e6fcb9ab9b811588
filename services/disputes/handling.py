"""The centre's intake, the parties and the agencies act on a dispute: each action one row of its tables.

Every change locks the dispute first (`lock_case`), so two people acting on one dispute at once
queue up: the second sees what the first left, or is told the dispute moved on.
"""

from datetime import datetime
from hashlib import sha256
from typing import Any

from sqlmodel import Session, col, select

from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid
from services.i18n import N_
from services.models import Dispute, DisputeStatus, Task, User
from services.policy import may_view_task, require_visible
from services.workflow.engine import fire
from services.workflow.locks import lock_case, lock_task_and_case

from .access import may_view_dispute
from .evidence import EvidenceFile, Store, check_evidence, keep_evidence


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
    dispute = _locked_dispute(session, actor, key)
    fire(session=session, subject=dispute, event=event, actor=actor, catalog=catalog, reason=reason, given=given)
    return dispute


def _locked_dispute(session: Session, actor: User, key: str) -> Dispute:
    dispute = lock_case(session, Dispute, col(Dispute.key) == key)
    require_visible(
        dispute is not None and may_view_dispute(actor, dispute, tasks_of_dispute(session, dispute)), "dispute"
    )
    assert dispute is not None  # require_visible refused otherwise
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


def add_evidence(
    *, session: Session, actor: User, key: str, evidence: list[EvidenceFile], store: Store, catalog: Catalog
) -> Dispute:
    """A party gives more evidence while the dispute is open: kept like the filing's, the others told.

    One transaction; files already written are removed again if it does not commit.
    """
    stored: list[str] = []
    try:
        checked = check_evidence(evidence)
        if not checked:
            raise Invalid("no evidence", {"evidence": N_("Choose at least one file.")})
        given = {"files": [{"name": file.filename, "sha256": sha256(file.data).hexdigest()} for file in checked]}
        dispute = _locked_dispute(session, actor, key)
        # Before registration the filing is still the applicant's own to complete; the other party is not in it yet.
        event = "supplement_filing" if dispute.status == DisputeStatus.FILED else "supplement"
        fire(session=session, subject=dispute, event=event, actor=actor, catalog=catalog, given=given)
        assert dispute.id is not None and actor.id is not None  # stored rows
        keep_evidence(session, dispute_id=dispute.id, uploader_id=actor.id, checked=checked, store=store, stored=stored)
        session.commit()
    except BaseException:
        session.rollback()
        for name in stored:
            store.delete(name)
        raise
    return dispute


@transactional
def rate_dispute(*, session: Session, actor: User, key: str, score: int, comment: str, catalog: Catalog) -> Dispute:
    return _fire_on_dispute(session, actor, key, "rate", catalog, given={"score": score, "comment": comment})


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
