"""The sweep: offers for the newly eligible, withdrawals for the lapsed, expiry for the unanswered.

A full sweep runs each policy in force as one set-based query (`eligible_subjects`); a quick sweep
judges only the subjects whose facts changed since its watermark (`services.benefits.changes`).
A policy offers a subject once: the offer's unique (policy, subject) holds that even for two sweeps
at once (the second one's transaction fails on it and leaves the offers to the first).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from services.audit import record_event
from services.benefits import eligible_subjects, sweep_policies
from services.benefits.changes import advance_watermark, changed_since, latest_mark, read_watermark
from services.catalog import Catalog
from services.catalog.policy_model import Policy
from services.db import transactional
from services.i18n import N_
from services.models import BenefitOffer, BenefitOfferStatus, Employment, Role, User
from services.notifications import notify
from services.workflow.benefits.rules import offer_deadline, yuan
from services.workflow.engine import fire
from services.workflow.locks import lock_case
from services.workflow.numbers import next_number

QUICK_SWEEP = "quick"  # the watermark's name of the every-minute sweep of changed subjects
AUDIENCE_ROLES = {"citizens": Role.CITIZEN, "companies": Role.COMPANY}
# Up to this many subjects judged, their offers are looked up by subject; beyond it the policy's are read whole.
QUICK_SWEEP_IN_LIST = 500


@dataclass
class SweepResult:
    offered: list[str] = field(default_factory=list)  # numbers of the offers made
    withdrawn: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


@transactional
def sweep_offers(*, session: Session, catalog: Catalog, today: date) -> SweepResult:
    """Every policy in force against everyone: offer the newly eligible, withdraw the lapsed, expire the late."""
    result = SweepResult()
    for policy in _in_force(catalog, today):
        eligible = eligible_subjects(session=session, policy=policy, today=today)
        _offer_and_withdraw(session, catalog, policy, eligible, None, today, result)
    _expire(session, catalog, today, result)
    # Every change marked so far has been judged by this sweep: the quick one need not look again.
    advance_watermark(session, name=QUICK_SWEEP, to=latest_mark(session))
    return result


@transactional
def sweep_changed_subjects(*, session: Session, catalog: Catalog, today: date) -> SweepResult:
    """Only the subjects whose facts changed since the last quick sweep, judged together."""
    result = SweepResult()
    subjects, mark = changed_since(session, watermark=read_watermark(session, name=QUICK_SWEEP))
    if subjects:
        _sweep_subjects(session, catalog, today, subjects, result)
    advance_watermark(session, name=QUICK_SWEEP, to=mark)
    return result


@transactional
def sweep_subjects(*, session: Session, catalog: Catalog, today: date, subject_ids: set[int]) -> SweepResult:
    """The sweep for a few subjects: each policy of their audience judged for each of them."""
    return _sweep_subjects(session, catalog, today, subject_ids, SweepResult())


def _sweep_subjects(
    session: Session, catalog: Catalog, today: date, subject_ids: set[int], result: SweepResult
) -> SweepResult:
    rows = session.exec(select(User.id, User.role).where(col(User.id).in_(subject_ids))).all()
    roles = {subject_id: role for subject_id, role in rows if subject_id is not None}
    policies = _in_force(catalog, today)
    # Set-based over just these subjects (their ids joined from a temporary table), as the full sweep is over all.
    found = sweep_policies(session=session, policies=policies, today=today, among=set(roles))
    for policy in policies:
        mine = {subject for subject, role in roles.items() if role == AUDIENCE_ROLES[policy.audience]}
        eligible = {subject: fen for subject, fen in found[policy.code].items() if subject in mine and fen}
        _offer_and_withdraw(session, catalog, policy, eligible, mine, today, result)
    return result


@transactional
def expire_offers(*, session: Session, catalog: Catalog, today: date) -> SweepResult:
    """Only the expiry of the full sweep: offers past their deadline, for a sweep that judged only some subjects."""
    result = SweepResult()
    _expire(session, catalog, today, result)
    return result


def _in_force(catalog: Catalog, today: date) -> list[Policy]:
    return [policy for _, policy in sorted(catalog.policies.items()) if policy.in_force(today)]


def _offer_and_withdraw(
    session: Session,
    catalog: Catalog,
    policy: Policy,
    eligible: dict[int, int],
    judged: set[int] | None,
    today: date,
    result: SweepResult,
) -> None:
    """Offer `eligible` subjects not offered yet; withdraw open offers of `judged` subjects no longer eligible.

    `judged` None: everyone was judged (the full sweep), so every open offer not eligible is withdrawn.
    """
    # Who has an offer of the policy already, and which are still open: three columns, not the rows.
    statement = select(BenefitOffer.applicant_id, BenefitOffer.id, BenefitOffer.status).where(
        col(BenefitOffer.policy) == policy.code
    )
    if judged is not None and len(judged) <= QUICK_SWEEP_IN_LIST:
        statement = statement.where(col(BenefitOffer.applicant_id).in_(judged))
    offers = {
        subject_id: (offer_id, status)
        for subject_id, offer_id, status in session.exec(statement)
        if judged is None or subject_id in judged
    }
    for subject_id in sorted(set(eligible) - set(offers)):
        result.offered.append(_make_offer(session, catalog, policy, subject_id, eligible[subject_id], today))
    for subject_id, (offer_id, status) in sorted(offers.items()):
        if subject_id not in eligible and status == BenefitOfferStatus.OFFERED:
            locked = lock_case(session, BenefitOffer, col(BenefitOffer.id) == offer_id, skip_locked=True)
            if locked is None or locked.status != BenefitOfferStatus.OFFERED:
                continue  # the subject is answering it right now; the next sweep looks again
            fire(
                session=session,
                subject=locked,
                event="withdraw",
                actor=None,
                catalog=catalog,
                reason="no longer eligible on " + today.isoformat(),
            )
            result.withdrawn.append(locked.number)


def _make_offer(
    session: Session, catalog: Catalog, policy: Policy, subject_id: int, amount_fen: int, today: date
) -> str:
    serial = next_number(session, f"benefit-offer-{today:%Y%m%d}")
    offer = BenefitOffer(
        number=f"MS-{today:%Y%m%d}-{serial:06d}",
        applicant_id=subject_id,
        policy=policy.code,
        amount_fen=amount_fen,
        eligible_on=today,
        deadline=offer_deadline(today),
        employer_id=_employer_of_record(session, subject_id, today) if policy.accepted_by == "employer" else None,
    )
    session.add(offer)
    session.flush()
    assert offer.deadline is not None and offer.number is not None  # set just above
    record_event(
        session,
        actor=None,
        event="benefit_offer.create",
        case=offer,
        to_status=offer.status,
        payload={"policy": policy.code, "amount_fen": amount_fen, "deadline": offer.deadline.isoformat()},
    )
    subject = session.get(User, subject_id)
    assert subject is not None  # a subject the query found
    notify(
        session,
        user=subject,
        case=offer,
        template=N_("%(policy)s: %(amount)s yuan is yours without applying. Accept it by %(deadline)s (%(number)s)."),
        params={
            "policy": policy.name.zh,
            "policy_en": policy.name.en,
            "amount": yuan(amount_fen),
            "deadline": offer.deadline.isoformat(),
            "number": offer.number,
        },
    )
    if offer.employer_id is not None:
        employer = session.get(User, offer.employer_id)
        assert employer is not None  # the employment register names stored accounts
        notify(
            session,
            user=employer,
            case=offer,
            template=N_(
                "%(policy)s for your employee %(employee)s: %(amount)s yuan, paid to you. "
                "Accept it by %(deadline)s (%(number)s)."
            ),
            params={
                "policy": policy.name.zh,
                "policy_en": policy.name.en,
                "employee": subject.full_name,
                "amount": yuan(amount_fen),
                "deadline": offer.deadline.isoformat(),
                "number": offer.number,
            },
        )
    return offer.number


def _employer_of_record(session: Session, subject_id: int, today: date) -> int:
    """The employer of the subject's open employment spell (the latest begun): it answers the offer.

    `catalog check` lets only a policy requiring `employed = true` be accepted by the employer, so there is one.
    """
    employer = session.exec(
        select(Employment.employer_id)
        .where(
            col(Employment.employee_id) == subject_id,
            col(Employment.started_on) <= today,
            (col(Employment.ended_on).is_(None)) | (col(Employment.ended_on) > today),
        )
        .order_by(col(Employment.started_on).desc(), col(Employment.id).desc())
        .limit(1)
    ).first()
    assert employer is not None, "an employer-accepted policy's eligibility requires an open employment spell"
    return employer


def _expire(session: Session, catalog: Catalog, today: date, result: SweepResult) -> None:
    late = session.exec(
        select(BenefitOffer.id).where(
            col(BenefitOffer.status) == BenefitOfferStatus.OFFERED, col(BenefitOffer.deadline) < today
        )
    ).all()
    for offer_id in late:
        offer = lock_case(session, BenefitOffer, col(BenefitOffer.id) == offer_id, skip_locked=True)
        if offer is None or offer.status != BenefitOfferStatus.OFFERED:
            continue
        fire(session=session, subject=offer, event="expire", actor=None, catalog=catalog)
        result.expired.append(offer.number)
