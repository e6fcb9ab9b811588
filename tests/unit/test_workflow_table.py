"""The transition table on its own: no database, no Flask."""
import itertools

import pytest

from services.models import ApplicationStatus as A
from services.models import TaskStatus as T
from services.workflow import table
from services.workflow.table import APPLICATION, STAY, TASK

MACHINES = (APPLICATION, TASK)
RELATION_SETS = [frozenset({who}) for who in table.ACTORS] + [frozenset()]
CASES = [(m, status, event, relations)
         for m in MACHINES for status, event, relations in itertools.product(m.states, m.events, RELATION_SETS)]


@pytest.mark.parametrize(("machine", "status", "event", "relations"), CASES,
                         ids=[f"{m.name}-{s}-{e}-{'+'.join(r) or 'nobody'}" for m, s, e, r in CASES])
def test_every_state_event_actor_is_allowed_or_refused_with_a_reason(machine, status, event, relations):
    row = machine.find(event)
    refusal = machine.refusal(status, event, relations)
    if status in row.source and row.who & relations:
        assert refusal is None
    else:
        assert isinstance(refusal, str) and refusal


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_rows_name_known_states_and_actors(machine):
    for row in machine.transitions:
        assert row.target is STAY or row.target in machine.states
        assert row.source <= set(machine.states), row.event
        assert row.who and row.who <= set(table.ACTORS), row.event


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_event_names_are_unique(machine):
    assert len(machine.events) == len(set(machine.events))


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_final_states_are_final(machine):
    for row in machine.transitions:
        if row.source & machine.final:
            assert row.target is STAY, f"{row.event} leaves a final state"


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
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


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_non_final_state_has_a_way_out(machine):
    for state in set(machine.states) - machine.final:
        assert any(state in row.source and row.target_from(state) != state for row in machine.transitions), state


def test_refusals_say_why():
    assert APPLICATION.refusal(A.SUBMITTED, "submit", frozenset({table.APPLICANT})) == \
        "cannot submit an application that is submitted"
    assert "front desk" in APPLICATION.refusal(A.SUBMITTED, "accept", frozenset({table.APPLICANT}))
    assert "assignee" in TASK.refusal(T.CLAIMED, "approve", frozenset({table.CLERK}))
    assert "no action called" in TASK.refusal(T.READY, "teleport", frozenset({table.CLERK}))


def test_buttons_follow_state_and_relation():
    assert APPLICATION.allowed(A.DRAFT, frozenset({table.APPLICANT})) == ["submit", "withdraw"]
    assert APPLICATION.allowed(A.SUBMITTED, frozenset({table.FRONT_DESK})) == \
        ["accept", "issue_notice", "refuse", "record_visit"]
    assert TASK.allowed(T.READY, frozenset({table.CLERK})) == ["claim"]
    assert TASK.allowed(T.CLAIMED, frozenset({table.CLERK, table.ASSIGNEE})) == \
        ["release", "approve", "reject", "suspend", "request_notice", "request_extension"]
    assert TASK.allowed(T.CLAIMED, frozenset({table.CLERK})) == []


def test_only_the_system_moves_an_application_through_review():
    for event in ("start_review", "suspend", "resume", "complete", "complete_partially", "reject", "terminate"):
        assert APPLICATION.find(event).who == {table.SYSTEM}


def test_decisions_that_refuse_need_a_reason():
    for machine, event in ((APPLICATION, "refuse"), (TASK, "reject"), (TASK, "suspend"),
                           (TASK, "request_extension"), (TASK, "refuse_extension")):
        assert machine.find(event).needs_reason, event
