"""Benefit offers from the sweep to the money: offered once, answered by the subject, approved within
the budget in the order of acceptance, batched for the bank and paid or returned."""

import csv
import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from services import clock
from services.audit_check import verify_chains
from services.benefits.changes import mark_changed
from services.errors import Conflict, Invalid, NotFound
from services.models import (
    BenefitBatch,
    BenefitGrant,
    BenefitOffer,
    BenefitOfferStatus,
    BenefitReviewStatus,
    Certificate,
    Notification,
    Role,
    Task,
)
from services.offers.answering import accept_offer, correct_account, decline_offer, last_bank_account
from services.offers.approval import approve_accepted, decide_review
from services.offers.payment import make_batch, read_returns
from services.offers.sweep import sweep_changed_subjects, sweep_offers, sweep_subjects
from tests.factories import make_certificate, make_citizen, make_staff

CHILDCARE = "childcare_subsidy_2026"
ACCOUNT = {"bank_account": "6222 0212 3456 7890 123", "bank_name": "中国工商银行杭州分行"}


@pytest.fixture
def today(frozen):
    return clock.china_today()


def a_parent(session, today, children=1):
    parent = make_citizen(session)
    for n in range(children):
        make_certificate(
            session,
            parent,
            "birth_medical_certificate",
            data={"child_birth_date": (today - timedelta(days=100 + n)).isoformat(), "child_gender": "female"},
        )
    session.commit()
    return parent


def offer_of(session, subject, policy=CHILDCARE) -> BenefitOffer:
    return session.exec(
        select(BenefitOffer).where(BenefitOffer.applicant_id == subject.id, BenefitOffer.policy == policy)
    ).one()


def with_policy(catalog, code, **changes):
    return replace(catalog, policies={**catalog.policies, code: replace(catalog.policies[code], **changes)})


def test_the_sweep_offers_the_eligible_once_and_tells_them(session, catalog, today):
    parent = a_parent(session, today, children=2)
    first = sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, parent)
    assert offer.number in first.offered and offer.number.startswith(f"MS-{today:%Y%m%d}-")
    assert offer.status == BenefitOfferStatus.OFFERED and offer.amount_fen == 2 * 360000
    assert offer.deadline == today + timedelta(days=90)
    told = session.exec(select(Notification).where(Notification.user_id == parent.id)).all()
    assert {message.channel for message in told} == {"in_app", "sms"}
    assert {message.case_chain for message in told} == {offer.chain}

    again = sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    assert offer.number not in again.offered
    assert len(session.exec(select(BenefitOffer).where(BenefitOffer.applicant_id == parent.id)).all()) == 1


def test_one_click_accept_approve_batch_and_pay_writes_the_grant_that_stops_a_second_offer(
    session, catalog, today, tmp_path
):
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, parent)
    accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    session.commit()
    assert offer.status == BenefitOfferStatus.ACCEPTED and offer.bank_account == "62220212345678901 23".replace(" ", "")
    assert last_bank_account(session=session, actor=parent) == (offer.bank_account, ACCOUNT["bank_name"])

    approval = approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE)
    session.commit()
    assert approval.approved == [offer.number]
    assert offer.status == BenefitOfferStatus.APPROVED

    made = make_batch(session=session, catalog=catalog, payer_account="1202020209000012345", today=today)
    session.commit()
    assert made is not None and offer.status == BenefitOfferStatus.IN_BATCH
    rows = list(csv.reader(io.StringIO(made.content.decode())))
    assert rows[0] == [
        "payer_account",
        "payee_name",
        "payee_account",
        "payee_bank",
        "amount_yuan",
        "purpose",
        "reference",
    ]
    assert rows[1] == [
        "1202020209000012345",
        parent.full_name,
        offer.bank_account,
        ACCOUNT["bank_name"],
        "3600.00",
        catalog.policies[CHILDCARE].name.zh,
        offer.number,
    ]
    batch = session.exec(select(BenefitBatch)).one()
    assert (batch.count, batch.total_fen, len(batch.sha256)) == (1, 360000, 64)

    returns = read_returns(
        session=session, catalog=catalog, content=f"reference,amount_yuan,result,reason\n{offer.number},3600.00,paid,\n"
    )
    session.commit()
    assert returns.paid == [offer.number] and offer.status == BenefitOfferStatus.PAID
    grant = session.exec(select(BenefitGrant).where(BenefitGrant.subject_id == parent.id)).one()
    assert (grant.policy, grant.amount_fen) == (CHILDCARE, 360000)
    # Already received: the next sweep finds them no longer eligible, and a paid offer is not withdrawn.
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    assert offer.status == BenefitOfferStatus.PAID
    assert verify_chains(session=session).ok


def test_a_returned_payment_goes_back_to_approved_once_the_account_is_corrected(session, catalog, today):
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    offer = offer_of(session, parent)
    accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE)
    make_batch(session=session, catalog=catalog, payer_account="1", today=today)
    session.commit()
    read_returns(
        session=session,
        catalog=catalog,
        content=f"reference,amount_yuan,result,reason\n{offer.number},3600.00,returned,account closed\n",
    )
    session.commit()
    assert offer.status == BenefitOfferStatus.RETURNED and offer.return_reason == "account closed"
    assert session.exec(select(BenefitGrant)).all() == []
    correct_account(
        session=session,
        actor=parent,
        key=offer.key,
        bank_account="6228480012345678",
        bank_name="农业银行",
        catalog=catalog,
    )
    session.commit()
    assert offer.status == BenefitOfferStatus.APPROVED and offer.bank_account == "6228480012345678"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ref,amount,result\n", "line 1: the header must read reference,amount_yuan,result,reason"),
        ("reference,amount_yuan,result,reason\nMS-X,1.00,paid,\n", "line 2: no offer has reference 'MS-X'"),
        (
            "reference,amount_yuan,result,reason\n{n},3600.00,lost,\n",
            "line 2: result 'lost' is neither paid nor returned",
        ),
        (
            "reference,amount_yuan,result,reason\n{n},3600.00,returned,\n",
            "line 2: a returned payment needs the bank's reason",
        ),
        (
            "reference,amount_yuan,result,reason\n\n{n},36.00,paid,\n",
            "line 3: amount '36.00' is not the 3600.00 yuan sent",
        ),
        ("reference,amount_yuan,result,reason\n{n},3600.00\n", "line 2: 4 columns expected, found 2"),
    ],
)
def test_a_bad_result_file_names_the_line_and_moves_nothing(session, catalog, today, content, message):
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    offer = offer_of(session, parent)
    accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE)
    make_batch(session=session, catalog=catalog, payer_account="1", today=today)
    session.commit()
    with pytest.raises(Invalid) as raised:
        read_returns(session=session, catalog=catalog, content=content.format(n=offer.number))
    assert raised.value.message == message
    session.rollback()
    assert offer_of(session, parent).status == BenefitOfferStatus.IN_BATCH


def test_someone_elses_offer_reads_as_not_found_and_an_expired_one_is_refused_with_its_day(
    session, catalog, today, frozen
):
    parent = a_parent(session, today)
    stranger = make_citizen(session)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, parent)
    with pytest.raises(NotFound):
        accept_offer(session=session, actor=stranger, key=offer.key, catalog=catalog, **ACCOUNT)
    session.rollback()
    frozen.advance(timedelta(days=91))
    with pytest.raises(Conflict) as raised:
        accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    assert raised.value.details == {"deadline": offer.deadline}
    session.rollback()
    swept = sweep_offers(session=session, catalog=catalog, today=clock.china_today())
    session.commit()
    assert swept.expired == [offer.number] and offer_of(session, parent).status == BenefitOfferStatus.EXPIRED
    assert session.exec(select(BenefitGrant)).all() == []


def test_an_incomplete_account_or_decline_names_the_field_and_leaves_the_offer_open(session, catalog, today):
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, parent)
    with pytest.raises(Invalid) as raised:
        accept_offer(session=session, actor=parent, key=offer.key, catalog=catalog, bank_account="12ab", bank_name=" ")
    assert set(raised.value.errors) == {"bank_account", "bank_name"}
    session.rollback()
    with pytest.raises(Invalid) as raised:
        decline_offer(session=session, actor=parent, key=offer.key, reason="bored", note="", catalog=catalog)
    assert set(raised.value.errors) == {"decline_reason"}
    session.rollback()
    assert offer_of(session, parent).status == BenefitOfferStatus.OFFERED
    decline_offer(session=session, actor=parent, key=offer.key, reason="other_support", note="已领", catalog=catalog)
    session.commit()
    declined = offer_of(session, parent)
    assert (declined.status, declined.decline_reason, declined.decline_note) == ("declined", "other_support", "已领")


def test_an_offer_whose_subject_no_longer_qualifies_is_withdrawn_and_they_are_told(session, catalog, today):
    parent = a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    session.commit()
    offer = offer_of(session, parent)
    for certificate in session.exec(select(Certificate).where(Certificate.owner_id == parent.id)).all():
        session.delete(certificate)
    session.commit()
    swept = sweep_subjects(session=session, catalog=catalog, today=today, subject_ids={parent.id})
    session.commit()
    assert swept.withdrawn == [offer.number] and offer_of(session, parent).status == BenefitOfferStatus.WITHDRAWN
    assert any("withdrawn" in message.template for message in session.exec(select(Notification)).all())


def test_the_full_sweep_withdraws_an_open_offer_whose_subject_lapsed_and_leaves_answered_ones(session, catalog, today):
    lapsing, answered = a_parent(session, today), a_parent(session, today)
    sweep_offers(session=session, catalog=catalog, today=today)
    accept_offer(session=session, actor=answered, key=offer_of(session, answered).key, catalog=catalog, **ACCOUNT)
    for parent in (lapsing, answered):
        for certificate in session.exec(select(Certificate).where(Certificate.owner_id == parent.id)).all():
            session.delete(certificate)
    session.commit()
    swept = sweep_offers(session=session, catalog=catalog, today=today)
    assert swept.withdrawn == [offer_of(session, lapsing).number]
    assert offer_of(session, lapsing).status == BenefitOfferStatus.WITHDRAWN
    assert offer_of(session, answered).status == BenefitOfferStatus.ACCEPTED


def test_a_birth_certificate_marked_as_a_change_brings_the_offer_with_the_quick_sweep(session, catalog, today):
    parent = make_citizen(session)
    session.commit()
    assert sweep_changed_subjects(session=session, catalog=catalog, today=today).offered == []
    make_certificate(
        session,
        parent,
        "birth_medical_certificate",
        data={"child_birth_date": today.isoformat(), "child_gender": "male"},
    )
    mark_changed(session, subject_id=parent.id)
    session.commit()
    swept = sweep_changed_subjects(session=session, catalog=catalog, today=today)
    session.commit()
    assert swept.offered == [offer_of(session, parent).number]
    # The watermark moved on: the same change is not judged twice.
    assert sweep_changed_subjects(session=session, catalog=catalog, today=today).offered == []


def test_the_budget_approves_in_order_of_acceptance_and_later_accepts_wait_behind(session, catalog, today, frozen):
    small = with_policy(catalog, CHILDCARE, budget_yuan=Decimal(7200))
    parents = [a_parent(session, today) for _ in range(3)]
    sweep_offers(session=session, catalog=small, today=today)
    session.commit()
    # Accepted in the order 2, 0, 1: the first two to accept fit the budget of two subsidies.
    order = [parents[2], parents[0], parents[1]]
    for parent in order:
        frozen.advance(timedelta(minutes=1))
        accept_offer(session=session, actor=parent, key=offer_of(session, parent).key, catalog=small, **ACCOUNT)
        session.commit()
    approval = approve_accepted(session=session, catalog=small, policy_code=CHILDCARE)
    session.commit()
    assert approval.approved == [offer_of(session, order[0]).number, offer_of(session, order[1]).number]
    assert approval.waiting == 1 and offer_of(session, order[2]).status == BenefitOfferStatus.ACCEPTED
    # The budget raised: the one waiting is approved next.
    raised = with_policy(catalog, CHILDCARE, budget_yuan=Decimal(10800))
    assert approve_accepted(session=session, catalog=raised, policy_code=CHILDCARE).approved == [
        offer_of(session, order[2]).number
    ]


def test_an_amount_above_the_threshold_waits_for_a_clerk_of_the_department_held_to_the_budget(session, catalog, today):
    flagged = with_policy(catalog, CHILDCARE, review_above_yuan=Decimal(3000))
    parent = a_parent(session, today)
    clerk = make_staff(session, Role.CLERK, department="HEALTH")
    session.commit()
    sweep_offers(session=session, catalog=flagged, today=today)
    offer = offer_of(session, parent)
    accept_offer(session=session, actor=parent, key=offer.key, catalog=flagged, **ACCOUNT)
    approval = approve_accepted(session=session, catalog=flagged, policy_code=CHILDCARE)
    session.commit()
    assert approval.flagged == [offer.number] and offer.status == BenefitOfferStatus.IN_REVIEW
    task = session.exec(select(Task).where(Task.case_kind == "benefit_offer", Task.case_id == offer.id)).one()
    assert (task.department, task.status) == ("HEALTH", BenefitReviewStatus.READY)
    decide_review(session=session, actor=clerk, task_key=task.key, event="claim", catalog=flagged)
    decide_review(session=session, actor=clerk, task_key=task.key, event="approve", catalog=flagged)
    session.commit()
    assert offer_of(session, parent).status == BenefitOfferStatus.APPROVED


def test_figures_count_take_up_money_days_and_declines_as_the_offers_say(session, catalog, today, frozen):
    from services.offers.figures import offer_figures

    parents = [a_parent(session, today) for _ in range(4)]
    sweep_offers(session=session, catalog=catalog, today=today)
    offers = [offer_of(session, parent) for parent in parents]
    accept_offer(session=session, actor=parents[0], key=offers[0].key, catalog=catalog, **ACCOUNT)
    accept_offer(session=session, actor=parents[1], key=offers[1].key, catalog=catalog, **ACCOUNT)
    decline_offer(session=session, actor=parents[2], key=offers[2].key, reason="not_needed", note="", catalog=catalog)
    approve_accepted(session=session, catalog=catalog, policy_code=CHILDCARE)
    frozen.advance(timedelta(days=3))
    make_batch(session=session, catalog=catalog, payer_account="1", today=clock.china_today())
    paid = f"reference,amount_yuan,result,reason\n{offers[0].number},3600.00,paid,\n{offers[1].number},3600.00,paid,\n"
    read_returns(session=session, catalog=catalog, content=paid)
    session.commit()

    figures = offer_figures(session=session, catalog=catalog)
    mine = figures.by_policy[CHILDCARE]
    # Counted again, independently, from the rows themselves.
    rows = session.exec(select(BenefitOffer).where(BenefitOffer.policy == CHILDCARE)).all()
    paid_rows = [row for row in rows if row.status == BenefitOfferStatus.PAID]
    assert (mine.offered, mine.declined, mine.paid) == (
        len(rows),
        sum(row.status == BenefitOfferStatus.DECLINED for row in rows),
        len(paid_rows),
    )
    assert (mine.offered, mine.accepted, mine.declined, mine.paid, mine.paid_fen) == (4, 2, 1, 2, 720000)
    assert mine.take_up == 0.5 and mine.median_days_to_money == 3
    assert mine.declined_why == {"not_needed": 1}
    assert figures.by_department["HEALTH"].paid_fen == 720000
