"""The SLA sweep: recolour running tasks by time left, escalate late ones, end expired tolerated gaps.

Run it from a scheduler (`flask --app app sla sweep`) as often as you like, on as many
servers as you like: a task's colour is written with a compare-and-set on the colour it
had, and each step of the escalation chain (services/escalation.py) is taken once per
task, so a second run — or two sweeps at once — notify nobody twice. Work goes in keyset batches, one transaction each;
on PostgreSQL each batch is taken with `FOR UPDATE SKIP LOCKED`, so simultaneous sweeps
share the work instead of queueing behind each other's row locks.
"""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from services import clock
from services.applications.lock import lock_application
from services.catalog import Catalog
from services.db import rows_matched, transactional
from services.deadline_colour import ColourRanges
from services.errors import Conflict
from services.escalation import escalate
from services.i18n import N_
from services.models import Application, ApplicationStatus, Task, TaskStatus, task_sla_key
from services.workdays import load_calendar
from services.workflow.case_types import counting_states
from services.workflow.engine import fire

log = logging.getLogger(__name__)

BATCH = 500
RUNNING = (ApplicationStatus.ACCEPTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUSPENDED)


@dataclass(frozen=True)
class SweepReport:
    recoloured: int  # tasks whose colour changed
    notified: int  # tasks whose people were told a step of the escalation chain (services/escalation.py)
    terminated: int  # applications ended because a tolerated material never came


def sweep(*, session: Session, catalog: Catalog, batch: int = BATCH) -> SweepReport:
    today = clock.china_today()
    terminated = _terminate_expired_gaps(session, catalog, today, batch)
    recoloured = 0
    last_read: int | None = 0
    colours = ColourRanges(load_calendar(session=session), today, catalog.sla)
    while last_read is not None:  # the last batch reads nothing and counts nothing
        last_read, changed = _recolour_batch(session=session, colours=colours, after=last_read, batch=batch)
        recoloured += changed
    notified = escalate(session=session, catalog=catalog, colours=colours, batch=batch)
    log.info("sla sweep: %d tasks recoloured, %d warned, %d applications terminated", recoloured, notified, terminated)
    return SweepReport(recoloured, notified, terminated)


@transactional
def _recolour_batch(*, session: Session, colours: ColourRanges, after: int, batch: int) -> tuple[int | None, int]:
    """Recolour the next batch of tasks after id `after`; returns the last id read (None when done).

    Only rows whose stored colour differs from today's are read, so an unchanged task costs
    nothing. On PostgreSQL the batch is locked with SKIP LOCKED: a second sweep running at
    the same time takes the next rows instead of waiting for these or doing them again.
    Who is told is the escalation's business (services/escalation.py), under each case's lock.
    """
    tasks = session.exec(
        select(Task)
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
            Task.sla_colour != colours.case(Task.deadline, task_sla_key()),
        )
        .order_by(col(Task.id))
        .limit(batch)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    if not tasks:
        return None, 0
    changed = 0
    for task in tasks:
        assert task.deadline is not None  # the query reads only tasks with a deadline
        colour = colours.of(task.deadline, task.sla_key)
        if colour == task.sla_colour:
            continue
        won = (
            rows_matched(
                session,
                update(Task)
                .where(col(Task.id) == task.id, col(Task.sla_colour) == task.sla_colour)
                .values(sla_colour=colour)
                .execution_options(synchronize_session=False),
            )
            == 1
        )
        if won:  # else another sweep got there first (SQLite: no row locks)
            set_committed_value(task, "sla_colour", colour)
            changed += 1
    return tasks[-1].id, changed


def _terminate_expired_gaps(session: Session, catalog: Catalog, today: date, batch: int) -> int:
    """容缺: a material tolerated at acceptance that is still owed after its due day ends the case."""
    terminated = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(col(Task.application_id), col(Task.supplement_due))
            .join(Application, col(Application.id) == Task.application_id)
            .where(
                col(Task.application_id) > last_id,
                col(Task.supplement_due) < today,
                col(Task.status).in_(TaskStatus.OPEN),
                col(Application.status).in_(RUNNING),
            )
            .order_by(col(Task.application_id))
            .limit(batch)
        ).all()
        session.rollback()  # end the read; each termination is its own transaction
        if not rows:
            return terminated
        # The join reads applications' tasks only, and those point at their application.
        application_ids = [application_id for application_id, _ in rows if application_id is not None]
        last_id = application_ids[-1]
        for application_id in dict.fromkeys(application_ids):
            try:
                _terminate(session=session, catalog=catalog, application_id=application_id, today=today)
            except Conflict:
                continue  # it moved on meanwhile (material handed in, a notice, a decision)
            terminated += 1


@transactional
def _terminate(*, session: Session, catalog: Catalog, application_id: int, today: date) -> None:
    # SKIP LOCKED: a case another sweep (or a clerk) is changing right now is left to it.
    application = lock_application(session, Application.id == application_id, skip_locked=True)
    if application is None:
        raise Conflict(N_("someone else changed this first; reload and try again"))
    owed = session.exec(
        select(Task).where(
            col(Task.application_id) == application_id,
            col(Task.supplement_due) < today,
            col(Task.status).in_(TaskStatus.OPEN),
        )
    ).all()
    if application.status not in RUNNING or not owed:
        raise Conflict(N_("nothing is owed any more"))
    materials = sorted({key for task in owed for key in task.owed_materials})
    # Every one has a due date (the query compared it with today); the filter says so to the type checker.
    due = min(task.supplement_due for task in owed if task.supplement_due is not None)
    fire(
        session=session,
        subject=application,
        event="terminate",
        actor=None,
        catalog=catalog,
        reason=f"tolerated material not handed in by {due.isoformat()}: {', '.join(materials)}",
    )
