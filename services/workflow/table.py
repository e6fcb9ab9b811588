"""The one declarative transition table. Nothing else writes a status.

Each row says which event moves an application or a task from which states to
which, who may fire it, what must hold first (guard) and what else happens
(effects). The engine, the buttons on every page, the state diagrams and the
tests all read these rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.i18n import N_
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
    label: str  # a msgid: what the history shows for it
    guards: tuple[Callable, ...] = field(default=())
    effects: tuple[Callable, ...] = field(default=())
    needs_reason: bool = False
    # Set columns of the subject just before its move, which writes them with the status in one UPDATE.
    stamps: tuple[Callable, ...] = field(default=())

    def target_from(self, status: str) -> str:
        return status if self.target is STAY else self.target


@dataclass(frozen=True)
class Machine:
    name: str
    noun: str  # "an application", "a task": for messages
    # What the audit trail records its rows under: "" for the application's, "task." for its tasks'.
    # Each machine's prefix is its own, so an event's name alone says which row it was.
    audit_prefix: str
    # Every status, in the order the diagrams draw them, with its label (a msgid).
    state_labels: Mapping[str, str] = field(compare=False, hash=False)
    initial: str
    final: frozenset[str]
    transitions: tuple[Transition, ...]

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.state_labels)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(row.event for row in self.transitions)

    def audit_event(self, event: str) -> str:
        """The name the audit trail records a row under: a task's rows as "task.<event>"."""
        return f"{self.audit_prefix}{event}"

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


def row(event, source, target, who, guards=(), effects=(), needs_reason=False, *, label, stamps=()) -> Transition:
    return Transition(
        event,
        frozenset(source),
        target,
        frozenset(who),
        label,
        tuple(guards),
        tuple(effects),
        needs_reason,
        tuple(stamps),
    )


def _machines() -> tuple[Machine, Machine]:
    # Imported here so that reading the table needs no database.
    from services.workflow import levers, ratings
    from services.workflow import rules as r
    from services.workflow import task_rules as t
    from services.workflow.benefits import dispute_rules as b

    open_before_acceptance = {A.DRAFT, A.SUBMITTED, A.NEEDS_CORRECTION}
    running = {A.ACCEPTED, A.IN_REVIEW, A.SUSPENDED}
    application = Machine(
        name="application",
        noun="an application",
        audit_prefix="",
        state_labels=A.LABELS,
        initial=A.DRAFT,
        final=A.FINAL,
        transitions=(
            row(
                "submit",
                {A.DRAFT},
                A.SUBMITTED,
                {APPLICANT},
                guards=[r.nothing_missing],
                effects=[r.assign_public_number, r.stamp_submitted, r.notify_received],
                label=N_("Submitted"),
            ),
            # The assisted channel: the front desk files a walk-in applicant's draft; coming in was a visit.
            row(
                "submit_at_desk",
                {A.DRAFT},
                A.SUBMITTED,
                {FRONT_DESK},
                guards=[r.filed_in_person, r.nothing_missing],
                effects=[r.assign_public_number, r.stamp_submitted, r.count_walk_in_visit, r.notify_received],
                label=N_("Filed at the front desk"),
            ),
            row(
                "resubmit",
                {A.NEEDS_CORRECTION},
                A.SUBMITTED,
                {APPLICANT},
                guards=[r.not_yet_accepted, r.nothing_missing],
                effects=[r.answer_notice, r.notify_received],
                label=N_("Resubmitted after the notice"),
            ),
            row(
                "answer_notice",
                {A.NEEDS_CORRECTION},
                A.IN_REVIEW,
                {APPLICANT},
                guards=[r.accepted_before, r.nothing_missing],
                effects=[r.answer_notice, r.resume_clocks],
                label=N_("Notice answered"),
            ),
            row(
                "withdraw",
                open_before_acceptance,
                A.WITHDRAWN,
                {APPLICANT},
                effects=[r.stamp_closed, b.uphold_disputed_amount],
                label=N_("Withdrawn"),
            ),
            row(
                "accept",
                {A.SUBMITTED},
                A.ACCEPTED,
                {FRONT_DESK},
                guards=[r.complete_or_tolerable],
                effects=[r.stamp_accepted, r.create_tasks, r.notify_accepted, r.decide_instant_items],
                label=N_("Accepted by the front desk"),
            ),
            row(
                "issue_notice",
                {A.SUBMITTED, A.ACCEPTED, A.IN_REVIEW},
                A.NEEDS_CORRECTION,
                {FRONT_DESK},
                guards=[r.one_notice_only],
                effects=[r.freeze_notice, r.pause_clocks, r.notify_notice],
                label=N_("One-time notice issued"),
            ),
            row(
                "refuse",
                {A.SUBMITTED},
                A.NOT_ACCEPTED,
                {FRONT_DESK},
                needs_reason=True,
                effects=[r.stamp_closed, r.notify_refused, b.uphold_disputed_amount],
                label=N_("Not accepted"),
            ),
            row(
                "record_visit",
                {A.SUBMITTED, A.NEEDS_CORRECTION, *running, A.COMPLETED, A.PARTIALLY_COMPLETED},
                STAY,
                {FRONT_DESK},
                needs_reason=True,
                guards=[r.short_visit_purpose],
                effects=[r.count_visit],
                label=N_("Visit recorded"),
            ),
            row("start_review", {A.ACCEPTED}, A.IN_REVIEW, {SYSTEM}, label=N_("Review started")),
            row("suspend", {A.IN_REVIEW}, A.SUSPENDED, {SYSTEM}, label=N_("Suspended for a special procedure")),
            row("resume", {A.SUSPENDED}, A.IN_REVIEW, {SYSTEM}, label=N_("Resumed")),
            row(
                "complete",
                running,
                A.COMPLETED,
                {SYSTEM},
                effects=[r.stamp_closed, r.notify_finished],
                label=N_("Completed"),
            ),
            row(
                "complete_partially",
                running,
                A.PARTIALLY_COMPLETED,
                {SYSTEM},
                effects=[r.stamp_closed, r.notify_finished],
                label=N_("Partially completed"),
            ),
            row(
                "reject",
                running,
                A.REJECTED,
                {SYSTEM},
                effects=[r.stamp_closed, r.notify_finished, b.uphold_disputed_amount],
                label=N_("Not approved"),
            ),
            row(
                "terminate",
                running,
                A.TERMINATED,
                {SYSTEM},
                needs_reason=True,
                effects=[r.cancel_open_tasks, r.stamp_closed, r.notify_finished, b.uphold_disputed_amount],
                label=N_("Terminated"),
            ),
            row(
                "rate",
                {A.COMPLETED, A.PARTIALLY_COMPLETED, A.REJECTED},
                STAY,
                {APPLICANT},
                guards=[ratings.not_rated_yet, ratings.short_rating_comment],
                effects=[r.save_rating],
                label=N_("Rated"),
            ),
        ),
    )
    task = Machine(
        name="task",
        noun="a task",
        audit_prefix="task.",
        state_labels=T.LABELS,
        initial=T.WAITING,
        final=T.FINAL,
        transitions=(
            row("unblock", {T.WAITING}, T.READY, {SYSTEM}, effects=[t.start_clock], label=N_("Department can start")),
            row(
                "claim",
                {T.READY},
                T.CLAIMED,
                {CLERK, INSTANT_DESK},
                effects=[t.assign_to_actor, t.application_under_review],
                label=N_("Taken up by a clerk"),
            ),
            row("release", {T.CLAIMED}, T.READY, {ASSIGNEE}, effects=[t.unassign], label=N_("Returned to the queue")),
            row(
                "approve",
                {T.CLAIMED},
                T.APPROVED,
                {ASSIGNEE},
                guards=[t.nothing_owed, t.no_open_notice, b.amount_decided_if_reviewing],
                effects=[
                    t.stamp_decision,
                    t.issue_certificate,
                    t.notify_decided,
                    t.unblock_dependents,
                    t.deliver_electronically,
                    b.correct_disputed_amount,
                ],
                label=N_("Approved"),
            ),
            row(
                "reject",
                {T.CLAIMED},
                T.REJECTED,
                {ASSIGNEE},
                needs_reason=True,
                guards=[t.no_open_notice],
                effects=[t.stamp_decision, t.notify_decided, t.cancel_dependents, t.finish_application],
                label=N_("Not approved"),
            ),
            row(
                "suspend",
                {T.CLAIMED},
                T.SUSPENDED,
                {ASSIGNEE},
                needs_reason=True,
                guards=[t.known_procedure],
                effects=[t.pause_clock, t.application_suspended],
                label=N_("Special procedure started"),
            ),
            row(
                "resume",
                {T.SUSPENDED},
                T.CLAIMED,
                {ASSIGNEE},
                effects=[t.resume_clock, t.application_resumed],
                label=N_("Special procedure ended"),
            ),
            row(
                "request_notice",
                {T.CLAIMED},
                STAY,
                {ASSIGNEE},
                needs_reason=True,
                effects=[t.record_notice_request],
                label=N_("Department asked for a notice"),
            ),
            row(
                "request_extension",
                {T.CLAIMED, T.SUSPENDED},
                STAY,
                {ASSIGNEE},
                needs_reason=True,
                guards=[t.no_pending_extension, t.sensible_extension],
                effects=[t.open_extension_request],
                label=N_("Extension requested"),
            ),
            row(
                "grant_extension",
                {T.CLAIMED, T.SUSPENDED},
                STAY,
                {SUPERVISOR},
                guards=[t.pending_extension],
                effects=[t.grant_extension],
                label=N_("Extension granted"),
            ),
            row(
                "refuse_extension",
                {T.CLAIMED, T.SUSPENDED},
                STAY,
                {SUPERVISOR},
                needs_reason=True,
                guards=[t.pending_extension],
                effects=[t.refuse_extension],
                label=N_("Extension refused"),
            ),
            row(
                "reassign",
                {T.CLAIMED, T.SUSPENDED, T.APPROVED},
                STAY,
                {SUPERVISOR},
                needs_reason=True,
                guards=[levers.new_holder_is_a_clerk_of_the_department],
                effects=[levers.hand_to_new_holder],
                label=N_("Handed to another clerk by the supervisor"),
            ),
            row(
                "force_release",
                {T.CLAIMED},
                T.READY,
                {SUPERVISOR},
                needs_reason=True,
                effects=[levers.return_to_queue],
                label=N_("Returned to the queue by the supervisor"),
            ),
            row(
                "deliver",
                {T.APPROVED},
                T.DELIVERED,
                {FRONT_DESK, ASSIGNEE, SYSTEM},
                guards=[t.delivery_details],
                stamps=[t.stamp_delivery],
                effects=[t.finish_application],
                label=N_("Result delivered"),
            ),
            row(
                "supplement",
                {T.WAITING, T.READY, T.CLAIMED, T.SUSPENDED},
                STAY,
                {APPLICANT, SYSTEM},
                effects=[t.settle_owed_material],
                label=N_("Owed material handed in"),
            ),
            row(
                "cancel",
                {T.WAITING, T.READY, T.CLAIMED, T.SUSPENDED},
                T.CANCELLED,
                {SYSTEM},
                needs_reason=True,
                effects=[t.stamp_decision],
                label=N_("Cancelled"),
            ),
        ),
    )
    return application, task


APPLICATION, TASK = _machines()

# Audit events recorded beside the table: they change no status (a draft started, a file, a rating's answer).
OTHER_EVENT_LABELS = {
    "start": N_("Draft started"),
    "attach": N_("Material uploaded"),
    "answer_rectification": N_("Answer to your rating"),
    # The SLA sweep's escalation chain (services/escalation.py).
    "sla_amber": N_("Deadline near: the clerk was told"),
    "sla_red": N_("Overdue: the department's supervisor was told"),
    "sla_city": N_("Long overdue: the city's supervisor was told"),
}
