"""What the offer pages read: a subject's offers, one offer with why they qualify, a clerk's check."""

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from services import policy as access
from services.audit import history
from services.benefits import Verdict, judge_subject
from services.catalog import Catalog
from services.catalog.policy_model import Policy
from services.errors import NotFound
from services.models import Application, AuditEvent, BenefitOffer, BenefitOfferStatus, Task, User
from services.workflow.engine import available_events

from .answering import last_bank_account

LIST_LIMIT = 100


def my_offers(*, session: Session, actor: User) -> list[BenefitOffer]:
    """The subject's offers, open ones first, newest first."""
    offers = session.exec(
        select(BenefitOffer)
        .where(col(BenefitOffer.applicant_id) == actor.id)
        .order_by(col(BenefitOffer.created_at).desc(), col(BenefitOffer.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    return sorted(offers, key=lambda offer: offer.status in BenefitOfferStatus.FINAL)


def employee_offers(*, session: Session, actor: User) -> list[BenefitOffer]:
    """The offers a firm answers for its employees (policies accepted by the employer), open ones first."""
    offers = session.exec(
        select(BenefitOffer)
        .where(col(BenefitOffer.employer_id) == actor.id)
        .order_by(col(BenefitOffer.created_at).desc(), col(BenefitOffer.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    return sorted(offers, key=lambda offer: offer.status in BenefitOfferStatus.FINAL)


@dataclass(frozen=True)
class OfferFile:
    offer: BenefitOffer
    policy: Policy
    verdict: Verdict  # why they qualify, read from the records today
    actions: list[str]  # the rows the viewer may fire now
    account: tuple[str, str] | None  # the account and bank to propose
    events: list[AuditEvent]
    employer: User | None = None  # the firm that answers the offer, where the policy says so
    subject: User | None = None  # whose offer it is (the employer's page names the employee)
    review: Application | None = None  # the application reviewing a disputed amount, the latest
    records_shown: bool = True  # False for the employer: the rules' outcomes, not the employee's records


def offer_file(*, session: Session, actor: User, key: str, catalog: Catalog, today: date) -> OfferFile:
    """One offer, for its subject and the employer answering it only (anyone else: not found)."""
    offer = session.exec(select(BenefitOffer).where(col(BenefitOffer.key) == key)).first()
    if offer is None or actor.id not in (offer.applicant_id, offer.employer_id):
        raise NotFound("no such offer")
    return _file(session, actor, offer, catalog, today, offer)


@dataclass(frozen=True)
class CheckFile:
    task: Task
    offer_file: OfferFile
    subject: User
    actions: list[str]


def check_file(*, session: Session, actor: User, task_key: str, catalog: Catalog, today: date) -> CheckFile:
    """A flagged offer's check, for the staff of its department."""
    task = session.exec(select(Task).where(col(Task.key) == task_key)).first()
    if task is None or task.case_kind != BenefitOffer.CHAIN_KIND or not access.may_view_task(actor, task):
        raise NotFound("no such task")
    offer = session.get(BenefitOffer, task.case_id)
    subject = session.get(User, offer.applicant_id) if offer else None
    assert offer is not None and subject is not None  # a task's case and its subject are stored rows
    return CheckFile(
        task=task,
        offer_file=_file(session, actor, offer, catalog, today, task),
        subject=subject,
        actions=available_events(actor, task, offer, catalog),
    )


def _file(session: Session, actor: User, offer: BenefitOffer, catalog: Catalog, today: date, subject) -> OfferFile:
    policy = catalog.policies[offer.policy]
    verdict = judge_subject(session=session, policy=policy, subject_id=offer.applicant_id, today=today)
    # The firm answering for its employee learns whether each rule holds, not the records behind it (the ID
    # number, certificates, each month paid): no more of the employee's data than the answer needs.
    records_shown = actor.id != offer.employer_id
    if not records_shown:
        verdict = replace(verdict, reasons=tuple(replace(reason, facts=()) for reason in verdict.reasons))
    return OfferFile(
        offer=offer,
        policy=policy,
        verdict=verdict,
        records_shown=records_shown,
        actions=_offer_actions(actor, offer, policy, catalog) if subject is offer else [],
        account=(offer.bank_account, offer.bank_name)
        if offer.bank_account and offer.bank_name
        else last_bank_account(session=session, actor=actor),
        events=history(session=session, case=offer),
        employer=session.get(User, offer.employer_id) if offer.employer_id else None,
        subject=session.get(User, offer.applicant_id),
        review=session.get(Application, offer.review_application_id) if offer.review_application_id else None,
    )


def _offer_actions(actor: User, offer: BenefitOffer, policy: Policy, catalog: Catalog) -> list[str]:
    """The rows the viewer may fire; a dispute only where the policy names the item that reviews it."""
    events = available_events(actor, offer, offer, catalog)
    return [event for event in events if event != "dispute_amount" or policy.amount_review_item]
