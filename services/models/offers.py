"""Benefit offers (免申即享): the government offers what a subject is entitled to, and pays it in batches.

An offer is a kind of case (its chain, its audit, its transition table); a policy offers each
subject once, which a unique constraint holds even when two sweeps run at once. Money is whole fen.
"""

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services import clock
from services.i18n import N_
from services.models.cases import CaseRow

BANK_ACCOUNT_MAX_LENGTH = 34  # an IBAN's length; Chinese card and account numbers are 16 to 19 digits
BANK_NAME_MAX_LENGTH = 64
DECLINE_NOTE_MAX_LENGTH = 500
DISPUTE_REASON_MAX_LENGTH = 200  # the review application's text field holds it whole
REVIEW_NOTE_MAX_LENGTH = 500


class BenefitOfferStatus:
    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    IN_BATCH = "in_batch"
    PAID = "paid"
    RETURNED = "returned"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REFUSED = "refused"
    AMOUNT_DISPUTED = "amount_disputed"

    LABELS = {
        OFFERED: N_("Offered, waiting for your answer"),
        AMOUNT_DISPUTED: N_("Amount disputed: an application for review is open"),
        ACCEPTED: N_("Accepted, waiting for the budget"),
        IN_REVIEW: N_("Being checked by the department"),
        APPROVED: N_("Approved, to be paid"),
        IN_BATCH: N_("Sent to the bank"),
        PAID: N_("Paid"),
        RETURNED: N_("Returned by the bank"),
        DECLINED: N_("Declined"),
        WITHDRAWN: N_("Withdrawn: no longer eligible"),
        EXPIRED: N_("Expired: not accepted in time"),
        REFUSED: N_("Refused by the department"),
    }

    FINAL = frozenset({PAID, DECLINED, WITHDRAWN, EXPIRED, REFUSED})
    # The statuses whose amount counts against the policy's budget.
    COMMITTED = frozenset({APPROVED, IN_BATCH, PAID, RETURNED})


class BenefitReviewStatus:
    """A flagged offer's check by a clerk of the policy's department."""

    READY = "ready"
    CLAIMED = "claimed"
    APPROVED = "approved"
    REFUSED = "refused"

    LABELS = {
        READY: N_("In the department's queue"),
        CLAIMED: N_("Being checked"),
        APPROVED: N_("Payment approved"),
        REFUSED: N_("Payment refused"),
    }

    OPEN = frozenset({READY, CLAIMED})
    FINAL = frozenset({APPROVED, REFUSED})


class BenefitOffer(CaseRow, table=True):
    """What a policy offers one citizen or firm (the case's applicant), from the offer to the money."""

    __tablename__ = "benefit_offer"
    __table_args__ = (
        UniqueConstraint("policy", "applicant_id", name="uq_benefit_offer_policy_subject"),
        # The approval takes a policy's accepted offers in the order they were accepted.
        Index("ix_benefit_offer_policy_status_accepted", "policy", "status", "accepted_at", "id"),
    )

    status: str = Field(default=BenefitOfferStatus.OFFERED, index=True, max_length=24)
    policy: str = Field(max_length=48)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    eligible_on: date  # the day the sweep found the subject eligible
    accepted_at: datetime | None = None
    approved_at: datetime | None = None
    payee_name: str | None = Field(default=None, max_length=100)
    bank_account: str | None = Field(default=None, max_length=BANK_ACCOUNT_MAX_LENGTH)
    bank_name: str | None = Field(default=None, max_length=BANK_NAME_MAX_LENGTH)
    decline_reason: str | None = Field(default=None, max_length=24)
    decline_note: str | None = Field(default=None, max_length=DECLINE_NOTE_MAX_LENGTH)
    batch_id: int | None = Field(default=None, foreign_key="benefit_batch.id", index=True)
    return_reason: str | None = Field(default=None, max_length=200)
    paid_on: date | None = None
    # A policy accepted by the employer: the firm of record at the sweep answers the offer, not its subject.
    employer_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # The amount disputed (what the subject believes due), why, and the application that reviews it.
    claimed_fen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    dispute_reason: str | None = Field(default=None, max_length=DISPUTE_REASON_MAX_LENGTH)
    review_application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    review_note: str | None = Field(default=None, max_length=REVIEW_NOTE_MAX_LENGTH)

    CHAIN_KIND: ClassVar[str] = "benefit_offer"


class BenefitBatch(SQLModel, table=True):
    """A payment file handed to the treasury's bank: what it holds and its digest."""

    __tablename__ = "benefit_batch"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    created_at: datetime = Field(default_factory=clock.now)
    count: int
    total_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)


class BenefitBudget(SQLModel, table=True):
    """What a policy has committed so far: the approval holds this row's lock, and only the approval does.

    A citizen's accept never touches it: accepts queue, and the approval takes them in order.
    """

    __tablename__ = "benefit_budget"

    policy: str = Field(primary_key=True, max_length=48)
    committed_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class BenefitChange(SQLModel, table=True):
    """A subject whose facts changed (a certificate issued, a record written): the next quick sweep looks at them."""

    __tablename__ = "benefit_change"

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="user_account.id")
    changed_at: datetime = Field(default_factory=clock.now)


class BenefitSweepMark(SQLModel, table=True):
    """How far a sweep of changes has read `benefit_change`: the watermark, one row per sweep."""

    __tablename__ = "benefit_sweep_mark"

    name: str = Field(primary_key=True, max_length=24)
    last_change_id: int = 0
