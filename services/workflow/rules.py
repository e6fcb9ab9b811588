"""Guards and effects of the application rows of the transition table."""

from sqlalchemy import func
from sqlmodel import select

from services import clock
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Notice, Task, TaskStatus
from services.models.cases import ASSISTED_CHANNEL, VISIT_PURPOSE_MAX_LENGTH
from services.notifications import notify
from services.requirements.fields import refuse_if_too_long
from services.requirements.precheck import blocking, precheck
from services.workflow import ratings
from services.workflow.numbers import next_number
from services.workflow.shared import open_notice, record_visit_row, resume_task_clock

# Stored on the visit as the desk's typed purposes are; in both languages, as the desk reads it in either.
ASSISTED_VISIT_PURPOSE = "窗口帮办提交 / filed at the front desk"

SUPPLEMENT_WORKING_DAYS = 5  # how long a tolerated gap (容缺) may stay open


# --- guards -----------------------------------------------------------------


def nothing_missing(firing) -> None:
    """Everything is there, except perhaps non-core materials the front desk may tolerate."""
    gaps = blocking(
        precheck(
            session=firing.session,
            application=firing.application,
            catalog=firing.catalog,
            attached=firing.given.get("attached"),  # the submit just attached the wallet's: it knows them
        )
    )
    if gaps:
        raise Invalid("something is still missing", {gap.key: gap.reason for gap in gaps}, gaps=gaps)


def not_yet_accepted(firing) -> None:
    if firing.application.accepted_at is not None:
        raise Conflict(N_("this application was accepted before; answer the notice instead"))


def accepted_before(firing) -> None:
    if firing.application.accepted_at is None:
        raise Conflict(N_("this application has not been accepted yet; resubmit it instead"))


def complete_or_tolerable(firing) -> None:
    """Accept when complete, or — when the clerk asks for it — when only non-core materials are missing."""
    gaps = precheck(session=firing.session, application=firing.application, catalog=firing.catalog)
    if not gaps:
        return
    tolerable = not blocking(gaps)
    if firing.given.get("tolerate") and tolerable:
        firing.record["tolerated"] = [gap.key for gap in gaps]
        return
    reason = (
        N_("only non-core materials may be missing at acceptance")
        if firing.given.get("tolerate")
        else N_("something is still missing: issue a one-time notice instead")
    )
    raise Invalid(reason, {gap.key: gap.reason for gap in gaps}, gaps=gaps)


def one_notice_only(firing) -> None:
    """一次性告知: one notice lists everything; a second needs a new fact and is a breach."""
    items = firing.given.get("items") or []
    if not items:
        raise Invalid(N_("tick at least one missing or wrong item"), {"items": N_("Tick at least one item.")})
    earlier = firing.session.exec(
        select(func.count()).select_from(Notice).where(Notice.application_id == firing.application.id)
    ).one()
    new_fact = (firing.given.get("new_fact") or "").strip()
    if earlier and not new_fact:
        # Refused by what the case holds, not by a field: the desk is told once, on the case's page.
        raise Conflict(
            N_(
                "A one-time notice was already issued; a second one needs a new fact from the applicant "
                "and counts as a breach."
            )
        )
    firing.record["breach"] = bool(earlier)


# --- effects ----------------------------------------------------------------


def assign_public_number(firing) -> None:
    today = clock.china_today()
    value = next_number(firing.session, f"number-{today:%Y%m%d}")
    firing.application.number = f"ZJ-{today:%Y%m%d}-{value:06d}"
    firing.record["number"] = firing.application.number


def stamp_submitted(firing) -> None:
    firing.application.submitted_at = clock.now()
    # What it was filed under: a version of the catalogue published later is for new applications.
    firing.application.catalogue_versions = firing.catalog.filed_versions(firing.application.service_code)


def stamp_closed(firing) -> None:
    firing.application.closed_at = clock.now()


def stamp_accepted(firing) -> None:
    firing.application.accepted_at = clock.now()
    firing.application.accepted_on = firing.today
    service = firing.catalog.service(firing.application.service_code)
    firing.application.deadline = firing.calendar.add_working_days(firing.today, service.promised_limit_days)
    firing.record["deadline"] = firing.application.deadline.isoformat()


def create_tasks(firing) -> None:
    """One task per item for its department; items with prerequisites wait for them."""
    application = firing.application
    service = firing.catalog.service(application.service_code)
    tolerated = set(firing.record.get("tolerated", ()))
    supplement_due = firing.calendar.add_working_days(firing.today, SUPPLEMENT_WORKING_DAYS) if tolerated else None
    tasks = []
    for item in service.items if service.is_bundle else (service,):
        owed = sorted(tolerated & {m.key for m in item.materials})
        method = (
            application.delivery_method
            if application.delivery_method in item.delivery
            else ("e_certificate" if "e_certificate" in item.delivery else item.delivery[0])
        )
        task = Task(
            application_id=application.id,
            item_code=item.code,
            department=item.department,
            waits_on=list(service.depends.get(item.code, ())),
            promised_days=item.promised_limit_days,
            owed_materials=owed,
            supplement_due=supplement_due if owed else None,
            delivery_method=method,
        )
        firing.session.add(task)
        tasks.append(task)
    firing.session.flush()
    firing.tasks_added()
    firing.record["tasks"] = [task.key for task in tasks]
    for task in tasks:
        if not task.waits_on:
            firing.fire(task, "unblock")


def decide_instant_items(firing) -> None:
    """即办件: the front desk decides same-day items at acceptance."""
    while True:
        ready = [
            task
            for task in firing.tasks()
            if task.status == TaskStatus.READY
            and firing.catalog.items[task.item_code].instant
            and not task.owed_materials
        ]
        if not ready:
            return
        for task in ready:
            firing.fire(task, "claim", actor=firing.actor)
            firing.fire(task, "approve", actor=firing.actor)


def answer_notice(firing) -> None:
    notice = open_notice(firing.session, firing.application)
    if notice is not None:
        notice.answered_at = clock.now()
        firing.session.add(notice)


def freeze_notice(firing) -> None:
    notice = Notice(
        application_id=firing.application.id,
        issued_by_id=firing.actor.id,
        items=list(firing.given["items"]),
        new_fact=(firing.given.get("new_fact") or "").strip() or None,
        breach=firing.record["breach"],
    )
    firing.session.add(notice)
    firing.session.flush()
    firing.record.update(notice=notice.key, items=[item["key"] for item in notice.items])
    for task in firing.tasks():
        if task.notice_request:
            task.notice_request = None
            firing.session.add(task)


def pause_clocks(firing) -> None:
    """Time the applicant spends correcting does not count against the departments."""
    for task in firing.tasks():
        if task.status in (TaskStatus.READY, TaskStatus.CLAIMED) and task.paused_since is None:
            task.paused_since = firing.today
            firing.session.add(task)


def resume_clocks(firing) -> None:
    for task in firing.tasks():
        if task.status in (TaskStatus.READY, TaskStatus.CLAIMED) and task.paused_since is not None:
            resume_task_clock(firing, task)


def short_visit_purpose(firing) -> None:
    refuse_if_too_long("reason", firing.reason or "", VISIT_PURPOSE_MAX_LENGTH)


def filed_in_person(firing) -> None:
    """The front desk files only the drafts it opened for someone standing at its window."""
    if firing.application.channel != ASSISTED_CHANNEL:
        raise Conflict(N_("only an application opened at the front desk can be filed there"))


def count_walk_in_visit(firing) -> None:
    """Coming to the window to have it filed is a visit, counted like any other."""
    record_visit_row(firing, purpose=ASSISTED_VISIT_PURPOSE)


def count_visit(firing) -> None:
    """Every visit is recorded; one beyond the item's promise is a breach."""
    record_visit_row(firing, purpose=firing.reason)


def cancel_open_tasks(firing) -> None:
    for task in firing.tasks():
        if task.status in TaskStatus.OPEN:
            firing.fire(task, "cancel", reason=firing.reason)


def save_rating(firing) -> None:
    ratings.save_rating(firing, _departments_to_answer(firing))


def _departments_to_answer(firing) -> tuple[str, ...]:
    """Each department that handled one of the case's tasks; a task cancelled unhandled asks nothing of its own.

    A case refused before any task ran leaves the answer to the departments of its service.
    """
    handled = tuple(dict.fromkeys(task.department for task in firing.tasks() if task.status != TaskStatus.CANCELLED))
    return handled or firing.catalog.service(firing.application.service_code).departments


# --- notifications ----------------------------------------------------------


def _tell_applicant(firing, template: str, **params) -> None:
    notify(
        firing.session,
        user=firing.applicant,
        case=firing.application,
        template=template,
        params={"number": firing.application.number, **params},
    )


def notify_received(firing) -> None:
    _tell_applicant(firing, N_("We have received application %(number)s. The front desk will check it."))


def notify_accepted(firing) -> None:
    _tell_applicant(
        firing,
        N_("Application %(number)s was accepted. Promised decision by %(deadline)s."),
        deadline=firing.application.deadline.isoformat(),
    )


def notify_notice(firing) -> None:
    _tell_applicant(firing, N_("Application %(number)s needs correction: see the one-time notice listing everything."))


def notify_refused(firing) -> None:
    _tell_applicant(firing, N_("Application %(number)s was not accepted: %(reason)s"), reason=firing.reason)


def notify_finished(firing) -> None:
    _tell_applicant(firing, N_("Application %(number)s is finished. Please rate our service."))
