"""Guards and effects of a benefit offer's rows: accepting, the budget, the review, the bank."""

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from services import clock
from services.catalog import Catalog
from services.catalog.policy_model import Policy
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import (
    BenefitBudget,
    BenefitGrant,
    BenefitOffer,
    BenefitReviewStatus,
    Role,
    Task,
)
from services.models.offers import BANK_NAME_MAX_LENGTH, DECLINE_NOTE_MAX_LENGTH
from services.notifications import notify, notify_staff
from services.requirements.fields import FieldError, refuse_if_too_long

# Days a subject has to answer an offer (calendar days from the day it is made).
ACCEPT_DAYS = 90
# A clerk checks a flagged offer within this many working days.
REVIEW_DAYS = 5
# Why a subject declines, as the decline form lists them (each a msgid).
DECLINE_REASONS = {
    "not_needed": N_("I do not need it"),
    "not_entitled": N_("I believe I am not entitled"),
    "other_support": N_("I receive other support instead"),
    "other": N_("Another reason"),
}
# A Chinese bank card has 16 to 19 digits, a company's settlement account up to 25 or so.
_ACCOUNT = re.compile(r"\d{10,30}")


def policy_of(catalog: Catalog, offer: BenefitOffer) -> Policy:
    return catalog.policies[offer.policy]


def offer_deadline(today: date) -> date:
    return today + timedelta(days=ACCEPT_DAYS)


def budget_fen(policy: Policy) -> int:
    return int(policy.budget_yuan * 100)


def needs_review(policy: Policy, amount_fen: int) -> bool:
    """An amount above the policy's review threshold waits for a clerk's check."""
    return policy.review_above_yuan is not None and Decimal(amount_fen) > policy.review_above_yuan * 100


def yuan(amount_fen: int) -> str:
    """Fen as yuan with two decimals, exactly (no float)."""
    return f"{amount_fen // 100}.{amount_fen % 100:02d}"


# --- guards -----------------------------------------------------------------


def not_past_deadline(firing) -> None:
    deadline = firing.case.deadline
    if deadline is not None and firing.today > deadline:
        raise Conflict(
            FieldError(N_("this offer expired on %(deadline)s; it can no longer be accepted"), deadline=deadline),
            deadline=deadline,
        )


def bank_account_given(firing) -> None:
    """The account the money goes to: its number (digits only) and its bank, both named."""
    account = re.sub(r"[\s-]", "", firing.given.get("bank_account") or "")
    bank = (firing.given.get("bank_name") or "").strip()
    errors = {}
    if not _ACCOUNT.fullmatch(account):
        errors["bank_account"] = N_("Enter the account number: 10 to 30 digits.")
    if not bank:
        errors["bank_name"] = N_("Enter the name of the bank.")
    if errors:
        raise Invalid(N_("the bank account is incomplete"), errors)
    refuse_if_too_long("bank_name", bank, BANK_NAME_MAX_LENGTH)
    firing.given.update(bank_account=account, bank_name=bank)


def decline_reason_chosen(firing) -> None:
    if firing.given.get("decline_reason") not in DECLINE_REASONS:
        raise Invalid(N_("choose why you decline"), {"decline_reason": N_("Choose why you decline the offer.")})
    refuse_if_too_long("decline_note", (firing.given.get("decline_note") or "").strip(), DECLINE_NOTE_MAX_LENGTH)


def within_budget(firing) -> None:
    """The policy's budget has room for this amount; the caller holds the budget row's lock (`lock_budget`)."""
    budget = firing.given["budget"]
    if budget.committed_fen + firing.case.amount_fen > budget_fen(policy_of(firing.catalog, firing.case)):
        raise Conflict(N_("the budget of this policy is spent; the offer waits until it frees"))


def lock_budget(session, policy: str) -> BenefitBudget:
    """The policy's committed total, locked until the commit: approvals of one policy queue here, and only they.

    The row is made on first use by an insert that does nothing when it exists. Written first, it
    also takes SQLite's one write lock before anything is read, so an approval there never reads
    offers another approval is about to move.
    """
    table = BenefitBudget.__table__  # type: ignore[attr-defined]  # SQLModel sets it
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.connection().execute(dialect.insert(table).on_conflict_do_nothing(), {"policy": policy, "committed_fen": 0})
    return _locked_budget(session, policy).one()


def _locked_budget(session, policy: str):
    return session.exec(
        select(BenefitBudget)
        .where(col(BenefitBudget.policy) == policy)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# --- effects ----------------------------------------------------------------


def save_bank_account(firing) -> None:
    offer = firing.case
    offer.bank_account = firing.given["bank_account"]
    offer.bank_name = firing.given["bank_name"]
    # Whoever answers is paid: the subject, or the employer that accepts for its employee.
    offer.payee_name = firing.actor.full_name
    firing.session.add(offer)
    # The account is kept whole on the offer; the audit shows only its last four digits.
    firing.record.update(account_ends=offer.bank_account[-4:], bank=offer.bank_name)


def stamp_accepted(firing) -> None:
    firing.case.accepted_at = clock.now()
    firing.session.add(firing.case)


def save_decline(firing) -> None:
    offer = firing.case
    offer.decline_reason = firing.given["decline_reason"]
    offer.decline_note = (firing.given.get("decline_note") or "").strip() or None
    firing.session.add(offer)
    firing.record["decline_reason"] = offer.decline_reason


def stamp_closed(firing) -> None:
    firing.case.closed_at = clock.now()
    firing.session.add(firing.case)


def commit_budget(firing) -> None:
    budget = firing.given["budget"]
    budget.committed_fen += firing.case.amount_fen
    firing.session.add(budget)
    firing.record.update(amount_fen=firing.case.amount_fen, committed_fen=budget.committed_fen)


def stamp_approved(firing) -> None:
    firing.case.approved_at = clock.now()
    firing.session.add(firing.case)


def create_review_task(firing) -> None:
    """A clerk of the policy's department checks the offer before it is paid."""
    offer = firing.case
    policy = policy_of(firing.catalog, offer)
    task = Task(
        case_kind=BenefitOffer.CHAIN_KIND,
        case_id=offer.id,
        item_code=policy.code[:64],
        department=policy.department,
        status=BenefitReviewStatus.READY,  # the initial status of the benefit_review table
        promised_days=REVIEW_DAYS,
        started_on=firing.today,
        deadline=firing.calendar.add_working_days(firing.today, REVIEW_DAYS),
    )
    firing.session.add(task)
    firing.session.flush()
    firing.tasks_added()
    firing.record["task"] = task.key
    notify_staff(
        firing.session,
        role=Role.CLERK,
        department=policy.department,
        case=offer,
        template=N_("Benefit offer %(number)s waits for your check before it is paid."),
        params={"number": offer.number},
    )


def put_in_batch(firing) -> None:
    firing.case.batch_id = firing.given["batch_id"]
    firing.session.add(firing.case)
    firing.record["batch"] = firing.given["reference"]


def record_grant(firing) -> None:
    """The money reached the subject: "already received" now excludes them from the policy (and those naming it)."""
    offer = firing.case
    offer.paid_on = firing.today
    firing.session.add(offer)
    firing.session.add(
        BenefitGrant(
            policy=offer.policy, subject_id=offer.applicant_id, granted_on=firing.today, amount_fen=offer.amount_fen
        )
    )


def save_return_reason(firing) -> None:
    firing.case.return_reason = firing.reason
    firing.case.batch_id = None
    firing.session.add(firing.case)


# --- notifications ----------------------------------------------------------


def tell(firing, template: str, **params) -> None:
    offer = firing.case
    policy = policy_of(firing.catalog, offer)
    notify(
        firing.session,
        user=firing.applicant,
        case=offer,
        template=template,
        params={
            "number": offer.number,
            "policy": policy.name.zh,
            "policy_en": policy.name.en,
            "amount": yuan(offer.amount_fen),
            **params,
        },
    )


def notify_accepted(firing) -> None:
    if firing.case.employer_id is not None:
        tell(
            firing,
            N_("%(employer)s accepted %(policy)s for you (%(amount)s yuan, offer %(number)s); it is paid to them."),
            employer=firing.actor.full_name,
        )
        return
    tell(firing, N_("You accepted %(policy)s (%(amount)s yuan, offer %(number)s). We will tell you when it is paid."))


def notify_withdrawn(firing) -> None:
    tell(firing, N_("Offer %(number)s of %(policy)s was withdrawn: you no longer qualify."))


def notify_approved(firing) -> None:
    tell(firing, N_("%(policy)s: %(amount)s yuan approved (offer %(number)s); it goes out with the next payment."))


def notify_refused(firing) -> None:
    tell(firing, N_("%(policy)s: the department refused to pay offer %(number)s."))


def notify_paid(firing) -> None:
    tell(firing, N_("%(policy)s: %(amount)s yuan paid into your account (offer %(number)s)."))


def notify_returned(firing) -> None:
    tell(firing, N_("%(policy)s: the bank returned the payment of offer %(number)s. Check your account details."))
