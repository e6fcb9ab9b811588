"""免申即享's figures: take-up, money paid, days from eligibility to money and why offers are declined.

By policy, and summed by the policy's issuing department. Take-up counts the offers a subject has
accepted (whatever became of them since) among those that were answerable: withdrawn offers (the
subject stopped qualifying) count in neither.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from sqlmodel import Session, col, func, select

from services.catalog import Catalog
from services.models import BenefitOffer
from services.models import BenefitOfferStatus as O

ANSWERED_YES = frozenset({O.ACCEPTED, O.IN_REVIEW, O.APPROVED, O.IN_BATCH, O.PAID, O.RETURNED, O.REFUSED})


@dataclass
class OfferFigures:
    offered: int = 0  # every offer made, withdrawn ones too
    withdrawn: int = 0
    accepted: int = 0
    declined: int = 0
    paid: int = 0
    paid_fen: int = 0
    declined_why: Counter = field(default_factory=Counter)
    days_to_money: list[int] = field(default_factory=list)  # eligibility to payment, per paid offer

    @property
    def take_up(self) -> float | None:
        """Accepted among the offers that could be answered; None when there were none."""
        answerable = self.offered - self.withdrawn
        return self.accepted / answerable if answerable else None

    @property
    def median_days_to_money(self) -> float | None:
        return median(self.days_to_money) if self.days_to_money else None

    def add(self, other: "OfferFigures") -> None:
        self.offered += other.offered
        self.withdrawn += other.withdrawn
        self.accepted += other.accepted
        self.declined += other.declined
        self.paid += other.paid
        self.paid_fen += other.paid_fen
        self.declined_why.update(other.declined_why)
        self.days_to_money.extend(other.days_to_money)


@dataclass(frozen=True)
class Figures:
    by_policy: dict[str, OfferFigures]
    by_department: dict[str, OfferFigures]


def offer_figures(*, session: Session, catalog: Catalog) -> Figures:
    """Counts per policy and status in SQL; the paid offers' days and the declines' reasons read row by row."""
    by_policy: dict[str, OfferFigures] = defaultdict(OfferFigures)
    counts = session.exec(
        select(
            BenefitOffer.policy,
            BenefitOffer.status,
            func.count(),
            func.coalesce(func.sum(BenefitOffer.amount_fen), 0),
        ).group_by(col(BenefitOffer.policy), col(BenefitOffer.status))
    ).all()
    for code, status, count, amount in counts:
        figures = by_policy[code]
        figures.offered += count
        if status == O.WITHDRAWN:
            figures.withdrawn += count
        if status in ANSWERED_YES:
            figures.accepted += count
        if status == O.DECLINED:
            figures.declined += count
        if status == O.PAID:
            figures.paid += count
            figures.paid_fen += int(amount)
    for code, eligible_on, paid_on in session.exec(
        select(col(BenefitOffer.policy), col(BenefitOffer.eligible_on), col(BenefitOffer.paid_on)).where(
            col(BenefitOffer.status) == O.PAID
        )
    ):
        if paid_on is not None:
            by_policy[code].days_to_money.append((paid_on - eligible_on).days)
    for code, reason in session.exec(
        select(BenefitOffer.policy, BenefitOffer.decline_reason).where(col(BenefitOffer.status) == O.DECLINED)
    ):
        by_policy[code].declined_why[reason] += 1
    by_department: dict[str, OfferFigures] = defaultdict(OfferFigures)
    for code, figures in by_policy.items():
        department = catalog.policies[code].department if code in catalog.policies else "?"
        by_department[department].add(figures)
    return Figures(dict(sorted(by_policy.items())), dict(sorted(by_department.items())))
