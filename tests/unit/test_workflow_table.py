"""The transition table on its own: no database, no Flask."""

import pytest

from services.models import ApplicationStatus as A
from services.models import TaskStatus as T
from services.workflow import table
from services.workflow.case_types import machines
from services.workflow.table import (
    APPLICANT,
    APPLICATION,
    ASSIGNEE,
    CLERK,
    FRONT_DESK,
    INSTANT_DESK,
    STAY,
    SUPERVISOR,
    SYSTEM,
    TASK,
)

MACHINES = (APPLICATION, TASK)
EVERY_KIND = machines()
EVERYONE = frozenset(table.ACTORS)
# Every actor any kind's rows name, and the shared ones: each row must refuse all but its own.
EVERY_ACTOR = frozenset(table.ACTORS).union(*(row.who for machine in EVERY_KIND for row in machine.transitions))

# The rules as a person would tell them, each with the answer they would expect (None: it may happen).
EXAMPLES = [
    (APPLICATION, A.DRAFT, "submit", {APPLICANT}, None),
    (APPLICATION, A.NEEDS_CORRECTION, "resubmit", {APPLICANT}, None),
    (APPLICATION, A.SUBMITTED, "accept", {FRONT_DESK}, None),
    (APPLICATION, A.IN_REVIEW, "issue_notice", {FRONT_DESK}, None),
    (APPLICATION, A.COMPLETED, "record_visit", {FRONT_DESK}, None),
    (APPLICATION, A.REJECTED, "rate", {APPLICANT}, None),
    (APPLICATION, A.SUBMITTED, "submit", {APPLICANT}, "cannot submit an application that is submitted"),
    (APPLICATION, A.ACCEPTED, "withdraw", {APPLICANT}, "cannot withdraw an application that is accepted"),
    (APPLICATION, A.COMPLETED, "issue_notice", {FRONT_DESK}, "cannot issue notice an application that is completed"),
    (
        APPLICATION,
        A.NOT_ACCEPTED,
        "record_visit",
        {FRONT_DESK},
        "cannot record visit an application that is not accepted",
    ),
    (APPLICATION, A.WITHDRAWN, "rate", {APPLICANT}, "cannot rate an application that is withdrawn"),
    (APPLICATION, A.SUBMITTED, "accept", {APPLICANT}, "only front desk may accept this application"),
    (APPLICATION, A.IN_REVIEW, "complete", {FRONT_DESK}, "only system may complete this application"),
    (APPLICATION, A.DRAFT, "teleport", {APPLICANT}, "there is no action called 'teleport'"),
    (TASK, T.READY, "claim", {CLERK}, None),
    (TASK, T.READY, "claim", {INSTANT_DESK}, None),
    (TASK, T.CLAIMED, "approve", {CLERK, ASSIGNEE}, None),
    (TASK, T.SUSPENDED, "request_extension", {CLERK, ASSIGNEE}, None),
    (TASK, T.CLAIMED, "grant_extension", {SUPERVISOR}, None),
    (TASK, T.APPROVED, "deliver", {SYSTEM}, None),
    (TASK, T.WAITING, "claim", {CLERK}, "cannot claim a task that is waiting"),
    (TASK, T.APPROVED, "reject", {CLERK, ASSIGNEE}, "cannot reject a task that is approved"),
    (TASK, T.CLAIMED, "approve", {CLERK}, "only assignee may approve this task"),
    (TASK, T.READY, "claim", {SUPERVISOR}, "only clerk or instant desk may claim this task"),
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
        assert row.who and row.who <= set(table.ACTORS), row.event


# The shape every kind's tables must have, checked for every registered kind of case (each kind's own
# tests check the actors it brings).
@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_a_move_from_a_status_its_row_does_not_name_is_refused_for_that_status_whoever_asks(machine):
    for row in machine.transitions:
        for status in set(machine.states) - row.source:
            refusal = machine.refusal(status, row.event, EVERY_ACTOR)
            assert refusal is not None and refusal.startswith(f"cannot {row.event.replace('_', ' ')} "), refusal
            assert refusal.endswith(f"that is {status.replace('_', ' ')}"), refusal


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_a_move_from_a_status_its_row_names_is_allowed_to_each_actor_it_names_and_to_nobody_else(machine):
    for row in machine.transitions:
        for status in row.source:
            for actor in EVERY_ACTOR:
                refusal = machine.refusal(status, row.event, frozenset({actor}))
                if actor in row.who:
                    assert refusal is None, (status, row.event, actor)
                else:
                    assert refusal.startswith("only ") and row.event.replace("_", " ") in refusal, refusal


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_rows_name_known_states(machine):
    for row in machine.transitions:
        assert row.target is STAY or row.target in machine.states
        assert row.source <= set(machine.states), row.event


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_event_names_are_unique(machine):
    assert len(machine.events) == len(set(machine.events))


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_final_states_are_final(machine):
    for row in machine.transitions:
        if row.source & machine.final:
            assert row.target is STAY, f"{row.event} leaves a final state"


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_every_state_is_reachable_from_the_initial_one(machine):
    reached, frontier = {machine.initial}, [machine.initial]
    while frontier:
        state = frontier.pop()
        for row in machine.transitions:
            target = row.target_from(state)
            if state in row.source and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(machine.states)


@pytest.mark.parametrize("machine", EVERY_KIND, ids=lambda m: m.name)
def test_every_non_final_state_has_a_way_out(machine):
    for state in set(machine.states) - machine.final:
        assert any(state in row.source and row.target_from(state) != state for row in machine.transitions), state


def test_buttons_follow_state_and_relation():
    assert APPLICATION.allowed(A.DRAFT, frozenset({table.APPLICANT})) == ["submit", "withdraw"]
    assert APPLICATION.allowed(A.SUBMITTED, frozenset({table.FRONT_DESK})) == [
        "accept",
        "issue_notice",
        "refuse",
        "record_visit",
    ]
    assert TASK.allowed(T.READY, frozenset({table.CLERK})) == ["claim"]
    assert TASK.allowed(T.CLAIMED, frozenset({table.CLERK, table.ASSIGNEE})) == [
        "release",
        "approve",
        "reject",
        "suspend",
        "request_notice",
        "request_extension",
    ]
    assert TASK.allowed(T.CLAIMED, frozenset({table.CLERK})) == []


def test_only_the_system_moves_an_application_through_review():
    for event in ("start_review", "suspend", "resume", "complete", "complete_partially", "reject", "terminate"):
        assert APPLICATION.find(event).who == {table.SYSTEM}


def test_decisions_that_refuse_need_a_reason():
    for machine, event in (
        (APPLICATION, "refuse"),
        (TASK, "reject"),
        (TASK, "suspend"),
        (TASK, "request_extension"),
        (TASK, "refuse_extension"),
    ):
        assert machine.find(event).needs_reason, event
