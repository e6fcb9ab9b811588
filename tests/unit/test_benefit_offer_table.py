"""The benefit offer's transition tables on their own: no database, no Flask."""

import pytest

from services.models import BenefitOfferStatus as O
from services.models import BenefitReviewStatus as R
from services.workflow.benefits.table import BENEFIT_OFFER, BENEFIT_REVIEW
from services.workflow.table import APPLICANT, ASSIGNEE, CLERK, SYSTEM

MACHINES = (BENEFIT_OFFER, BENEFIT_REVIEW)

# The rules as a person would tell them, each with the answer they would expect (None: it may happen).
EXAMPLES = [
    (BENEFIT_OFFER, O.OFFERED, "accept", {APPLICANT}, None),
    (BENEFIT_OFFER, O.OFFERED, "decline", {APPLICANT}, None),
    (BENEFIT_OFFER, O.OFFERED, "withdraw", {SYSTEM}, None),
    (BENEFIT_OFFER, O.OFFERED, "expire", {SYSTEM}, None),
    (BENEFIT_OFFER, O.ACCEPTED, "approve", {SYSTEM}, None),
    (BENEFIT_OFFER, O.ACCEPTED, "flag", {SYSTEM}, None),
    (BENEFIT_OFFER, O.APPROVED, "batch", {SYSTEM}, None),
    (BENEFIT_OFFER, O.IN_BATCH, "pay", {SYSTEM}, None),
    (BENEFIT_OFFER, O.IN_BATCH, "bounce", {SYSTEM}, None),
    (BENEFIT_OFFER, O.RETURNED, "correct_account", {APPLICANT}, None),
    (BENEFIT_OFFER, O.OFFERED, "accept", {CLERK}, "only applicant may accept this benefit_offer"),
    (BENEFIT_OFFER, O.EXPIRED, "accept", {APPLICANT}, "cannot accept a benefit offer that is expired"),
    (BENEFIT_OFFER, O.ACCEPTED, "accept", {APPLICANT}, "cannot accept a benefit offer that is accepted"),
    (BENEFIT_OFFER, O.ACCEPTED, "approve", {APPLICANT}, "only system may approve this benefit_offer"),
    (BENEFIT_OFFER, O.ACCEPTED, "decline", {APPLICANT}, "cannot decline a benefit offer that is accepted"),
    (BENEFIT_OFFER, O.IN_BATCH, "pay", {APPLICANT}, "only system may pay this benefit_offer"),
    (BENEFIT_OFFER, O.PAID, "bounce", {SYSTEM}, "cannot bounce a benefit offer that is paid"),
    (BENEFIT_OFFER, O.IN_REVIEW, "clear", {CLERK}, "only system may clear this benefit_offer"),
    (BENEFIT_REVIEW, R.READY, "claim", {CLERK}, None),
    (BENEFIT_REVIEW, R.CLAIMED, "approve", {ASSIGNEE}, None),
    (BENEFIT_REVIEW, R.CLAIMED, "refuse", {ASSIGNEE}, None),
    (BENEFIT_REVIEW, R.CLAIMED, "approve", {CLERK}, "only assignee may approve this benefit_review"),
    (BENEFIT_REVIEW, R.READY, "approve", {ASSIGNEE}, "cannot approve a benefit check that is ready"),
    (BENEFIT_REVIEW, R.READY, "claim", {APPLICANT}, "only clerk may claim this benefit_review"),
]


@pytest.mark.parametrize(
    ("machine", "status", "event", "relations", "expected"),
    EXAMPLES,
    ids=[f"{m.name}-{s}-{e}-{'+'.join(sorted(r))}" for m, s, e, r, _ in EXAMPLES],
)
def test_a_move_is_allowed_or_refused_with_the_reason_in_words(machine, status, event, relations, expected):
    assert machine.refusal(status, event, frozenset(relations)) == expected


def test_money_moves_only_by_the_system_and_the_subject_only_answers_the_offer_or_fixes_the_account():
    subject_rows = {row.event for row in BENEFIT_OFFER.transitions if APPLICANT in row.who}
    assert subject_rows == {"accept", "decline", "correct_account"}
    for event in ("approve", "clear", "batch", "pay", "bounce"):
        assert BENEFIT_OFFER.find(event).who == {SYSTEM}


def test_approval_is_held_to_the_budget_on_both_ways_to_approved():
    from services.workflow.benefits import rules

    for event in ("approve", "clear"):
        row = BENEFIT_OFFER.find(event)
        assert row.target == O.APPROVED
        assert rules.within_budget in row.guards and rules.commit_budget in row.effects


def test_a_returned_payment_goes_back_to_be_paid_once_the_account_is_corrected():
    assert BENEFIT_OFFER.find("bounce").target == O.RETURNED
    assert BENEFIT_OFFER.find("correct_account").target == O.APPROVED


def test_paying_writes_the_grant_that_excludes_paying_twice():
    from services.workflow.benefits import rules

    assert rules.record_grant in BENEFIT_OFFER.find("pay").effects


def test_buttons_follow_state_and_relation():
    assert BENEFIT_OFFER.allowed(O.OFFERED, frozenset({APPLICANT})) == ["accept", "decline"]
    assert BENEFIT_OFFER.allowed(O.APPROVED, frozenset({APPLICANT})) == []
    assert BENEFIT_REVIEW.allowed(R.CLAIMED, frozenset({CLERK, ASSIGNEE})) == ["release", "approve", "refuse"]


def test_each_machine_records_under_its_own_prefix():
    assert BENEFIT_OFFER.audit_event("accept") == "benefit_offer.accept"
    assert BENEFIT_REVIEW.audit_event("claim") == "benefit_review.claim"
