"""The one declarative transition table. Nothing else writes a status.

Each row says which event moves an application or a task from which states to
which, who may fire it, what must hold first (guard) and what else happens
(effects). The engine, the buttons on every page, the state diagrams and the
tests all read these rows.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from services.models import ApplicationStatus as A
from services.models import TaskStatus as T

# Who may fire a row, as a relation between the actor and the case:
APPLICANT = "applicant"  # the citizen or company who owns the application
FRONT_DESK = "front_desk"
CLERK = "clerk"  # a clerk of the task's department
ASSIGNEE = "assignee"  # the clerk who holds the task
INSTANT_DESK = "instant_desk"  # the front desk, deciding an instant (same-day) item at acceptance
SUPERVISOR = "supervisor"
SYSTEM = "system"  # the engine itself (fan-in, fan-out) and scheduled sweeps
ACTORS = (APPLICANT, FRONT_DESK, CLERK, ASSIGNEE, INSTANT_DESK, SUPERVISOR, SYSTEM)

STAY = None  # target of a row that records an action without changing the status


@dataclass(frozen=True)
class Transition:
    event: str
    source: frozenset[str]
    target: str | None
    who: frozenset[str]
    guards: tuple[Callable, ...] = field(default=())
    effects: tuple[Callable, ...] = field(default=())
    needs_reason: bool = False

    def target_from(self, status: str) -> str:
        return status if self.target is STAY else self.target


@dataclass(frozen=True)
class Machine:
    name: str
    noun: str  # "an application", "a task": for messages
    states: tuple[str, ...]
    initial: str
    final: frozenset[str]
    transitions: tuple[Transition, ...]

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(row.event for row in self.transitions)

    def find(self, event: str) -> Transition:
        for row in self.transitions:
            if row.event == event:
                return row
        raise KeyError(event)

    def refusal(self, status: str, event: str, relations: frozenset[str]) -> str | None:
        """Why `event` may not fire from `status` for an actor with these relations; None if it may."""
        try:
            row = self.find(event)
        except KeyError:
            return f"there is no action called {event!r}"
        if status not in row.source:
            return f"cannot {event.replace('_', ' ')} {self.noun} that is {status.replace('_', ' ')}"
        if not (row.who & relations):
            who = " or ".join(sorted(w.replace("_", " ") for w in row.who))
            return f"only {who} may {event.replace('_', ' ')} this {self.name}"
        return None

    def allowed(self, status: str, relations: frozenset[str]) -> list[str]:
        return [row.event for row in self.transitions if self.refusal(status, row.event, relations) is None]


def row(event, source, target, who, guards=(), effects=(), needs_reason=False) -> Transition:
    return Transition(event, frozenset(source), target, frozenset(who), tuple(guards), tuple(effects), needs_reason)


def _machines() -> tuple[Machine, Machine]:
    # Imported here so that reading the table needs no database.
    from services.workflow import rules as r
    from services.workflow import task_rules as t

    open_before_acceptance = {A.DRAFT, A.SUBMITTED, A.NEEDS_CORRECTION}
    running = {A.ACCEPTED, A.IN_REVIEW, A.SUSPENDED}
    application = Machine(
        name="application",
        noun="an application",
        states=(A.DRAFT, A.SUBMITTED, A.NEEDS_CORRECTION, A.NOT_ACCEPTED, A.ACCEPTED, A.IN_REVIEW, A.SUSPENDED,
                A.COMPLETED, A.PARTIALLY_COMPLETED, A.REJECTED, A.WITHDRAWN, A.TERMINATED),
        initial=A.DRAFT,
        final=A.FINAL,
        transitions=(
            row("submit", {A.DRAFT}, A.SUBMITTED, {APPLICANT},
                guards=[r.nothing_missing], effects=[r.assign_public_number, r.stamp_submitted, r.notify_received]),
            row("resubmit", {A.NEEDS_CORRECTION}, A.SUBMITTED, {APPLICANT},
                guards=[r.not_yet_accepted, r.nothing_missing], effects=[r.answer_notice, r.notify_received]),
            row("answer_notice", {A.NEEDS_CORRECTION}, A.IN_REVIEW, {APPLICANT},
                guards=[r.accepted_before, r.nothing_missing], effects=[r.answer_notice, r.resume_clocks]),
            row("withdraw", open_before_acceptance, A.WITHDRAWN, {APPLICANT},
                effects=[r.stamp_closed]),
            row("accept", {A.SUBMITTED}, A.ACCEPTED, {FRONT_DESK},
                guards=[r.complete_or_tolerable],
                effects=[r.stamp_accepted, r.create_tasks, r.notify_accepted, r.decide_instant_items]),
            row("issue_notice", {A.SUBMITTED, A.ACCEPTED, A.IN_REVIEW}, A.NEEDS_CORRECTION, {FRONT_DESK},
                guards=[r.one_notice_only], effects=[r.freeze_notice, r.pause_clocks, r.notify_notice]),
            row("refuse", {A.SUBMITTED}, A.NOT_ACCEPTED, {FRONT_DESK}, needs_reason=True,
                effects=[r.stamp_closed, r.notify_refused]),
            row("record_visit", {A.SUBMITTED, A.NEEDS_CORRECTION, *running, A.COMPLETED, A.PARTIALLY_COMPLETED},
                STAY, {FRONT_DESK}, needs_reason=True, effects=[r.count_visit]),
            row("start_review", {A.ACCEPTED}, A.IN_REVIEW, {SYSTEM}),
            row("suspend", {A.IN_REVIEW}, A.SUSPENDED, {SYSTEM}),
            row("resume", {A.SUSPENDED}, A.IN_REVIEW, {SYSTEM}),
            row("complete", running, A.COMPLETED, {SYSTEM}, effects=[r.stamp_closed, r.notify_finished]),
            row("complete_partially", running, A.PARTIALLY_COMPLETED, {SYSTEM},
                effects=[r.stamp_closed, r.notify_finished]),
            row("reject", running, A.REJECTED, {SYSTEM}, effects=[r.stamp_closed, r.notify_finished]),
            row("terminate", running, A.TERMINATED, {SYSTEM}, needs_reason=True,
                effects=[r.cancel_open_tasks, r.stamp_closed, r.notify_finished]),
            row("rate", {A.COMPLETED, A.PARTIALLY_COMPLETED, A.REJECTED}, STAY, {APPLICANT},
                guards=[r.not_rated_yet], effects=[r.save_rating]),
        ),
    )
    task = Machine(
        name="task",
        noun="a task",
        states=(T.WAITING, T.READY, T.CLAIMED, T.SUSPENDED, T.APPROVED, T.DELIVERED, T.REJECTED, T.CANCELLED),
        initial=T.WAITING,
        final=T.FINAL,
        transitions=(
            row("unblock", {T.WAITING}, T.READY, {SYSTEM}, effects=[t.start_clock]),
            row("claim", {T.READY}, T.CLAIMED, {CLERK, INSTANT_DESK},
                effects=[t.assign_to_actor, t.application_under_review]),
            row("release", {T.CLAIMED}, T.READY, {ASSIGNEE}, effects=[t.unassign]),
            row("approve", {T.CLAIMED}, T.APPROVED, {ASSIGNEE},
                guards=[t.nothing_owed, t.no_open_notice],
                effects=[t.stamp_decision, t.issue_certificate, t.notify_decided, t.unblock_dependents,
                         t.deliver_electronically]),
            row("reject", {T.CLAIMED}, T.REJECTED, {ASSIGNEE}, needs_reason=True,
                guards=[t.no_open_notice],
                effects=[t.stamp_decision, t.notify_decided, t.cancel_dependents, t.finish_application]),
            row("suspend", {T.CLAIMED}, T.SUSPENDED, {ASSIGNEE}, needs_reason=True,
                guards=[t.known_procedure], effects=[t.pause_clock, t.application_suspended]),
            row("resume", {T.SUSPENDED}, T.CLAIMED, {ASSIGNEE},
                effects=[t.resume_clock, t.application_resumed]),
            row("request_notice", {T.CLAIMED}, STAY, {ASSIGNEE}, needs_reason=True,
                effects=[t.record_notice_request]),
            row("request_extension", {T.CLAIMED, T.SUSPENDED}, STAY, {ASSIGNEE}, needs_reason=True,
                guards=[t.no_pending_extension, t.sensible_extension], effects=[t.open_extension_request]),
            row("grant_extension", {T.CLAIMED, T.SUSPENDED}, STAY, {SUPERVISOR},
                guards=[t.pending_extension], effects=[t.grant_extension]),
            row("refuse_extension", {T.CLAIMED, T.SUSPENDED}, STAY, {SUPERVISOR}, needs_reason=True,
                guards=[t.pending_extension], effects=[t.refuse_extension]),
            row("deliver", {T.APPROVED}, T.DELIVERED, {FRONT_DESK, ASSIGNEE, SYSTEM},
                guards=[t.delivery_details], effects=[t.stamp_delivery, t.finish_application]),
            row("supplement", {T.WAITING, T.READY, T.CLAIMED, T.SUSPENDED}, STAY, {APPLICANT, SYSTEM},
                effects=[t.settle_owed_material]),
            row("cancel", {T.WAITING, T.READY, T.CLAIMED, T.SUSPENDED}, T.CANCELLED, {SYSTEM}, needs_reason=True,
                effects=[t.stamp_decision]),
        ),
    )
    return application, task


APPLICATION, TASK = _machines()
