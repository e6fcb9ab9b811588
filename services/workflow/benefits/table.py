"""The transition tables of a benefit offer and of its review task. Nothing else writes their statuses.

The sweep offers what a policy pays a subject; the subject (or, where the policy says so, their
employer) accepts (with a bank account), declines (with a reason) or disputes the amount, which
files an application for review that sends the offer back at the amount decided. An accepted offer is approved
by the system in the order of acceptance while the policy's budget lasts, or flagged for a clerk of
the policy's department to check; approved offers go to the bank in a batch and come back paid or
returned (a corrected account sends them back to be paid again).
"""

from services.i18n import N_
from services.models import BenefitOfferStatus as O
from services.models import BenefitReviewStatus as R
from services.workflow.table import APPLICANT, ASSIGNEE, CLERK, SYSTEM, Machine, row

# The firm of record of an employee whose offer's policy is accepted by the employer: it answers the offer.
EMPLOYER = "employer"
# Who answers an offer: its subject, or the employer where the policy says so (never both: see case.py).
ANSWERER = {APPLICANT, EMPLOYER}


def _machines() -> tuple[Machine, Machine]:
    # Imported here so that reading the table needs no database.
    from services.workflow.benefits import dispute_rules as d
    from services.workflow.benefits import rules as r
    from services.workflow.benefits import task_rules as t

    offer = Machine(
        name="benefit_offer",
        noun="a benefit offer",
        audit_prefix="benefit_offer.",
        state_labels=O.LABELS,
        initial=O.OFFERED,
        final=O.FINAL,
        transitions=(
            row(
                "accept",
                {O.OFFERED},
                O.ACCEPTED,
                ANSWERER,
                guards=[r.not_past_deadline, r.bank_account_given],
                effects=[r.save_bank_account, r.stamp_accepted, r.notify_accepted],
                label=N_("Accepted"),
            ),
            row(
                "decline",
                {O.OFFERED},
                O.DECLINED,
                ANSWERER,
                guards=[r.decline_reason_chosen],
                effects=[r.save_decline, r.stamp_closed],
                label=N_("Declined"),
            ),
            row(
                "dispute_amount",
                {O.OFFERED},
                O.AMOUNT_DISPUTED,
                ANSWERER,
                guards=[r.not_past_deadline, d.amount_review_offered, d.claim_given],
                effects=[d.save_claim, d.file_amount_review],
                label=N_("Amount disputed: an application for review filed"),
            ),
            row(
                "correct_amount",
                {O.AMOUNT_DISPUTED},
                O.OFFERED,
                {SYSTEM},
                effects=[d.take_reviewed_amount, d.reopen_answer_window, d.notify_amount_corrected],
                label=N_("Offered again at the amount the review decided"),
            ),
            row(
                "uphold_amount",
                {O.AMOUNT_DISPUTED},
                O.OFFERED,
                {SYSTEM},
                needs_reason=True,
                effects=[d.save_review_note, d.reopen_answer_window, d.notify_amount_upheld],
                label=N_("Offered again: the review kept the amount"),
            ),
            row(
                "withdraw",
                {O.OFFERED},
                O.WITHDRAWN,
                {SYSTEM},
                needs_reason=True,
                effects=[r.stamp_closed, r.notify_withdrawn],
                label=N_("Withdrawn: no longer eligible"),
            ),
            row(
                "expire",
                {O.OFFERED},
                O.EXPIRED,
                {SYSTEM},
                effects=[r.stamp_closed],
                label=N_("Expired: not accepted in time"),
            ),
            row(
                "approve",
                {O.ACCEPTED},
                O.APPROVED,
                {SYSTEM},
                guards=[r.within_budget],
                effects=[r.commit_budget, r.stamp_approved, r.notify_approved],
                label=N_("Approved within the budget"),
            ),
            row(
                "flag",
                {O.ACCEPTED},
                O.IN_REVIEW,
                {SYSTEM},
                effects=[r.create_review_task],
                label=N_("Flagged for a check by the department"),
            ),
            row(
                "clear",
                {O.IN_REVIEW},
                O.APPROVED,
                {SYSTEM},
                guards=[r.within_budget],
                effects=[r.commit_budget, r.stamp_approved, r.notify_approved],
                label=N_("Approved after the department's check"),
            ),
            row(
                "refuse",
                {O.IN_REVIEW},
                O.REFUSED,
                {SYSTEM},
                needs_reason=True,
                effects=[r.stamp_closed, r.notify_refused],
                label=N_("Refused after the department's check"),
            ),
            row(
                "batch",
                {O.APPROVED},
                O.IN_BATCH,
                {SYSTEM},
                effects=[r.put_in_batch],
                label=N_("Sent to the bank in a payment batch"),
            ),
            row(
                "pay",
                {O.IN_BATCH},
                O.PAID,
                {SYSTEM},
                effects=[r.record_grant, r.stamp_closed, r.notify_paid],
                label=N_("Paid"),
            ),
            row(
                "bounce",
                {O.IN_BATCH},
                O.RETURNED,
                {SYSTEM},
                needs_reason=True,
                effects=[r.save_return_reason, r.notify_returned],
                label=N_("Returned by the bank"),
            ),
            row(
                "correct_account",
                {O.RETURNED},
                O.APPROVED,
                ANSWERER,
                guards=[r.bank_account_given],
                effects=[r.save_bank_account],
                label=N_("Bank account corrected"),
            ),
        ),
    )
    review = Machine(
        name="benefit_review",
        noun="a benefit check",
        audit_prefix="benefit_review.",
        state_labels=R.LABELS,
        initial=R.READY,
        final=R.FINAL,
        transitions=(
            row(
                "claim",
                {R.READY},
                R.CLAIMED,
                {CLERK},
                effects=[t.assign_to_actor],
                label=N_("Taken up by a clerk"),
            ),
            row(
                "release",
                {R.CLAIMED},
                R.READY,
                {ASSIGNEE},
                effects=[t.unassign],
                label=N_("Returned to the queue"),
            ),
            row(
                "approve",
                {R.CLAIMED},
                R.APPROVED,
                {ASSIGNEE},
                effects=[t.stamp_decision, t.clear_offer],
                label=N_("Payment approved by the clerk"),
            ),
            row(
                "refuse",
                {R.CLAIMED},
                R.REFUSED,
                {ASSIGNEE},
                needs_reason=True,
                effects=[t.stamp_decision, t.refuse_offer],
                label=N_("Payment refused by the clerk"),
            ),
        ),
    )
    return offer, review


BENEFIT_OFFER, BENEFIT_REVIEW = _machines()

# Audit events of an offer recorded beside its table: they change no status.
BENEFIT_EVENT_LABELS = {
    "benefit_offer.create": N_("Offered by the sweep"),
}
