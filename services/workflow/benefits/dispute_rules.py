"""A disputed amount: the offer waits while an application of the policy's review item decides the amount due.

The subject (or, for a policy the employer accepts, the employer) names the amount they believe due
and why; the same transaction files an application of the policy's `amount_review_item`, submitted
through the application's own table, so it has its number, queues, deadline and messages. The
application's rows send the offer back to `offered`: the clerk's approval with the amount decided
(`correct_disputed_amount`), or any end without one with the amount unchanged (`uphold_disputed_amount`).
An offer in `amount_disputed` is never expired, withdrawn, approved or paid: only these rows leave it.
"""

import re
from datetime import timedelta
from decimal import Decimal

from sqlmodel import col

from services.audit import record_event
from services.errors import Conflict, Invalid, Message
from services.i18n import N_
from services.models import Application, BenefitOffer, BenefitOfferStatus
from services.models.offers import DISPUTE_REASON_MAX_LENGTH, REVIEW_NOTE_MAX_LENGTH
from services.requirements.fields import refuse_if_too_long
from services.workflow.benefits.rules import policy_of, tell, yuan

# After a review the subject has at least this many days to answer the offer again.
ANSWER_AGAIN_DAYS = 30
# Yuan as people write them: whole yuan or yuan and fen, no sign, no exponent (thousands commas are dropped).
_YUAN = re.compile(r"\d{1,12}(\.\d{1,2})?")
AMOUNT_TYPED_LENGTH = 24  # what a form takes: the longest amount the pattern admits, with its commas


def fen_from_yuan(text: str | None, *, field: str) -> int:
    """A positive amount in yuan with at most two decimals, as fen; Invalid naming `field` otherwise."""
    typed = (text or "").strip().replace(",", "")
    if not typed:
        raise Invalid(N_("the amount is missing"), {field: N_("Enter the amount in yuan.")})
    if not _YUAN.fullmatch(typed):
        raise Invalid(
            N_("the amount is not a number of yuan"),
            {field: N_("Enter the amount as a positive number of yuan with at most two decimals, like 1200.50.")},
        )
    fen = int(Decimal(typed) * 100)  # the pattern admits digits and one point only: Decimal takes every match
    if fen <= 0:
        raise Invalid(N_("the amount must be more than zero"), {field: N_("Enter an amount more than zero.")})
    return fen


# --- the offer's rows ---------------------------------------------------------------------


def amount_review_offered(firing) -> None:
    if policy_of(firing.catalog, firing.case).amount_review_item is None:
        raise Conflict(N_("the amount of this policy is set by law and cannot be disputed here"))


def claim_given(firing) -> None:
    """The amount believed due (positive yuan, not the offered one) and why: each problem named by its field."""
    errors: dict[str, Message] = {}
    claimed = None
    try:
        claimed = fen_from_yuan(firing.given.get("claimed_amount"), field="claimed_amount")
    except Invalid as problem:
        errors.update(problem.errors)
    reason = (firing.given.get("dispute_reason") or "").strip()
    if not reason:
        errors["dispute_reason"] = N_("Say why you believe the amount is wrong.")
    if claimed is not None and claimed == firing.case.amount_fen:
        errors["claimed_amount"] = N_("That is the amount offered: accept the offer instead.")
    if errors:
        raise Invalid(N_("the dispute is incomplete"), errors)
    refuse_if_too_long("dispute_reason", reason, DISPUTE_REASON_MAX_LENGTH)
    firing.given.update(claimed_fen=claimed, dispute_reason=reason)


def save_claim(firing) -> None:
    offer = firing.case
    offer.claimed_fen = firing.given["claimed_fen"]
    offer.dispute_reason = firing.given["dispute_reason"]
    offer.review_note = None
    firing.session.add(offer)
    firing.record.update(claimed_fen=offer.claimed_fen, offered_fen=offer.amount_fen)


def file_amount_review(firing) -> None:
    """The review is a real application of the policy's item, filed by whoever disputed and submitted at once."""
    offer = firing.case
    service = firing.catalog.service(policy_of(firing.catalog, offer).amount_review_item)
    application = Application(
        applicant_id=firing.actor.id,
        service_code=service.code,
        form_data={
            "offer_number": offer.number,
            "offered_amount": yuan(offer.amount_fen),
            "claimed_amount": yuan(offer.claimed_fen),
            "dispute_reason": offer.dispute_reason,
        },
    )
    firing.session.add(application)
    firing.session.flush()
    record_event(firing.session, actor=firing.actor, event="start", case=application, to_status=application.status)
    firing.fire_other_case(application, "submit", actor=firing.actor)
    offer.review_application_id = application.id
    firing.session.add(offer)
    firing.record["application"] = application.number


def take_reviewed_amount(firing) -> None:
    offer = firing.case
    firing.record.update(from_fen=offer.amount_fen, to_fen=firing.given["decided_fen"])
    offer.amount_fen = firing.given["decided_fen"]
    offer.review_note = None
    firing.session.add(offer)


def save_review_note(firing) -> None:
    refuse_if_too_long("reason", firing.reason or "", REVIEW_NOTE_MAX_LENGTH)
    firing.case.review_note = firing.reason
    firing.session.add(firing.case)


def reopen_answer_window(firing) -> None:
    """The review's days do not count against the subject: they get at least ANSWER_AGAIN_DAYS more."""
    offer = firing.case
    again = firing.today + timedelta(days=ANSWER_AGAIN_DAYS)
    if offer.deadline is None or offer.deadline < again:
        offer.deadline = again
        firing.session.add(offer)
    firing.record["deadline"] = offer.deadline.isoformat()


def notify_amount_corrected(firing) -> None:
    tell(
        firing,
        N_("%(policy)s: after review, offer %(number)s is now %(amount)s yuan. Accept it by %(deadline)s."),
        deadline=firing.case.deadline.isoformat(),
    )


def notify_amount_upheld(firing) -> None:
    tell(
        firing,
        N_("%(policy)s: the review kept offer %(number)s at %(amount)s yuan (%(reason)s). Accept it by %(deadline)s."),
        reason=firing.reason or "",
        deadline=firing.case.deadline.isoformat(),
    )


# --- the review application's rows ------------------------------------------------------------


def amount_decided_if_reviewing(firing) -> None:
    """Approving a review names the amount due; other items' approvals carry none."""
    if firing.task.item_code not in firing.catalog.review_items():
        return
    firing.given["decided_fen"] = fen_from_yuan(firing.given.get("decided_amount"), field="decided_amount")
    firing.record["decided_fen"] = firing.given["decided_fen"]


def correct_disputed_amount(firing) -> None:
    """The clerk approved the review: its offer is offered again at the amount decided."""
    if firing.task.item_code not in firing.catalog.review_items():
        return
    offer = _disputed_offer(firing, firing.application)
    if offer is not None:
        firing.fire_other_case(offer, "correct_amount", given={"decided_fen": firing.given["decided_fen"]})


def uphold_disputed_amount(firing) -> None:
    """The review ended without an approval (refused, not accepted, withdrawn, terminated): the amount stands."""
    application = firing.application
    if application.service_code not in firing.catalog.review_items():
        return
    offer = _disputed_offer(firing, application)
    if offer is not None:
        reason = firing.reason or _refusal_reason(firing) or firing.transition.label
        firing.fire_other_case(offer, "uphold_amount", reason=reason)


def _disputed_offer(firing, application: Application) -> BenefitOffer | None:
    # The application's lock is held; the offer's comes second, as in every path that holds both.
    offer = firing.lock_other_case(BenefitOffer, col(BenefitOffer.review_application_id) == application.id)
    if offer is None or offer.status != BenefitOfferStatus.AMOUNT_DISPUTED:
        return None
    return offer


def _refusal_reason(firing) -> str | None:
    """An application rejected by the fan-in has no reason of its own: its refused task's is the one."""
    return next((task.decision_reason for task in firing.tasks() if task.decision_reason), None)
