"""The budget: accepted offers are approved in the order they were accepted while the policy's budget lasts.

Only the approval holds a policy's budget row (`lock_budget`); it runs as the system, right after
accepts (the worker's job every minute, or `flask benefits approve`), never in a citizen's request.
The first offer that does not fit stops the line: later ones wait behind it, in order, until the
budget is raised in the catalogue. An offer above the policy's review threshold is flagged for a
clerk of its department instead, and is held to the budget when the clerk approves it.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from services.catalog import Catalog
from services.db import transactional
from services.errors import NotAllowed, NotFound
from services.models import BenefitOffer, BenefitOfferStatus, User
from services.policy import may_view_task
from services.workflow.benefits.rules import budget_fen, lock_budget, needs_review
from services.workflow.engine import fire
from services.workflow.locks import lock_case, lock_task_and_case


@dataclass
class Approval:
    approved: list[str] = field(default_factory=list)  # offer numbers, in the order approved
    flagged: list[str] = field(default_factory=list)
    waiting: int = 0  # accepted offers left waiting for budget


@transactional
def approve_accepted(*, session: Session, catalog: Catalog, policy_code: str) -> Approval:
    """Approve a policy's accepted offers in order of acceptance while its budget lasts."""
    policy = catalog.policies[policy_code]
    budget = lock_budget(session, policy_code)
    result = Approval()
    queue = session.exec(
        select(BenefitOffer.id)
        .where(col(BenefitOffer.policy) == policy_code, col(BenefitOffer.status) == BenefitOfferStatus.ACCEPTED)
        .order_by(col(BenefitOffer.accepted_at), col(BenefitOffer.id))
    ).all()
    for position, offer_id in enumerate(queue):
        offer = lock_case(session, BenefitOffer, col(BenefitOffer.id) == offer_id)
        assert offer is not None and offer.status == BenefitOfferStatus.ACCEPTED  # only the approval moves these
        if needs_review(policy, offer.amount_fen):
            fire(session=session, subject=offer, event="flag", actor=None, catalog=catalog)
            result.flagged.append(offer.number)
            continue
        if budget.committed_fen + offer.amount_fen > budget_fen(policy):
            result.waiting = len(queue) - position
            break
        fire(session=session, subject=offer, event="approve", actor=None, catalog=catalog, given={"budget": budget})
        result.approved.append(offer.number)
    return result


def approve_all_accepted(*, session: Session, catalog: Catalog) -> dict[str, Approval]:
    """The approval for every policy with accepted offers (the worker's job)."""
    policies = session.exec(
        select(BenefitOffer.policy).where(col(BenefitOffer.status) == BenefitOfferStatus.ACCEPTED).distinct()
    ).all()
    return {
        code: approve_accepted(session=session, catalog=catalog, policy_code=code)
        for code in sorted(policies)
        if code in catalog.policies
    }


@transactional
def decide_review(
    *, session: Session, actor: User, task_key: str, event: str, catalog: Catalog, reason: str | None = None
) -> BenefitOffer:
    """A clerk's step on a flagged offer's check: claim, release, approve (held to the budget) or refuse."""
    if event not in ("claim", "release", "approve", "refuse"):
        raise NotAllowed(f"there is no action called {event!r}")
    task, offer = lock_task_and_case(session, task_key)
    # Another department's check is none of the actor's business: not found, as its page is.
    if task is None or task.case_kind != BenefitOffer.CHAIN_KIND or not may_view_task(actor, task):
        raise NotFound("no such task")
    given = {}
    if event == "approve":
        given["budget"] = lock_budget(session, offer.policy)
    fire(
        session=session, subject=task, event=event, actor=actor, catalog=catalog, case=offer, reason=reason, given=given
    )
    return offer
