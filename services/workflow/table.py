"""The one declarative transition table. Nothing else writes a status.

Each row says which event moves an application from which states to which,
who may fire it, what must hold first (guard) and what else happens (effects).
The engine, the buttons on every page, the docs and the tests read this table.
"""
from dataclasses import dataclass, field
from typing import Callable

from services.models import ApplicationStatus as S

# Who may fire a transition, relative to the application:
APPLICANT = "applicant"  # the citizen or company who owns it
FRONT_DESK = "front_desk"
CLERK = "clerk"  # a clerk of a department the application involves
SUPERVISOR = "supervisor"
SYSTEM = "system"  # sweeps and other scheduled jobs
ACTORS = (APPLICANT, FRONT_DESK, CLERK, SUPERVISOR, SYSTEM)

Guard = Callable[["object"], None]
Effect = Callable[["object"], None]


@dataclass(frozen=True)
class Transition:
    event: str
    source: frozenset[str]
    target: str
    who: frozenset[str]
    guard: Guard | None = None
    effects: tuple[Effect, ...] = field(default=())
    needs_reason: bool = False


def transition(event, source, target, who, guard=None, effects=(), needs_reason=False) -> Transition:
    return Transition(event, frozenset(source), target, frozenset(who), guard, tuple(effects), needs_reason)


def _table():
    # Imported here so the table module stays importable without a database.
    from services.workflow import rules

    return (
        transition("submit", {S.DRAFT}, S.SUBMITTED, {APPLICANT},
                   guard=rules.nothing_missing,
                   effects=(rules.assign_public_number, rules.stamp_submitted)),
        transition("withdraw", {S.DRAFT, S.SUBMITTED}, S.WITHDRAWN, {APPLICANT},
                   effects=(rules.stamp_closed,)),
    )


APPLICATION_TRANSITIONS: tuple[Transition, ...] = _table()

STATES = (
    S.DRAFT, S.SUBMITTED, S.NEEDS_CORRECTION, S.NOT_ACCEPTED, S.ACCEPTED, S.IN_REVIEW,
    S.SUSPENDED, S.COMPLETED, S.PARTIALLY_COMPLETED, S.REJECTED, S.WITHDRAWN,
)
EVENTS = tuple(t.event for t in APPLICATION_TRANSITIONS)


def find_transition(event: str) -> Transition:
    for row in APPLICATION_TRANSITIONS:
        if row.event == event:
            return row
    raise KeyError(event)


def refusal(status: str, event: str, relations: frozenset[str]) -> str | None:
    """Why `event` may not fire from `status` for an actor with these relations; None if it may."""
    try:
        row = find_transition(event)
    except KeyError:
        return f"there is no action called {event!r}"
    if status not in row.source:
        return f"cannot {event} an application that is {status.replace('_', ' ')}"
    if not (row.who & relations):
        return f"only {' or '.join(sorted(w.replace('_', ' ') for w in row.who))} may {event} this application"
    return None


def allowed_events(status: str, relations: frozenset[str]) -> list[str]:
    return [row.event for row in APPLICATION_TRANSITIONS if refusal(status, row.event, relations) is None]
