"""Benefit offers in every state, played through the services over the seed's last hundred days.

The sweeps offer, subjects accept or decline, the approval job approves within the budget (or
flags for a clerk, who approves or refuses), payment batches go to the bank and a returns file
comes back (paid, and a few returned, one of them corrected); later a few subjects stop
qualifying (the benefit received elsewhere) and the changed-subjects sweep withdraws their
offers; on the last day the sweep offers the rest and expires the offers nobody answered.

Only the subjects played through the services (and the demo accounts) are swept: a city cloned
to a million would otherwise make its offers one by one here. The worker's nightly sweep offers
the cloned subjects. Deterministic for a seed: its own random stream, the seed's frozen clock.
"""

import csv
import io
import random
from datetime import date, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from seeding.timeline import china_moment
from services import clock
from services.benefits.changes import mark_changed
from services.catalog import Catalog
from services.models import BenefitGrant, BenefitOffer, BenefitOfferStatus, Task, User
from services.offers.answering import accept_offer, correct_account, decline_offer, dispute_offer
from services.offers.approval import approve_all_accepted, decide_review
from services.offers.payment import RESULT_HEADER, make_batch, read_returns
from services.offers.sweep import expire_offers, sweep_changed_subjects, sweep_subjects
from services.workflow.benefits.rules import ACCEPT_DAYS, DECLINE_REASONS, needs_review

PAYER_ACCOUNT = "1202020209000000001"  # the treasury's paying account (as `flask benefits pay` defaults to)
BANKS = ("中国工商银行杭州分行", "中国建设银行杭州分行", "杭州银行西湖支行", "浙江农商银行")
DECLINE_NOTES = {
    "not_needed": "家里暂时不需要，留给更需要的人。",
    "not_entitled": "我认为自己不符合条件。",
    "other_support": "已在单位领取同类补贴。",
    "other": "",
}
BANK_RETURNS = ("账户已销户", "户名与账号不符")
EXPIRING_SHARE = 0.15  # of the subjects, swept early and never answering: their offers expire
ACCEPT_SHARE, DECLINE_SHARE = 0.45, 0.12  # of the main sweep's offers, answered the next day
LEAST_DECLINED = 2  # two reasons at least
LEAST_ACCEPTED = 4  # enough for a batch with returns and payments, even in a small city
LATER_ROUNDS = 3  # one offer kept open for each later round of accepts (in a batch, approved, accepted)
WITHDRAWN = 1  # offers kept open for their subjects to stop qualifying before the last day
DISPUTE_REASON = "金额与实际缴费和家庭情况不符，请按登记记录重新核定。"  # the amount disputed, in the subject's words


def seed_offers(
    *,
    session: Session,
    catalog: Catalog,
    frozen: clock.FrozenClock,
    subject_ids: list[int],
    demo_ids: list[int],
    last_day: date,
    seed: int,
) -> dict[str, int]:
    """Play offers to every state for these subjects; the number of offers in each status."""
    resume_at = frozen.now()  # the seed goes on from where the year's simulation stopped
    rng = random.Random(f"offers-{seed}")  # its own stream: the rest of the seed draws as it always did
    play = _Play(session, catalog, frozen, rng)
    expiring = {s for s in sorted(subject_ids) if s not in demo_ids and rng.random() < EXPIRING_SHARE}
    main = set(subject_ids) - expiring - set(demo_ids)
    first_day = last_day - timedelta(days=ACCEPT_DAYS + 6)  # its offers expire before the last day
    main_day = last_day - timedelta(days=30)

    play.on(first_day, time(7))
    sweep_subjects(session=session, catalog=catalog, today=first_day, subject_ids=expiring)
    play.on(main_day, time(7))
    sweep_subjects(session=session, catalog=catalog, today=main_day, subject_ids=main)
    play.on(main_day + timedelta(days=1), time(10))
    for_withdrawal, for_later = play.answer(play.open_offers(since=main_day))
    approve_all_accepted(session=session, catalog=catalog)
    play.on(main_day + timedelta(days=2), time(10))
    play.check_flagged()
    play.on(main_day + timedelta(days=3), time(16))
    play.pay_and_hear_back(returned=len(BANK_RETURNS), returns_on=main_day + timedelta(days=5))
    play.on(main_day + timedelta(days=6), time(11))
    play.correct_first_returned()
    play.on(main_day + timedelta(days=8), time(10))
    play.accept_next(for_later)
    approve_all_accepted(session=session, catalog=catalog)
    play.on(main_day + timedelta(days=8), time(16))
    make_batch(session=session, catalog=catalog, payer_account=PAYER_ACCOUNT, today=play.today)  # no answer yet
    play.on(main_day + timedelta(days=10), time(10))
    play.accept_next(for_later)
    approve_all_accepted(session=session, catalog=catalog)  # approved, waiting for the next batch

    play.on(last_day - timedelta(days=3), time(9))
    play.receive_elsewhere(for_withdrawal)
    sweep_changed_subjects(session=session, catalog=catalog, today=play.today)

    play.on(last_day, time(7))
    sweep_subjects(session=session, catalog=catalog, today=last_day, subject_ids=set(subject_ids) | set(demo_ids))
    expire_offers(session=session, catalog=catalog, today=last_day)
    play.on(last_day, time(10))
    play.accept_next(for_later)  # the approval job has not run yet: accepted
    frozen.set(resume_at)
    counts = session.exec(select(BenefitOffer.status, func.count()).group_by(col(BenefitOffer.status))).all()
    return dict(sorted(counts))


class _Play:
    def __init__(self, session: Session, catalog: Catalog, frozen: clock.FrozenClock, rng: random.Random):
        self.session, self.catalog, self.frozen, self.rng = session, catalog, frozen, rng
        self.today = date.min
        self.accounts: dict[int, str] = {}

    def on(self, day: date, at: time) -> None:
        self.today = day
        self.frozen.set(china_moment(day, at))

    def open_offers(self, since: date = date.min) -> list[BenefitOffer]:
        return list(
            self.session.exec(
                select(BenefitOffer)
                .where(col(BenefitOffer.status) == BenefitOfferStatus.OFFERED, col(BenefitOffer.eligible_on) >= since)
                .order_by(col(BenefitOffer.id))
            )
        )

    def answerer(self, offer: BenefitOffer) -> User:
        """Who answers the offer: its subject, or the employer of record where the policy says the firm accepts."""
        user = self.session.get(User, offer.employer_id or offer.applicant_id)
        assert user is not None  # an offer's subject or employer
        return user

    def account(self, offer: BenefitOffer) -> str:
        # One account per payee (the subject, or the firm answering), as a person or firm keeps theirs.
        payee = offer.employer_id or offer.applicant_id
        if payee not in self.accounts:
            self.accounts[payee] = "6222" + "".join(self.rng.choice("0123456789") for _ in range(15))
        return self.accounts[payee]

    def accept(self, offer: BenefitOffer) -> None:
        accept_offer(
            session=self.session,
            actor=self.answerer(offer),
            key=offer.key,
            bank_account=self.account(offer),
            bank_name=self.rng.choice(BANKS),
            catalog=self.catalog,
        )

    def answer(self, offers: list[BenefitOffer]) -> tuple[list[BenefitOffer], list[BenefitOffer]]:
        """Offers the department must check are accepted. Of the others a few are kept open: for a withdrawal
        and for the later rounds of accepts (returned); the rest are declined (each reason in turn), accepted
        or left open."""
        flagged = [o for o in offers if needs_review(self.catalog.policies[o.policy], o.amount_fen)]
        others = [o for o in offers if o not in flagged]
        self.rng.shuffle(others)
        kept = WITHDRAWN + LATER_ROUNDS
        for_withdrawal, for_later, others = others[:WITHDRAWN], others[WITHDRAWN:kept], others[kept:]
        others = self.dispute_one(others)
        declines = max(LEAST_DECLINED, round(len(others) * DECLINE_SHARE))
        accepts = max(LEAST_ACCEPTED, round(len(others) * ACCEPT_SHARE))
        reasons = sorted(DECLINE_REASONS)
        for position, offer in enumerate(others[:declines]):
            reason = reasons[position % len(reasons)]
            decline_offer(
                session=self.session,
                actor=self.answerer(offer),
                key=offer.key,
                reason=reason,
                note=DECLINE_NOTES[reason],
                catalog=self.catalog,
            )
        for offer in sorted(flagged + others[declines : declines + accepts], key=lambda o: o.id or 0):
            self.accept(offer)
        return for_withdrawal, for_later

    def dispute_one(self, offers: list[BenefitOffer]) -> list[BenefitOffer]:
        """The first offer whose policy has a review item is disputed: its review application waits at the desk."""
        disputable = next((o for o in offers if self.catalog.policies[o.policy].amount_review_item), None)
        if disputable is None:
            return offers
        dispute_offer(
            session=self.session,
            actor=self.answerer(disputable),
            key=disputable.key,
            claimed_amount=f"{disputable.amount_fen * 3 // 200:.2f}",  # half as much again, in yuan
            reason=DISPUTE_REASON,
            catalog=self.catalog,
        )
        return [o for o in offers if o is not disputable]

    def accept_next(self, kept: list[BenefitOffer]) -> None:
        if kept:
            self.accept(kept.pop(0))

    def check_flagged(self) -> None:
        """The department's clerk refuses the first flagged offer and approves the third; the second waits."""
        tasks = self.session.exec(
            select(Task).where(col(Task.case_kind) == BenefitOffer.CHAIN_KIND).order_by(col(Task.id))
        ).all()
        for task, event in zip(tasks, ("refuse", None, "approve"), strict=False):
            if event is None:
                continue
            login = f"clerk.{task.department.lower()}"  # the department's demo clerk
            clerk = self.session.exec(select(User).where(col(User.login_name) == login)).one()
            decide_review(session=self.session, actor=clerk, task_key=task.key, event="claim", catalog=self.catalog)
            decide_review(
                session=self.session,
                actor=clerk,
                task_key=task.key,
                event=event,
                catalog=self.catalog,
                reason="购房合同与不动产登记信息不一致，不予发放。" if event == "refuse" else None,
            )

    def pay_and_hear_back(self, *, returned: int, returns_on: date) -> None:
        """A batch goes to the bank; its result file pays every line but the first few, returned with a reason."""
        made = make_batch(session=self.session, catalog=self.catalog, payer_account=PAYER_ACCOUNT, today=self.today)
        if made is None:
            return
        lines = list(csv.reader(io.StringIO(made.content.decode("utf-8"))))[1:]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(RESULT_HEADER)
        for index, line in enumerate(lines):
            amount, reference = line[4], line[6]
            if index < returned:
                writer.writerow((reference, amount, "returned", BANK_RETURNS[index % len(BANK_RETURNS)]))
            else:
                writer.writerow((reference, amount, "paid", ""))
        self.on(returns_on, time(9))
        read_returns(session=self.session, catalog=self.catalog, content=out.getvalue())

    def correct_first_returned(self) -> None:
        offer = self.session.exec(
            select(BenefitOffer)
            .where(col(BenefitOffer.status) == BenefitOfferStatus.RETURNED)
            .order_by(col(BenefitOffer.id))
        ).first()
        if offer is None:
            return
        self.accounts.pop(offer.employer_id or offer.applicant_id)  # a new account this time
        correct_account(
            session=self.session,
            actor=self.answerer(offer),
            key=offer.key,
            bank_account=self.account(offer),
            bank_name=self.rng.choice(BANKS),
            catalog=self.catalog,
        )

    def receive_elsewhere(self, offers: list[BenefitOffer]) -> None:
        """These offers' subjects are paid the same benefit by another office (a data feed, not a case)."""
        granted = [
            {"policy": o.policy, "subject_id": o.applicant_id, "granted_on": self.today, "amount_fen": o.amount_fen}
            for o in offers
        ]
        if granted:
            self.session.execute(insert(BenefitGrant.__table__), granted)  # type: ignore[attr-defined]
        for offer in offers:
            mark_changed(self.session, subject_id=offer.applicant_id)
        self.session.commit()
