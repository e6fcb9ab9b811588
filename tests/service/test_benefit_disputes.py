"""A disputed amount becomes an application: the offer waits, the department decides the amount as it
decides any application, and the offer comes back at the amount decided (or the same one, with why)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from services import clock
from services.applications.drafts import start_draft
from services.applications.submission import withdraw_application
from services.audit_check import verify_chains
from services.casework.desk import accept_application, refuse_application
from services.casework.tasks import approve_task, claim_task, reject_task
from services.db import make_engine, new_session
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    BenefitOfferStatus,
    Notification,
    Role,
    Task,
    User,
)
from services.offers.answering import accept_offer, decline_offer, dispute_offer
from services.offers.approval import approve_accepted
from services.offers.queries import offer_file
from services.offers.sweep import sweep_offers
from tests.factories import make_citizen, make_staff

from .test_benefit_offers import ACCOUNT, CHILDCARE, a_parent, offer_of, with_policy

REVIEW_ITEM = "330100-HEALTH-005"


@pytest.fixture
def today(frozen):
    return clock.china_today()


@pytest.fixture
def offered(session, catalog, today):
    """A parent of one child, offered the childcare subsidy (3,600 yuan)."""
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    return parent, offer_of(session, parent)


def _dispute(session, catalog, parent, offer, amount="7200", reason="I have twins; the second birth is missing"):
    return dispute_offer(
        session=session, actor=parent, key=offer.key, claimed_amount=amount, reason=reason, catalog=catalog
    )


def _review(session, offer) -> Application:
    session.refresh(offer)
    application = session.get(Application, offer.review_application_id)
    assert application is not None
    return application


def _task(session, application) -> Task:
    return session.exec(select(Task).where(Task.application_id == application.id)).one()


def _review_claimed(session, catalog, parent, offer) -> tuple:
    """The amount disputed, the review accepted at the desk and claimed by a health clerk: (clerk, task)."""
    desk = make_staff(session, role=Role.FRONT_DESK)
    clerk = make_staff(session, role=Role.CLERK, department="HEALTH")
    session.commit()
    _dispute(session, catalog, parent, offer)
    application = _review(session, offer)
    accept_application(session=session, actor=desk, key=application.key, catalog=catalog)
    task = _task(session, application)
    claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    return clerk, task


def _events(session, chain) -> list[str]:
    return list(session.exec(select(AuditEvent.event).where(AuditEvent.chain == chain).order_by(AuditEvent.position)))


def test_disputing_the_amount_files_a_submitted_application_of_the_review_item_and_the_offer_waits(
    session, catalog, offered
):
    parent, offer = offered
    _dispute(session, catalog, parent, offer, amount="7,200.50")
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.AMOUNT_DISPUTED
    assert offer.claimed_fen == 7200_50 and offer.amount_fen == 3600_00
    application = _review(session, offer)
    assert application.status == ApplicationStatus.SUBMITTED and application.service_code == REVIEW_ITEM
    assert application.applicant_id == parent.id and application.number  # a public number, as every application
    assert application.form_data == {
        "offer_number": offer.number,
        "offered_amount": "3600.00",
        "claimed_amount": "7200.50",
        "dispute_reason": "I have twins; the second birth is missing",
    }
    assert _events(session, offer.chain)[-1] == "benefit_offer.dispute_amount"
    assert _events(session, application.chain)[-2:] == ["start", "submit"]
    disputed = session.exec(
        select(AuditEvent).where(AuditEvent.chain == offer.chain, AuditEvent.event == "benefit_offer.dispute_amount")
    ).one()
    assert disputed.payload["application"] == application.number
    assert verify_chains(session=session).ok


def test_the_journey_dispute_desk_accepts_clerk_approves_an_amount_then_one_click_accept_and_approval(
    session, catalog, offered, today
):
    """dispute → application submitted → front desk accepts → clerk approves with an amount →
    offer offered at the new amount → accept → approved within the budget."""
    parent, offer = offered
    clerk, task = _review_claimed(session, catalog, parent, offer)
    application = _review(session, offer)
    assert task.department == "HEALTH"
    approve_task(session=session, actor=clerk, key=task.key, catalog=catalog, decided_amount="7200")

    session.refresh(offer)
    session.refresh(application)
    assert application.status == ApplicationStatus.COMPLETED
    assert offer.status == BenefitOfferStatus.OFFERED and offer.amount_fen == 7200_00
    assert offer.deadline is not None and offer.deadline >= today + timedelta(days=30)
    told = session.exec(select(Notification).where(Notification.case_chain == offer.chain)).all()
    assert any("7200.00" in str(message.params) for message in told)

    accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    approval = approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE)
    session.refresh(offer)
    assert approval.approved == [offer.number] and offer.status == BenefitOfferStatus.APPROVED
    assert _events(session, offer.chain)[-4:] == [
        "benefit_offer.dispute_amount",
        "benefit_offer.correct_amount",
        "benefit_offer.accept",
        "benefit_offer.approve",
    ]
    corrected = session.exec(
        select(AuditEvent).where(AuditEvent.chain == offer.chain, AuditEvent.event == "benefit_offer.correct_amount")
    ).one()
    assert corrected.payload["from_fen"] == 3600_00 and corrected.payload["to_fen"] == 7200_00
    assert verify_chains(session=session).ok


def test_approving_a_review_without_an_amount_names_the_field_and_changes_nothing(session, catalog, offered):
    parent, offer = offered
    clerk, task = _review_claimed(session, catalog, parent, offer)
    for typed in (None, "", "-5", "abc", "0"):
        with pytest.raises(Invalid) as refused:
            approve_task(session=session, actor=clerk, key=task.key, catalog=catalog, decided_amount=typed)
        assert "decided_amount" in refused.value.errors
    session.refresh(offer)
    session.refresh(task)
    assert task.status == "claimed" and offer.status == BenefitOfferStatus.AMOUNT_DISPUTED


def test_a_refused_review_offers_the_original_amount_again_with_the_reason(session, catalog, offered):
    parent, offer = offered
    clerk, task = _review_claimed(session, catalog, parent, offer)
    reject_task(session=session, actor=clerk, key=task.key, catalog=catalog, reason="the second child was born in 2022")
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.OFFERED and offer.amount_fen == 3600_00
    assert offer.review_note == "the second child was born in 2022"
    upheld = session.exec(
        select(AuditEvent).where(AuditEvent.chain == offer.chain, AuditEvent.event == "benefit_offer.uphold_amount")
    ).one()
    assert upheld.reason == "the second child was born in 2022"


def test_a_review_the_front_desk_does_not_accept_or_the_applicant_withdraws_returns_the_offer(session, catalog, today):
    desk = make_staff(session, role=Role.FRONT_DESK)
    session.commit()
    refused_parent, withdrawn_parent = a_parent(session, today), a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    refused, withdrawn = offer_of(session, refused_parent), offer_of(session, withdrawn_parent)
    _dispute(session, catalog, refused_parent, refused)
    _dispute(session, catalog, withdrawn_parent, withdrawn)

    refuse_application(
        session=session, actor=desk, key=_review(session, refused).key, catalog=catalog, reason="no such claim"
    )
    withdraw_application(session=session, actor=withdrawn_parent, key=_review(session, withdrawn).key, catalog=catalog)
    for offer in (refused, withdrawn):
        session.refresh(offer)
        assert offer.status == BenefitOfferStatus.OFFERED and offer.amount_fen == 3600_00
    assert refused.review_note == "no such claim"


def test_bad_claims_name_their_field_and_nothing_changes(session, catalog, offered):
    parent, offer = offered
    cases = {
        ("", "why"): {"claimed_amount"},
        ("-10", "why"): {"claimed_amount"},
        ("twelve", "why"): {"claimed_amount"},
        ("12.345", "why"): {"claimed_amount"},
        ("0", "why"): {"claimed_amount"},
        ("3600", "why"): {"claimed_amount"},  # the amount offered: nothing to dispute
        ("7200", "  "): {"dispute_reason"},
        ("", ""): {"claimed_amount", "dispute_reason"},
    }
    for (amount, reason), fields in cases.items():
        with pytest.raises(Invalid) as refused:
            _dispute(session, catalog, parent, offer, amount=amount, reason=reason)
        assert set(refused.value.errors) == fields, (amount, reason)
    with pytest.raises(Invalid) as too_long:
        _dispute(session, catalog, parent, offer, reason="x" * 201)
    assert "dispute_reason" in too_long.value.errors
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.OFFERED and offer.review_application_id is None
    assert session.exec(select(Application).where(Application.service_code == REVIEW_ITEM)).all() == []


def test_someone_elses_offer_is_not_found_and_an_answered_one_cannot_be_disputed(session, catalog, offered):
    parent, offer = offered
    stranger = make_citizen(session)
    session.commit()
    with pytest.raises(NotFound):
        _dispute(session, catalog, stranger, offer)
    decline_offer(session=session, actor=parent, key=offer.key, reason="not_needed", note="", catalog=catalog)
    with pytest.raises(Conflict):
        _dispute(session, catalog, parent, offer)
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.DECLINED and offer.review_application_id is None


def test_a_disputed_offer_is_neither_accepted_paid_nor_expired_while_the_review_runs(session, catalog, offered, today):
    parent, offer = offered
    _dispute(session, catalog, parent, offer)
    with pytest.raises(Conflict):
        accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    with pytest.raises(Conflict):
        _dispute(session, catalog, parent, offer)  # one review at a time
    # Long past the offer's deadline, the sweep leaves the disputed offer alone.
    result = sweep_offers(session=session, catalog=catalog, today=today + timedelta(days=200))
    session.commit()
    session.refresh(offer)
    assert offer.number not in result.expired and offer.status == BenefitOfferStatus.AMOUNT_DISPUTED
    assert approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE).approved == []


def test_a_policy_without_a_review_item_cannot_be_disputed(session, catalog, offered):
    parent, offer = offered
    fixed = with_policy(catalog, CHILDCARE, amount_review_item=None)
    today = clock.china_today()
    assert (
        "dispute_amount"
        not in offer_file(session=session, actor=parent, key=offer.key, catalog=fixed, today=today).actions
    )
    assert (
        "dispute_amount"
        in offer_file(session=session, actor=parent, key=offer.key, catalog=catalog, today=today).actions
    )
    with pytest.raises(Conflict):
        _dispute(session, fixed, parent, offer)
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.OFFERED


def test_the_employee_of_an_employer_policy_cannot_dispute_it_for_the_firm(session, catalog, today):
    from .test_benefit_employers import a_graduate_employee

    graduate, firm = a_graduate_employee(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, graduate, "graduate_social_insurance_subsidy_2026")
    with pytest.raises(NotAllowed):
        _dispute(session, catalog, graduate, offer, amount="20000")
    _dispute(session, catalog, firm, offer, amount="20000")
    application = _review(session, offer)
    assert application.applicant_id == firm.id and application.service_code == "330100-HRSS-012"


def test_an_accept_and_a_dispute_of_one_offer_at_once_one_wins_and_at_most_one_review_is_filed(
    session, engine, catalog, today
):
    """Two tabs of one subject: each answer locks the offer first, so the second sees the first's status."""
    parents = [a_parent(session, today) for _ in range(4)]
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offers = {parent.id: offer_of(session, parent).key for parent in parents}
    pool = make_engine(engine.url.render_as_string(hide_password=False), pool_size=4, max_overflow=0)

    def answer(parent_id: int, how: str):
        def work() -> str:
            with new_session(pool) as own:
                actor = own.get(User, parent_id)
                try:
                    if how == "accept":
                        accept_offer(session=own, actor=actor, key=offers[parent_id], catalog=catalog, **ACCOUNT)
                    else:
                        dispute_offer(
                            session=own,
                            actor=actor,
                            key=offers[parent_id],
                            claimed_amount="7200",
                            reason="twins",
                            catalog=catalog,
                        )
                    own.commit()
                except Conflict:
                    return "refused"
            return how

        return work

    try:
        for parent in parents:
            with ThreadPoolExecutor(max_workers=2) as executor:
                results = [
                    f.result(timeout=60) for f in [executor.submit(answer(parent.id, h)) for h in ("accept", "dispute")]
                ]
            assert sorted(results).count("refused") == 1, results
            winner = next(result for result in results if result != "refused")
            session.expire_all()
            offer = offer_of(session, parent)
            reviews = session.exec(
                select(Application).where(
                    Application.applicant_id == parent.id, Application.service_code == REVIEW_ITEM
                )
            ).all()
            if winner == "accept":
                assert offer.status == BenefitOfferStatus.ACCEPTED and reviews == []
            else:
                assert offer.status == BenefitOfferStatus.AMOUNT_DISPUTED and [r.id for r in reviews] == [
                    offer.review_application_id
                ]
    finally:
        pool.dispose()


def test_an_amount_review_cannot_be_started_from_the_catalogue_as_it_would_concern_no_offer(session, catalog):
    citizen = make_citizen(session)
    with pytest.raises(NotAllowed, match="benefit offer's page"):
        start_draft(session=session, actor=citizen, service_code=REVIEW_ITEM, catalog=catalog)
    assert session.exec(select(Application).where(Application.service_code == REVIEW_ITEM)).all() == []
    # Nor is it among what the catalogue offers to apply for, though its page stays in the list of items.
    assert REVIEW_ITEM in catalog.items
    assert REVIEW_ITEM not in {service.code for service in catalog.applicable()}
    assert REVIEW_ITEM not in {service.code for service in catalog.search("amount review")}
