"""Many subjects accepting one policy's offers at once never commit more than its budget.

Each worker is a thread with its own session and connection, as each request and each worker
job has: the accepts race each other, then the approvals race each other, as the worker's job would
after them.
On PostgreSQL the approvals queue on the policy's budget row; SQLite lets one writer in at a time.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import col, select

from services import clock
from services.db import make_engine, new_session
from services.models import BenefitBudget, BenefitOffer, BenefitOfferStatus, User
from services.offers.answering import accept_offer
from services.offers.approval import approve_accepted
from services.offers.sweep import sweep_offers
from tests.service.test_benefit_offers import ACCOUNT, CHILDCARE, a_parent

WORKER_SECONDS = 120
FITS = 5  # subsidies the budget holds


@pytest.fixture
def subjects(engine) -> int:
    return 16 if engine.dialect.name == "postgresql" else 8


@pytest.fixture
def pool(engine, subjects):
    shared = make_engine(
        engine.url.render_as_string(hide_password=False),
        pool_size=subjects + 2,
        max_overflow=0,
        pool_timeout=WORKER_SECONDS,
    )
    yield shared
    shared.dispose()


def test_concurrent_accepts_never_commit_more_than_the_budget_and_the_rest_wait_in_order(
    session, pool, catalog, subjects
):
    small = replace(
        catalog,
        policies={
            **catalog.policies,
            CHILDCARE: replace(catalog.policies[CHILDCARE], budget_yuan=Decimal(3600 * FITS)),
        },
    )
    today = clock.china_today()
    parents = [a_parent(session, today) for _ in range(subjects)]
    sweep_offers(session=session, catalog=small, today=today)
    session.commit()
    keys = {parent.id: key for parent in parents for key in [_offer(session, parent.id).key]}

    # Every accept commits before any approval runs: "in order of acceptance" is the order of the accepts'
    # stamps among those committed, and an accept still in flight is not yet in the queue to be ordered.
    all_accepted = threading.Barrier(subjects, timeout=WORKER_SECONDS)

    def subject(subject_id: int):
        def work() -> None:
            with new_session(pool) as own:
                actor = own.get(User, subject_id)
                accept_offer(session=own, actor=actor, key=keys[subject_id], catalog=small, **ACCOUNT)
                own.commit()
            all_accepted.wait()
            with new_session(pool) as own:
                approve_accepted(session=own, catalog=small, policy_code=CHILDCARE)
                own.commit()

        return work

    with ThreadPoolExecutor(max_workers=subjects) as executor:
        futures = [executor.submit(subject(parent.id)) for parent in parents]
        for future in futures:
            future.result(timeout=WORKER_SECONDS * 2)

    session.expire_all()
    offers = session.exec(select(BenefitOffer).order_by(col(BenefitOffer.accepted_at), col(BenefitOffer.id))).all()
    approved = [offer for offer in offers if offer.status == BenefitOfferStatus.APPROVED]
    budget = session.get(BenefitBudget, CHILDCARE)
    assert budget is not None and budget.committed_fen == sum(offer.amount_fen for offer in approved)
    assert budget.committed_fen <= 3600 * FITS * 100
    assert len(approved) == FITS
    # Approved in the order they were accepted: the first FITS accepts, the rest waiting behind them.
    assert [offer.status for offer in offers] == [BenefitOfferStatus.APPROVED] * FITS + [
        BenefitOfferStatus.ACCEPTED
    ] * (subjects - FITS)


def _offer(session, subject_id: int) -> BenefitOffer:
    return session.exec(select(BenefitOffer).where(BenefitOffer.applicant_id == subject_id)).one()
