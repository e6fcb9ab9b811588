"""The enterprise request's transition tables on their own (企呼我应): no database, no Flask."""

import pytest

from services.models import EnterpriseRequestStatus as R
from services.models import EnterpriseTaskStatus as T
from services.workflow.enterprise.actors import ACTORS, CO_HANDLER, LEAD, OFFICE, OFFICE_SUPERVISOR
from services.workflow.enterprise.table import ENTERPRISE_REQUEST, ENTERPRISE_TASK
from services.workflow.table import APPLICANT, ASSIGNEE, CLERK, SUPERVISOR, SYSTEM

MACHINES = (ENTERPRISE_REQUEST, ENTERPRISE_TASK)

# The rules as a person would tell them, each with the answer they would expect (None: it may happen).
EXAMPLES = [
    (ENTERPRISE_REQUEST, R.DRAFT, "raise", {APPLICANT}, None),
    (ENTERPRISE_REQUEST, R.TRIAGE, "route", {OFFICE}, None),
    (ENTERPRISE_REQUEST, R.TRIAGE, "answer_directly", {OFFICE}, None),
    (ENTERPRISE_REQUEST, R.IN_PROGRESS, "link_problem", {OFFICE}, None),
    (ENTERPRISE_REQUEST, R.ANSWERED, "reopen", {APPLICANT}, None),
    (ENTERPRISE_REQUEST, R.REOPENED, "answer_again", {OFFICE_SUPERVISOR}, None),
    (ENTERPRISE_REQUEST, R.SOLVED, "rate", {APPLICANT}, None),
    (ENTERPRISE_REQUEST, R.TRIAGE, "route", {APPLICANT}, "only business office may route this enterprise_request"),
    (
        ENTERPRISE_REQUEST,
        R.REOPENED,
        "answer_again",
        {OFFICE, SUPERVISOR},
        "only office supervisor may answer again this enterprise_request",
    ),
    (ENTERPRISE_REQUEST, R.IN_PROGRESS, "answer", {OFFICE}, "only system may answer this enterprise_request"),
    (ENTERPRISE_REQUEST, R.SOLVED, "reopen", {APPLICANT}, "cannot reopen an enterprise request that is solved"),
    (ENTERPRISE_REQUEST, R.ANSWERED, "withdraw", {APPLICANT}, "cannot withdraw an enterprise request that is answered"),
    (
        ENTERPRISE_REQUEST,
        R.REOPENED,
        "link_problem",
        {OFFICE},
        "cannot link problem an enterprise request that is reopened",
    ),
    (ENTERPRISE_TASK, T.READY, "claim", {CLERK}, None),
    (ENTERPRISE_TASK, T.CLAIMED, "draft_answer", {CLERK, ASSIGNEE, LEAD}, None),
    (ENTERPRISE_TASK, T.CLAIMED, "give_input", {CLERK, ASSIGNEE, CO_HANDLER}, None),
    (
        ENTERPRISE_TASK,
        T.CLAIMED,
        "draft_answer",
        {CLERK, ASSIGNEE, CO_HANDLER},
        "only lead handler may draft answer this enterprise_task",
    ),
    (
        ENTERPRISE_TASK,
        T.CLAIMED,
        "give_input",
        {CLERK, ASSIGNEE, LEAD},
        "only co handler may give input this enterprise_task",
    ),
    (ENTERPRISE_TASK, T.READY, "claim", {OFFICE}, "only clerk may claim this enterprise_task"),
    (ENTERPRISE_TASK, T.DONE, "cancel", {SYSTEM}, "cannot cancel a task that is done"),
]


@pytest.mark.parametrize(
    ("machine", "status", "event", "relations", "expected"),
    EXAMPLES,
    ids=[f"{m.name}-{s}-{e}-{'+'.join(sorted(r))}" for m, s, e, r, _ in EXAMPLES],
)
def test_a_move_is_allowed_or_refused_with_the_reason_in_words(machine, status, event, relations, expected):
    assert machine.refusal(status, event, frozenset(relations)) == expected


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_rows_name_known_actors(machine):
    for row in machine.transitions:
        assert row.who and row.who <= set(ACTORS), row.event


def test_buttons_follow_state_and_relation():
    assert ENTERPRISE_REQUEST.allowed(R.TRIAGE, frozenset({OFFICE})) == ["route", "answer_directly", "link_problem"]
    assert ENTERPRISE_REQUEST.allowed(R.TRIAGE, frozenset({APPLICANT})) == ["withdraw"]
    assert ENTERPRISE_REQUEST.allowed(R.ANSWERED, frozenset({APPLICANT})) == [
        "confirm_solved",
        "reopen",
        "close_unsolved",
    ]
    assert ENTERPRISE_REQUEST.allowed(R.REOPENED, frozenset({APPLICANT, OFFICE})) == []
    assert ENTERPRISE_TASK.allowed(T.CLAIMED, frozenset({CLERK, ASSIGNEE, LEAD})) == ["release", "draft_answer"]
    assert ENTERPRISE_TASK.allowed(T.CLAIMED, frozenset({CLERK})) == []


def test_the_firm_reopens_with_a_reason_and_the_second_answer_is_the_supervisors():
    assert ENTERPRISE_REQUEST.find("reopen").needs_reason
    assert ENTERPRISE_REQUEST.find("reopen").target == R.REOPENED
    assert {row.event for row in ENTERPRISE_REQUEST.transitions if R.REOPENED in row.source} == {"answer_again"}
    assert ENTERPRISE_REQUEST.find("answer_again").who == {OFFICE_SUPERVISOR}


def test_only_the_engine_answers_for_the_lead_or_by_policy_escalates_and_closes_tasks():
    assert ENTERPRISE_REQUEST.find("answer").who == {SYSTEM}
    assert ENTERPRISE_REQUEST.find("escalate").who == {SYSTEM}
    assert ENTERPRISE_REQUEST.find("answer_by_policy").who == {SYSTEM}
    for event in ("unblock", "finish", "cancel"):
        assert ENTERPRISE_TASK.find(event).who == {SYSTEM}, event


def test_each_row_is_recorded_under_the_kinds_own_prefix():
    assert ENTERPRISE_REQUEST.audit_event("reopen") == "enterprise_request.reopen"
    assert ENTERPRISE_TASK.audit_event("give_input") == "enterprise_task.give_input"
