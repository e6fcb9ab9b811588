"""The transition tables of a dispute and of its routes' tasks. Nothing else writes their statuses.

A dispute is filed online or at a centre's window, registered and routed by the centre's intake
within a working day, mediated by each route's agency (a task each), and ends in an agreement
(which either party may take to the court for judicial confirmation), a referral to arbitration or
litigation, a withdrawal, or the centre not taking it up.
"""

from services.i18n import N_
from services.models import DisputeStatus as D
from services.models import DisputeTaskStatus as T
from services.workflow.disputes.actors import COUNTERPARTY, INTAKE, JUDGE, MEDIATOR, PARTIES
from services.workflow.table import APPLICANT, CLERK, STAY, SYSTEM, Machine, row


def _machines() -> tuple[Machine, Machine]:
    # Imported here so that reading the table needs no database.
    from services.workflow import ratings
    from services.workflow.disputes import rules as r
    from services.workflow.disputes import task_rules as t

    open_before_outcome = {D.FILED, D.IN_MEDIATION}
    dispute = Machine(
        name="dispute",
        noun="a dispute",
        audit_prefix="dispute.",
        state_labels=D.LABELS,
        initial=D.FILED,
        final=D.FINAL,
        transitions=(
            row(
                "register",
                {D.FILED},
                D.IN_MEDIATION,
                {INTAKE},
                guards=[r.routes_allowed],
                effects=[r.stamp_registered, r.create_route_tasks, r.notify_registered],
                label=N_("Registered and routed by the centre"),
            ),
            row(
                "decline",
                {D.FILED},
                D.DECLINED,
                {INTAKE},
                needs_reason=True,
                effects=[r.stamp_closed, r.notify_declined],
                label=N_("Not taken up by the centre"),
            ),
            row(
                "record_visit",
                {D.FILED, D.IN_MEDIATION, D.AGREED, D.CONFIRMING},
                STAY,
                {INTAKE},
                needs_reason=True,
                guards=[r.short_visit_purpose],
                effects=[r.count_visit],
                label=N_("Visit to the centre recorded"),
            ),
            row(
                "answer",
                {D.IN_MEDIATION},
                STAY,
                {COUNTERPARTY},
                guards=[r.answer_given],
                effects=[r.save_answer],
                label=N_("The other party answered"),
            ),
            row(
                "escalate",
                {D.IN_MEDIATION},
                STAY,
                {INTAKE},
                needs_reason=True,
                guards=[r.higher_centre],
                effects=[r.move_to_higher_centre],
                label=N_("Escalated to a higher centre"),
            ),
            row(
                "consent_extension",
                {D.IN_MEDIATION},
                STAY,
                PARTIES,
                guards=[r.extension_awaits_this_party],
                effects=[r.record_consent],
                label=N_("A party consented to the extension"),
            ),
            row(
                "refuse_extension",
                {D.IN_MEDIATION},
                STAY,
                PARTIES,
                guards=[r.extension_awaits_this_party],
                effects=[r.drop_extension],
                label=N_("A party refused the extension"),
            ),
            row(
                "supplement_filing",
                {D.FILED},
                STAY,
                {APPLICANT},
                effects=[r.record_evidence],
                label=N_("Evidence added to the filing"),
            ),
            row(
                "supplement",
                {D.IN_MEDIATION},
                STAY,
                PARTIES,
                effects=[r.record_evidence, r.notify_evidence_added],
                label=N_("A party added evidence"),
            ),
            row(
                "withdraw",
                open_before_outcome,
                D.WITHDRAWN,
                {APPLICANT},
                effects=[r.cancel_open_tasks, r.stamp_closed, r.notify_withdrawn],
                label=N_("Withdrawn by the party who filed it"),
            ),
            row(
                "agree",
                {D.IN_MEDIATION},
                D.AGREED,
                {SYSTEM},
                effects=[r.cancel_open_tasks, r.issue_agreements, r.notify_agreed],
                label=N_("Mediation agreement signed"),
            ),
            row(
                "refer",
                {D.IN_MEDIATION},
                D.REFERRED,
                {SYSTEM},
                needs_reason=True,
                effects=[r.forward_file, r.stamp_closed, r.notify_referred],
                label=N_("Referred to arbitration or litigation"),
            ),
            row(
                "request_confirmation",
                {D.AGREED},
                D.CONFIRMING,
                PARTIES,
                effects=[r.create_confirmation_task],
                label=N_("Judicial confirmation asked for"),
            ),
            row(
                "confirm",
                {D.CONFIRMING},
                D.CONFIRMED,
                {SYSTEM},
                effects=[r.stamp_closed, r.notify_confirmed],
                label=N_("Agreement judicially confirmed"),
            ),
            row(
                "confirmation_refused",
                {D.CONFIRMING},
                D.AGREED,
                {SYSTEM},
                needs_reason=True,
                effects=[r.notify_confirmation_refused],
                label=N_("Judicial confirmation refused"),
            ),
            row(
                "close",
                {D.AGREED},
                D.RESOLVED,
                {INTAKE},
                effects=[r.stamp_closed],
                label=N_("Closed as resolved by agreement"),
            ),
            row(
                "report_honoured",
                D.AGREEMENT,
                STAY,
                {APPLICANT},
                guards=[r.not_reported_yet],
                effects=[r.mark_honoured],
                label=N_("The agreement was honoured"),
            ),
            row(
                "rate",
                {D.CONFIRMED, D.RESOLVED, D.REFERRED, D.DECLINED},
                STAY,
                {APPLICANT},
                guards=[ratings.not_rated_yet, ratings.short_rating_comment],
                effects=[r.save_rating],
                label=N_("Rated"),
            ),
        ),
    )
    task = Machine(
        name="dispute_task",
        noun="a dispute's task",
        audit_prefix="dispute_task.",
        state_labels=T.LABELS,
        initial=T.READY,
        final=T.FINAL,
        transitions=(
            row(
                "claim",
                {T.READY},
                T.CLAIMED,
                {CLERK},
                effects=[t.assign_to_actor],
                label=N_("Taken up by the agency"),
            ),
            row(
                "release",
                {T.CLAIMED},
                T.READY,
                {MEDIATOR, JUDGE},
                effects=[t.unassign],
                label=N_("Returned to the agency's queue"),
            ),
            row(
                "schedule_session",
                {T.CLAIMED},
                STAY,
                {MEDIATOR},
                guards=[t.session_details, t.one_place_only],
                effects=[t.save_session, t.notify_session],
                label=N_("Mediation session scheduled"),
            ),
            row(
                "propose_extension",
                {T.CLAIMED},
                STAY,
                {MEDIATOR},
                needs_reason=True,
                guards=[t.no_pending_extension, t.sensible_extension],
                effects=[t.open_extension, t.notify_extension],
                label=N_("Extension proposed to both parties"),
            ),
            row(
                "record_agreement",
                {T.CLAIMED},
                T.AGREED,
                {MEDIATOR},
                guards=[t.session_scheduled, t.terms_given],
                effects=[t.stamp_decision, t.agree_dispute],
                label=N_("Agreement reached in mediation"),
            ),
            row(
                "record_no_agreement",
                {T.CLAIMED},
                T.NO_AGREEMENT,
                {MEDIATOR},
                needs_reason=True,
                guards=[t.session_scheduled, t.referral_chosen],
                effects=[t.stamp_decision, t.refer_dispute],
                label=N_("No agreement in mediation"),
            ),
            row(
                "confirm_agreement",
                {T.CLAIMED},
                T.CONFIRMED,
                {JUDGE},
                effects=[t.stamp_decision, t.confirm_dispute],
                label=N_("Agreement judicially confirmed by the court"),
            ),
            row(
                "refuse_confirmation",
                {T.CLAIMED},
                T.NOT_CONFIRMED,
                {JUDGE},
                needs_reason=True,
                effects=[t.stamp_decision, t.refuse_dispute_confirmation],
                label=N_("The court refused to confirm the agreement"),
            ),
            row(
                "cancel",
                {T.READY, T.CLAIMED},
                T.CANCELLED,
                {SYSTEM},
                needs_reason=True,
                effects=[t.stamp_decision],
                label=N_("Cancelled"),
            ),
        ),
    )
    return dispute, task


DISPUTE, DISPUTE_TASK = _machines()

# Audit events of a dispute recorded beside its table: they change no status.
DISPUTE_EVENT_LABELS = {
    "dispute.file": N_("Dispute filed"),
}
