"""The benefit offer's transition tables on their own: no database, no Flask."""

import pytest

from services.models import BenefitOfferStatus as O
from services.models import BenefitReviewStatus as R
from services.workflow.benefits.table import BENEFIT_OFFER, BENEFIT_REVIEW, EMPLOYER
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
    (BENEFIT_OFFER, O.OFFERED, "accept", {EMPLOYER}, None),
    (BENEFIT_OFFER, O.OFFERED, "dispute_amount", {APPLICANT}, None),
    (BENEFIT_OFFER, O.OFFERED, "dispute_amount", {EMPLOYER}, None),
    (BENEFIT_OFFER, O.AMOUNT_DISPUTED, "correct_amount", {SYSTEM}, None),
    (BENEFIT_OFFER, O.AMOUNT_DISPUTED, "uphold_amount", {SYSTEM}, None),
    (BENEFIT_OFFER, O.OFFERED, "accept", {CLERK}, "only applicant or employer may accept this benefit_offer"),
    (
        BENEFIT_OFFER,
        O.AMOUNT_DISPUTED,
        "accept",
        {APPLICANT},
        "cannot accept a benefit offer that is amount disputed",
    ),
    (
        BENEFIT_OFFER,
        O.AMOUNT_DISPUTED,
        "expire",
        {SYSTEM},
        "cannot expire a benefit offer that is amount disputed",
    ),
    (
        BENEFIT_OFFER,
        O.AMOUNT_DISPUTED,
        "correct_amount",
        {APPLICANT},
        "only system may correct amount this benefit_offer",
    ),
    (
        BENEFIT_OFFER,
        O.ACCEPTED,
        "dispute_amount",
        {APPLICANT},
        "cannot dispute amount a benefit offer that is accepted",
    ),
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
    assert subject_rows == {"accept", "decline", "dispute_amount", "correct_account"}
    # An employer answering for its employee may do exactly what a subject answering may do.
    assert {row.event for row in BENEFIT_OFFER.transitions if EMPLOYER in row.who} == subject_rows
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
    assert BENEFIT_OFFER.allowed(O.OFFERED, frozenset({APPLICANT})) == ["accept", "decline", "dispute_amount"]
    assert BENEFIT_OFFER.allowed(O.OFFERED, frozenset({EMPLOYER})) == ["accept", "decline", "dispute_amount"]
    assert BENEFIT_OFFER.allowed(O.OFFERED, frozenset()) == []  # the subject of an offer the employer answers
    assert BENEFIT_OFFER.allowed(O.AMOUNT_DISPUTED, frozenset({APPLICANT})) == []
    assert BENEFIT_OFFER.allowed(O.APPROVED, frozenset({APPLICANT})) == []
    assert BENEFIT_REVIEW.allowed(R.CLAIMED, frozenset({CLERK, ASSIGNEE})) == ["release", "approve", "refuse"]


def test_each_machine_records_under_its_own_prefix():
    assert BENEFIT_OFFER.audit_event("accept") == "benefit_offer.accept"
    assert BENEFIT_REVIEW.audit_event("claim") == "benefit_review.claim"


def test_a_disputed_amount_leaves_only_by_the_review_and_always_back_to_offered():
    from services.workflow.benefits import dispute_rules

    leaving = [row for row in BENEFIT_OFFER.transitions if O.AMOUNT_DISPUTED in row.source]
    assert {row.event for row in leaving} == {"correct_amount", "uphold_amount"}
    assert {row.target for row in leaving} == {O.OFFERED}
    assert all(row.who == {SYSTEM} for row in leaving)
    assert BENEFIT_OFFER.find("uphold_amount").needs_reason
    for row in leaving:
        assert dispute_rules.reopen_answer_window in row.effects
    assert dispute_rules.file_amount_review in BENEFIT_OFFER.find("dispute_amount").effects


def test_no_row_starts_from_a_final_status_not_even_one_that_stays():
    # Stricter than every kind's rule (tests/unit/test_workflow_table.py, which also checks reachability):
    # an offer or check that ended takes no action at all, not even one that leaves its status as it is.
    for machine in MACHINES:
        for row in machine.transitions:
            assert not (row.source & machine.final), (machine.name, row.event)


def test_the_application_table_hands_a_review_back_to_its_offer_on_every_end_without_an_approval():
    from services.workflow.benefits import dispute_rules
    from services.workflow.table import APPLICATION, TASK

    for event in ("withdraw", "refuse", "reject", "terminate"):
        assert dispute_rules.uphold_disputed_amount in APPLICATION.find(event).effects, event
    approve = TASK.find("approve")
    assert dispute_rules.amount_decided_if_reviewing in approve.guards
    assert dispute_rules.correct_disputed_amount in approve.effects
