"""The transition table on its own: no database, no Flask."""
import itertools

import pytest

from services.models import ApplicationStatus as S
from services.workflow import table

RELATION_SETS = [frozenset({who}) for who in table.ACTORS] + [frozenset()]
TERMINAL = {S.WITHDRAWN}


@pytest.mark.parametrize(("status", "event", "relations"), list(itertools.product(table.STATES, table.EVENTS, RELATION_SETS)))
def test_every_state_event_actor_is_allowed_or_refused_with_a_reason(status, event, relations):
    row = table.find_transition(event)
    refusal = table.refusal(status, event, relations)
    allowed = status in row.source and bool(row.who & relations)
    if allowed:
        assert refusal is None
    else:
        assert refusal and isinstance(refusal, str)


def test_refusal_names_the_state_when_the_state_is_wrong():
    assert table.refusal(S.SUBMITTED, "submit", frozenset({table.APPLICANT})) == "cannot submit an application that is submitted"


def test_refusal_names_who_may_when_the_actor_is_wrong():
    assert "applicant" in table.refusal(S.DRAFT, "submit", frozenset({table.FRONT_DESK}))


def test_unknown_event_is_refused():
    assert "no action called" in table.refusal(S.DRAFT, "teleport", frozenset({table.APPLICANT}))


def test_every_source_and_target_is_a_known_state():
    for row in table.APPLICATION_TRANSITIONS:
        assert row.target in table.STATES
        assert row.source <= set(table.STATES)
        assert row.who <= set(table.ACTORS)


def test_event_names_are_unique():
    assert len(table.EVENTS) == len(set(table.EVENTS))


def test_terminal_states_are_final():
    for row in table.APPLICATION_TRANSITIONS:
        assert not (row.source & TERMINAL), f"{row.event} leaves a terminal state"


def test_targets_are_reachable_from_draft():
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for row in table.APPLICATION_TRANSITIONS:
            if state in row.source and row.target not in reached:
                reached.add(row.target)
                frontier.append(row.target)
    assert {row.target for row in table.APPLICATION_TRANSITIONS} <= reached


def test_applicant_sees_submit_and_withdraw_on_a_draft():
    assert table.allowed_events(S.DRAFT, frozenset({table.APPLICANT})) == ["submit", "withdraw"]
    assert table.allowed_events(S.DRAFT, frozenset({table.FRONT_DESK})) == []
