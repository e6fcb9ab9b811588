"""The transition tables of an enterprise request (企呼我应) and of its tasks. Nothing else writes their statuses.

A firm raises a request; the business-environment office (营商办) triages it within a working day
(routes it to a lead department and co-handlers, each a task, or answers it itself); the lead
drafts the answer with the co-handlers' input; the firm confirms it solved, or reopens it once
and the office's supervisor answers a second time.
"""

from services.i18n import N_
from services.models import EnterpriseRequestStatus as R
from services.models import EnterpriseTaskStatus as T
from services.workflow.enterprise.actors import CO_HANDLER, LEAD, OFFICE, OFFICE_SUPERVISOR
from services.workflow.table import APPLICANT, ASSIGNEE, CLERK, STAY, SYSTEM, Machine, row


def _machines() -> tuple[Machine, Machine]:
    # Imported here so that reading the table needs no database.
    from services.workflow import ratings
    from services.workflow.enterprise import rules as r
    from services.workflow.enterprise import task_rules as t

    request = Machine(
        name="enterprise_request",
        noun="an enterprise request",
        audit_prefix="enterprise_request.",
        state_labels=R.LABELS,
        initial=R.DRAFT,
        final=R.FINAL,
        transitions=(
            row(
                "raise",
                {R.DRAFT},
                R.TRIAGE,
                {APPLICANT},
                effects=[r.assign_request_number, r.stamp_raised, r.open_triage, r.notify_raised],
                label=N_("Request raised"),
            ),
            row(
                "route",
                {R.TRIAGE},
                R.IN_PROGRESS,
                {OFFICE},
                guards=[r.known_handlers],
                effects=[r.finish_triage, r.open_handling_tasks, r.notify_routed],
                label=N_("Routed to a lead department"),
            ),
            row(
                "answer_directly",
                {R.TRIAGE},
                R.ANSWERED,
                {OFFICE},
                guards=[r.answer_given],
                effects=[r.finish_triage, r.keep_answer, r.notify_answered],
                label=N_("Answered by the business-environment office"),
            ),
            row(
                "answer",
                {R.IN_PROGRESS},
                R.ANSWERED,
                {SYSTEM},
                guards=[r.answer_given],
                effects=[r.keep_answer, r.notify_answered],
                label=N_("Answered by the lead department"),
            ),
            row(
                "link_problem",
                R.BEING_HANDLED,
                STAY,
                {OFFICE},
                guards=[r.not_linked_yet],
                effects=[r.link_to_problem],
                label=N_("Linked to a common problem"),
            ),
            row(
                "answer_by_policy",
                R.BEING_HANDLED,
                R.ANSWERED,
                {SYSTEM},
                guards=[r.answer_given],
                effects=[r.cancel_open_tasks, r.keep_answer, r.notify_answered],
                label=N_("Answered by the common problem's policy answer"),
            ),
            row(
                "escalate",
                R.BEING_HANDLED,
                STAY,
                {SYSTEM},
                guards=[r.overdue_and_not_escalated],
                effects=[r.stamp_escalated, r.notify_office_supervisors],
                label=N_("Escalated to the office's supervisor"),
            ),
            row(
                "confirm_solved",
                {R.ANSWERED},
                R.SOLVED,
                {APPLICANT},
                effects=[r.stamp_closed],
                label=N_("Confirmed solved by the firm"),
            ),
            row(
                "reopen",
                {R.ANSWERED},
                R.REOPENED,
                {APPLICANT},
                needs_reason=True,
                guards=[r.reopened_only_once],
                effects=[r.stamp_reopened, r.notify_office_supervisors],
                label=N_("Reopened by the firm"),
            ),
            row(
                "answer_again",
                {R.REOPENED},
                R.ANSWERED,
                {OFFICE_SUPERVISOR},
                guards=[r.answer_given],
                effects=[r.keep_answer, r.notify_answered],
                label=N_("Answered again by the supervisor"),
            ),
            row(
                "close_unsolved",
                {R.ANSWERED},
                R.UNSOLVED,
                {APPLICANT},
                guards=[r.reopened_before],
                effects=[r.stamp_closed],
                label=N_("Closed by the firm as not solved"),
            ),
            row(
                "close_unconfirmed",
                {R.ANSWERED},
                R.CLOSED_UNCONFIRMED,
                {SYSTEM},
                guards=[r.reply_window_passed],
                effects=[r.stamp_closed, r.notify_closed_unconfirmed],
                label=N_("Closed: the firm did not reply to the answer"),
            ),
            row(
                "withdraw",
                R.BEING_HANDLED,
                R.WITHDRAWN,
                {APPLICANT},
                effects=[r.cancel_open_tasks, r.stamp_closed],
                label=N_("Withdrawn"),
            ),
            row(
                "rate",
                {R.SOLVED, R.UNSOLVED, R.CLOSED_UNCONFIRMED},
                STAY,
                {APPLICANT},
                guards=[ratings.not_rated_yet, ratings.short_rating_comment],
                effects=[r.save_rating],
                label=N_("Rated"),
            ),
        ),
    )
    task = Machine(
        name="enterprise_task",
        noun="a task",
        audit_prefix="enterprise_task.",
        state_labels=T.LABELS,
        initial=T.WAITING,
        final=T.FINAL,
        transitions=(
            row("unblock", {T.WAITING}, T.READY, {SYSTEM}, effects=[t.start_clock], label=N_("Department can start")),
            row(
                "claim",
                {T.READY},
                T.CLAIMED,
                {CLERK},
                effects=[t.assign_to_actor],
                label=N_("Taken up by a clerk"),
            ),
            row("release", {T.CLAIMED}, T.READY, {ASSIGNEE}, effects=[t.unassign], label=N_("Returned to the queue")),
            row(
                "give_input",
                {T.CLAIMED},
                T.DONE,
                {CO_HANDLER},
                guards=[t.input_given],
                effects=[t.stamp_done, t.notify_lead],
                label=N_("Input given to the lead department"),
            ),
            row(
                "draft_answer",
                {T.CLAIMED},
                T.DONE,
                {LEAD},
                guards=[t.co_handlers_done, t.input_given],
                effects=[t.stamp_done, t.answer_request],
                label=N_("Answer drafted by the lead department"),
            ),
            row(
                "finish",
                {T.WAITING, T.READY, T.CLAIMED},
                T.DONE,
                {SYSTEM},
                effects=[t.stamp_done],
                label=N_("Triage done"),
            ),
            row(
                "cancel",
                {T.WAITING, T.READY, T.CLAIMED},
                T.CANCELLED,
                {SYSTEM},
                needs_reason=True,
                effects=[t.stamp_done],
                label=N_("Cancelled"),
            ),
        ),
    )
    return request, task


ENTERPRISE_REQUEST, ENTERPRISE_TASK = _machines()
