"""The answers to an offer: accept with a bank account, decline with a reason, dispute the amount, correct an account.

Whoever answers is the subject, or the employer of record where the policy is accepted by the employer.

Accepting touches the offer's own row only (its lock, its move, its audit chain): no row shared
with other subjects, so accepts of one policy never queue on each other. The budget is the
approval's business (`approval`), which takes accepted offers in the order they were accepted.
"""

from sqlmodel import Session, col, select

from services.catalog import Catalog
from services.db import transactional
from services.errors import NotFound
from services.models import BenefitOffer, User
from services.workflow.engine import fire
from services.workflow.locks import lock_case


@transactional
def accept_offer(
    *, session: Session, actor: User, key: str, bank_account: str, bank_name: str, catalog: Catalog
) -> BenefitOffer:
    """One click: the offer is accepted, to be paid into this account."""
    return _answer(session, actor, key, catalog, "accept", given={"bank_account": bank_account, "bank_name": bank_name})


@transactional
def decline_offer(*, session: Session, actor: User, key: str, reason: str, note: str, catalog: Catalog) -> BenefitOffer:
    return _answer(session, actor, key, catalog, "decline", given={"decline_reason": reason, "decline_note": note})


@transactional
def dispute_offer(
    *, session: Session, actor: User, key: str, claimed_amount: str, reason: str, catalog: Catalog
) -> BenefitOffer:
    """The amount is wrong: the offer waits while an application of the policy's review item decides it."""
    return _answer(
        session,
        actor,
        key,
        catalog,
        "dispute_amount",
        given={"claimed_amount": claimed_amount, "dispute_reason": reason},
    )


@transactional
def correct_account(
    *, session: Session, actor: User, key: str, bank_account: str, bank_name: str, catalog: Catalog
) -> BenefitOffer:
    """A payment the bank returned goes back to be paid, into the corrected account."""
    return _answer(
        session, actor, key, catalog, "correct_account", given={"bank_account": bank_account, "bank_name": bank_name}
    )


def _answer(session: Session, actor: User, key: str, catalog: Catalog, event: str, given: dict) -> BenefitOffer:
    offer = _lock_own_offer(session, actor, key)
    fire(session=session, subject=offer, event=event, actor=actor, catalog=catalog, given=given)
    return offer


def _lock_own_offer(session: Session, actor: User, key: str) -> BenefitOffer:
    """The offer, locked; anyone's but its subject's or its employer's reads as not found.

    The engine refuses the move to anyone but whoever answers the offer anyway; this says so before any
    lock is taken (and the subject of an offer its employer answers is refused by the engine: they may see it).
    """
    row = session.exec(
        select(BenefitOffer.applicant_id, BenefitOffer.employer_id).where(col(BenefitOffer.key) == key)
    ).first()
    if row is None or actor.id not in row:
        raise NotFound("no such offer")
    offer = lock_case(session, BenefitOffer, col(BenefitOffer.key) == key)
    assert offer is not None  # it was there a moment ago and offers are never deleted
    return offer


def last_bank_account(*, session: Session, actor: User) -> tuple[str, str] | None:
    """The account the subject's latest accepted offer named: the page proposes it again."""
    row = session.exec(
        select(BenefitOffer.bank_account, BenefitOffer.bank_name)
        .where(
            # The accounts this actor named: as a subject answering, or as an employer answering for employees.
            ((col(BenefitOffer.applicant_id) == actor.id) & col(BenefitOffer.employer_id).is_(None))
            | (col(BenefitOffer.employer_id) == actor.id),
            col(BenefitOffer.bank_account).is_not(None),
        )
        .order_by(col(BenefitOffer.accepted_at).desc(), col(BenefitOffer.id).desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]
