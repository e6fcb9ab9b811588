"""The SLA sweep's escalation chain: amber → the clerk, red → the department's supervisors, late → the city's.

A task amber today is told to its holder (or, unclaimed, its department's clerks); a red one to its
holder and its department's supervisors; one `escalate_after_working_days` working days past its
deadline (catalogue data, services/catalog/sla.py) to the city's supervisors. Each step is taken
once per task: it is an audit event on the task's case (`sla_amber`, `sla_red`, `sla_city`),
written with its messages in one transaction under the case's lock, and a step with an event is
never taken again, however often the sweep runs or however many sweeps run at once.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, not_, or_, update
from sqlmodel import Session, col, select

from services.audit import record_event
from services.catalog import Catalog
from services.catalog.model import SlaThresholds
from services.db import referenced, transactional
from services.deadline_colour import ColourRanges
from services.i18n import N_
from services.models import AuditEvent, Role, Task, User, task_sla_key
from services.notifications import IN_APP, notify, notify_staff
from services.workdays import WorkingCalendar
from services.workflow.case_types import case_type_of, case_types, counting_states
from services.workflow.locks import lock_case

AMBER, RED, CITY = "sla_amber", "sla_red", "sla_city"
STEPS = (AMBER, RED, CITY)
MESSAGES = {
    AMBER: N_("%(item)s on %(number)s is due soon, by %(deadline)s."),
    RED: N_("%(item)s on %(number)s is overdue: it was due by %(deadline)s."),
    CITY: N_("%(item)s on %(number)s is %(days_late)s working days overdue: it was due by %(deadline)s."),
}


def escalate(*, session: Session, catalog: Catalog, colours: ColourRanges, batch: int) -> int:
    """Take every step due today; the number of tasks whose people were told."""
    told = 0
    after = 0
    while True:
        ids = list(session.exec(_due(colours, catalog.sla, after).limit(batch)).all())
        session.rollback()  # end the read; each task's steps are their own transaction
        if not ids:
            return told
        after = ids[-1]
        for task_id in ids:
            told += _take_steps(session=session, catalog=catalog, colours=colours, task_id=task_id)


def _due(colours: ColourRanges, thresholds: SlaThresholds, after: int):
    """Ids of running tasks with a step due and not taken, in id order after `after`."""

    def not_taken(step: str):
        return not_(exists().where(col(AuditEvent.task_id) == Task.id, col(AuditEvent.event) == step))

    return (
        select(Task.id)
        .where(
            col(Task.id) > after,
            or_(
                *(
                    and_(col(Task.case_kind) == kind, col(Task.status).in_(states))
                    for kind, states in counting_states().items()
                )
            ),
            col(Task.deadline).is_not(None),
            col(Task.paused_since).is_(None),
            or_(
                and_(colours.is_(Task.deadline, "amber", code_column=task_sla_key()), not_taken(AMBER)),
                and_(
                    colours.is_(Task.deadline, "red"),
                    or_(not_taken(RED), and_(_late_for_the_city(colours, thresholds), not_taken(CITY))),
                ),
            ),
        )
        .order_by(col(Task.id))
    )


def _late_for_the_city(colours: ColourRanges, thresholds: SlaThresholds):
    """The task is at least its code's `escalate_after_working_days` working days past its deadline."""
    by_days: dict[int, list[str]] = {}
    for code, threshold in sorted(thresholds.by_code.items()):
        by_days.setdefault(threshold.escalate_after_working_days, []).append(code)
    default = thresholds.default.escalate_after_working_days
    others = [code for days, codes in by_days.items() if days != default for code in codes]
    return or_(
        and_(not_(task_sla_key().in_(others)), col(Task.deadline) <= _latest_late(colours, default)),
        *(
            and_(task_sla_key().in_(codes), col(Task.deadline) <= _latest_late(colours, days))
            for days, codes in by_days.items()
            if days != default
        ),
    )


def _latest_late(colours: ColourRanges, days: int) -> date:
    """The latest deadline that is `days` working days past today."""
    deadline = colours.today - timedelta(days=1)
    while _working_days_late(colours.calendar, colours.today, deadline) < days:
        deadline -= timedelta(days=1)
    return deadline


def _working_days_late(calendar: WorkingCalendar, today: date, deadline: date) -> int:
    return -calendar.remaining_working_days(today, deadline)


@transactional
def _take_steps(*, session: Session, catalog: Catalog, colours: ColourRanges, task_id: int) -> int:
    """Take the task's steps due and not yet taken, under its case's lock: 1 if someone was told, else 0."""
    found = session.get(Task, task_id)
    if found is None:
        return 0
    kind, case_id = found.case_ref
    model: Any = case_types()[kind].model
    # SKIP LOCKED: a case someone is changing right now is left for the next sweep.
    case = lock_case(session, model, model.__table__.c.id == case_id, skip_locked=True)
    if case is None:
        return 0
    # Its task too (the step's event refers to it): one another sweep is recolouring is left for the next.
    if session.exec(select(Task.id).where(col(Task.id) == task_id).with_for_update(skip_locked=True)).first() is None:
        return 0
    # A write first: SQLite begins the transaction at its first write, so only reads after one see the
    # steps a concurrent sweep took (on PostgreSQL the row lock above already does).
    table = model.__table__
    session.execute(update(table).where(table.c.id == case_id).values(audit_length=table.c.audit_length))
    session.refresh(found)
    task = found
    if task.deadline is None or task.paused_since is not None or task.status not in counting_states()[kind]:
        return 0
    colour = colours.of(task.deadline, task.sla_key)
    days_late = _working_days_late(colours.calendar, colours.today, task.deadline)
    due = {"amber": [AMBER], "red": [RED], "green": []}[colour]
    if colour == "red" and days_late >= catalog.sla.of(task.sla_key).escalate_after_working_days:
        due.append(CITY)
    taken = set(
        session.exec(
            select(AuditEvent.event).where(col(AuditEvent.task_id) == task.id, col(AuditEvent.event).in_(STEPS))
        ).all()
    )
    steps = [step for step in due if step not in taken]
    name = case_type_of(task).task_name(task, catalog)
    for step in steps:
        record_event(
            session,
            actor=None,
            event=step,
            case=case,
            task=task,
            payload={"task": task.key, "deadline": task.deadline.isoformat(), "working_days_late": max(days_late, 0)},
        )
        message: dict[str, Any] = dict(
            template=MESSAGES[step],
            case=case,
            params={
                "item": name.zh,
                "item_en": name.en,
                "number": case.number,
                "deadline": task.deadline.isoformat(),
                "days_late": days_late,
            },
        )
        _tell(session, step, task, message)
    return 1 if steps else 0


def _tell(session: Session, step: str, task: Task, message: dict[str, Any]) -> None:
    if step in (AMBER, RED):
        if task.assignee_id is not None:
            notify(session, user=referenced(session, User, task.assignee_id), channels=(IN_APP,), **message)
        else:
            notify_staff(session, role=Role.CLERK, department=task.department, **message)
    if step == RED:
        _notify_supervisors(session, task.department, message)
    if step == CITY:
        _notify_supervisors(session, None, message)


def _notify_supervisors(session: Session, department: str | None, message: dict[str, Any]) -> None:
    """In-app to the active supervisors of exactly this department (None: the city's, of no department)."""
    where = col(User.department) == department if department is not None else col(User.department).is_(None)
    for user in session.exec(
        select(User).where(col(User.role) == Role.SUPERVISOR, col(User.is_active) == True, where)  # noqa: E712
    ).all():
        notify(session, user=user, channels=(IN_APP,), **message)
