"""A policy accepted by the employer: the offer is the employee's case, but the employer of record at the
sweep answers it (accepts with its own account, or declines); the employee only reads it."""

from datetime import timedelta

import pytest
from sqlmodel import select

from services import clock
from services.benefits.facts import month_start
from services.errors import NotAllowed, NotFound
from services.models import BenefitOffer, BenefitOfferStatus, Contribution, Employment, Notification
from services.offers.answering import accept_offer, decline_offer, last_bank_account
from services.offers.approval import approve_accepted
from services.offers.queries import employee_offers, my_offers, offer_file
from services.offers.sweep import sweep_offers
from services.workflow.engine import available_events
from tests.factories import make_certificate, make_citizen, make_company

from .test_benefit_offers import offer_of

GRADUATE_INSURANCE = "graduate_social_insurance_subsidy_2026"
FIRM_ACCOUNT = {"bank_account": "3301 0400 0123 4567 8901", "bank_name": "杭州银行科技支行"}


@pytest.fixture
def today(frozen):
    return clock.china_today()


def a_graduate_employee(session, today, months=6, employer=None, started_on=None):
    """A bachelor of last summer, employed since by `employer` (a new firm if None), paying pension for `months`."""
    graduate = make_citizen(session)
    firm = employer or make_company(session)
    make_certificate(
        session,
        graduate,
        "degree_certificate",
        data={"degree": "bachelor", "graduation_date": (today - timedelta(days=150)).isoformat()},
    )
    session.add(
        Employment(employer_id=firm.id, employee_id=graduate.id, started_on=started_on or today - timedelta(days=140))
    )
    for back in range(1, months + 1):
        session.add(
            Contribution(
                subject_id=graduate.id, month=month_start(today, back), kind="pension", paid_as="employee", amount_fen=1
            )
        )
    session.commit()
    return graduate, firm


def test_the_sweep_names_the_employer_of_record_and_tells_both(session, catalog, today):
    graduate, firm = a_graduate_employee(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, graduate, GRADUATE_INSURANCE)
    assert offer.employer_id == firm.id and offer.amount_fen == 6 * 800_00
    assert offer.applicant_id == graduate.id  # the employee's case
    told = {
        message.user_id for message in session.exec(select(Notification).where(Notification.case_chain == offer.chain))
    }
    assert told == {graduate.id, firm.id}


def test_the_employer_of_the_latest_open_spell_answers(session, catalog, today):
    earlier = make_company(session)
    graduate, later = a_graduate_employee(session, today)
    session.add(
        Employment(
            employer_id=earlier.id,
            employee_id=graduate.id,
            started_on=today - timedelta(days=300),
            ended_on=today - timedelta(days=141),
        )
    )
    session.commit()
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    assert offer_of(session, graduate, GRADUATE_INSURANCE).employer_id == later.id


def test_the_firm_accepts_with_its_own_account_and_the_employee_reads_who_did(session, catalog, today):
    graduate, firm = a_graduate_employee(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, graduate, GRADUATE_INSURANCE)
    assert [o.key for o in employee_offers(session=session, actor=firm)] == [offer.key]
    assert offer.key in {o.key for o in my_offers(session=session, actor=graduate)}
    assert available_events(firm, offer, offer, catalog) == ["accept", "decline", "dispute_amount"]
    assert available_events(graduate, offer, offer, catalog) == []

    with pytest.raises(NotAllowed):
        accept_offer(
            session=session,
            actor=graduate,
            key=offer.key,
            catalog=catalog,
            bank_account="6222021234567890123",
            bank_name="工行",
        )
    accept_offer(session=session, actor=firm, key=offer.key, catalog=catalog, **FIRM_ACCOUNT)
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.ACCEPTED
    assert offer.payee_name == firm.full_name and offer.bank_account == "33010400012345678901"
    assert last_bank_account(session=session, actor=firm) == ("33010400012345678901", "杭州银行科技支行")
    assert last_bank_account(session=session, actor=graduate) is None  # the firm's account is not the employee's
    told = session.exec(
        select(Notification).where(Notification.user_id == graduate.id, Notification.case_chain == offer.chain)
    ).all()
    assert any(message.params.get("employer") == firm.full_name for message in told)

    seen = offer_file(session=session, actor=graduate, key=offer.key, catalog=catalog, today=today)
    assert seen.actions == [] and seen.employer is not None and seen.employer.id == firm.id
    approve_accepted(session=session, catalog=catalog, policy_code=GRADUATE_INSURANCE)
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.APPROVED


def test_another_firm_gets_not_found_and_the_firm_may_decline(session, catalog, today):
    graduate, firm = a_graduate_employee(session, today)
    other = make_company(session)
    session.commit()
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, graduate, GRADUATE_INSURANCE)
    with pytest.raises(NotFound):
        accept_offer(session=session, actor=other, key=offer.key, catalog=catalog, **FIRM_ACCOUNT)
    with pytest.raises(NotFound):
        offer_file(session=session, actor=other, key=offer.key, catalog=catalog, today=today)
    assert employee_offers(session=session, actor=other) == []
    decline_offer(session=session, actor=firm, key=offer.key, reason="other_support", note="", catalog=catalog)
    session.refresh(offer)
    assert offer.status == BenefitOfferStatus.DECLINED


def test_an_employee_without_an_open_spell_is_not_offered_the_employer_policy(session, catalog, today):
    graduate, _ = a_graduate_employee(session, today, started_on=today + timedelta(days=10))
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    assert (
        session.exec(
            select(BenefitOffer).where(
                BenefitOffer.applicant_id == graduate.id, BenefitOffer.policy == GRADUATE_INSURANCE
            )
        ).first()
        is None
    )
