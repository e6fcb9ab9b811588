"""Guards and effects of the rows of a dispute's tasks: sessions, outcomes and judicial confirmation."""

from datetime import datetime

from sqlmodel import col, select

from services import clock
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import DisputeTaskStatus, DisputeVisit, MediationSession
from services.models.disputes import TERMS_MAX_LENGTH
from services.notifications import notify
from services.requirements.fields import FieldError, refuse_if_too_long
from services.workflow.disputes.actors import JUDICIAL_CONFIRMATION
from services.workflow.disputes.rules import REFERRALS, parties

PLACES = ("online", "centre")
MAX_EXTENSION_DAYS = 30


# --- claims -----------------------------------------------------------------


def assign_to_actor(firing) -> None:
    firing.task.assignee_id = firing.actor.id
    firing.session.add(firing.task)


def unassign(firing) -> None:
    firing.task.assignee_id = None
    firing.session.add(firing.task)


def stamp_decision(firing) -> None:
    task = firing.task
    task.decided_at = clock.now()
    task.decided_by_id = firing.actor.id if firing.actor else None
    task.decision_reason = firing.reason
    firing.session.add(task)


# --- sessions ---------------------------------------------------------------


def session_details(firing) -> None:
    at = firing.given.get("at")
    if not isinstance(at, datetime) or at <= clock.now():
        raise Invalid(N_("a session is scheduled ahead"), {"at": N_("Enter a date and time still to come.")})
    if firing.given.get("place") not in PLACES:
        raise Invalid(N_("choose where the session is held"), {"place": N_("Choose online or at the centre.")})


def one_place_only(firing) -> None:
    """最多跑一地: a session in person only at the one centre the parties have been to, if any; else online."""
    if firing.given["place"] != "centre":
        return
    visited = set(
        firing.session.exec(select(DisputeVisit.centre_code).where(col(DisputeVisit.dispute_id) == firing.case.id))
    )
    if visited - {firing.case.centre_code}:
        raise Invalid(
            N_("the parties already came to another centre"),
            {"place": N_("The parties have already been to another centre: hold this session online.")},
        )


def save_session(firing) -> None:
    held_at = firing.case.centre_code if firing.given["place"] == "centre" else None
    session_row = MediationSession(
        dispute_id=firing.case.id,
        task_id=firing.task.id,
        at=firing.given["at"],
        place=firing.given["place"],
        centre_code=held_at,
        scheduled_by_id=firing.actor.id,
    )
    firing.session.add(session_row)
    firing.record.update(at=firing.given["at"].isoformat(timespec="minutes"), place=firing.given["place"])


def notify_session(firing) -> None:
    template = (
        N_("Dispute %(number)s: mediation session online on %(at)s.")
        if firing.given["place"] == "online"
        else N_("Dispute %(number)s: mediation session at %(centre)s on %(at)s.")
    )
    centre = firing.catalog.centres[firing.case.centre_code]
    params = {
        "number": firing.case.number,
        "at": firing.given["at"].strftime("%Y-%m-%d %H:%M"),
        "centre": centre.name.zh,
        "centre_en": centre.name.en,
    }
    for party in parties(firing):
        notify(firing.session, user=party, case=firing.case, template=template, params=params)


def session_scheduled(firing) -> None:
    found = firing.session.exec(
        select(MediationSession.id).where(col(MediationSession.task_id) == firing.task.id).limit(1)
    ).first()
    if found is None:
        raise Conflict(N_("schedule a mediation session before recording its outcome"))


# --- outcomes ---------------------------------------------------------------


def terms_given(firing) -> None:
    terms = (firing.given.get("terms") or "").strip()
    if not terms:
        raise Invalid(N_("write the terms the parties agreed"), {"terms": N_("Write the terms the parties agreed.")})
    refuse_if_too_long("terms", terms, TERMS_MAX_LENGTH)
    firing.given["terms"] = terms


def referral_chosen(firing) -> None:
    if firing.given.get("referral") not in REFERRALS:
        raise Invalid(N_("choose where the dispute goes next"), {"referral": N_("Choose arbitration or litigation.")})


def agree_dispute(firing) -> None:
    firing.fire(firing.case, "agree", given={"terms": firing.given["terms"]})


def refer_dispute(firing) -> None:
    """No agreement on the last route still mediating: the dispute goes on with its file."""
    others = [
        task
        for task in firing.tasks()
        if task.id != firing.task.id
        and task.status in DisputeTaskStatus.OPEN
        and task.item_code != JUDICIAL_CONFIRMATION
    ]
    if not others:
        firing.fire(firing.case, "refer", reason=firing.reason, given={"referral": firing.given["referral"]})


def confirm_dispute(firing) -> None:
    firing.fire(firing.case, "confirm")


def refuse_dispute_confirmation(firing) -> None:
    firing.fire(firing.case, "confirmation_refused", reason=firing.reason)


# --- extension --------------------------------------------------------------


def no_pending_extension(firing) -> None:
    if firing.case.extension:
        raise Conflict(N_("an extension already waits for the parties' consent"))


def sensible_extension(firing) -> None:
    days = firing.given.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise Invalid(
            FieldError(N_("ask for 1 to %(limit)s days"), limit=MAX_EXTENSION_DAYS),
            {"days": FieldError(N_("Ask for 1 to %(limit)s days."), limit=MAX_EXTENSION_DAYS)},
        )


def open_extension(firing) -> None:
    firing.case.extension = {"days": firing.given["days"], "reason": firing.reason, "consents": []}
    firing.session.add(firing.case)
    firing.record["days"] = firing.given["days"]


def notify_extension(firing) -> None:
    for party in parties(firing):
        notify(
            firing.session,
            user=party,
            case=firing.case,
            template=N_("Dispute %(number)s: the mediator asks both parties to consent to %(days)s more days."),
            params={"number": firing.case.number, "days": firing.given["days"]},
        )
