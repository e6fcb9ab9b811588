"""What the application and task rules share, and the seed and the journeys use: rows they look up or add."""

from sqlalchemy import bindparam, func
from sqlmodel import col, select

from services.models import Notice, Task, Visit


def tasks_of(session, application) -> list[Task]:
    return list(session.exec(select(Task).where(col(Task.application_id) == application.id).order_by(col(Task.id))))


# Built once (it is read on every decision): building a statement costs more CPU than running it.
_OPEN_NOTICE = select(Notice).where(
    col(Notice.application_id) == bindparam("application_id"), col(Notice.answered_at).is_(None)
)


_ANY_OPEN_NOTICE = (
    select(Notice.id)
    .where(col(Notice.application_id) == bindparam("application_id"), col(Notice.answered_at).is_(None))
    .limit(1)
)


def open_notice(session, application) -> Notice | None:
    return session.scalars(_OPEN_NOTICE, {"application_id": application.id}).first()


def has_open_notice(session, application) -> bool:
    """Whether a notice waits for the applicant's answer: asked of every decision, so no object is built.

    On the session's connection, with no flush first: a notice is flushed when it is issued.
    """
    return session.connection().execute(_ANY_OPEN_NOTICE, {"application_id": application.id}).first() is not None


def record_visit_row(firing, purpose: str) -> Visit:
    service = firing.catalog.service(firing.application.service_code)
    earlier = firing.session.exec(
        select(func.count()).select_from(Visit).where(Visit.application_id == firing.application.id)
    ).one()
    assert firing.actor is not None  # a visit is recorded by the staff member who met the applicant
    visit = Visit(
        application_id=firing.application.id,
        recorded_by_id=firing.actor.id,
        purpose=purpose,
        beyond_promise=earlier + 1 > service.max_visits,
    )
    firing.session.add(visit)
    firing.record.update(visit=earlier + 1, beyond_promise=visit.beyond_promise)
    return visit


def resume_task_clock(firing, task: Task) -> None:
    """The deadline moves by the working days the clock stood still."""
    paused = max(0, firing.calendar.working_days_between(task.paused_since, firing.today))
    task.paused_days += paused
    task.paused_since = None
    if task.deadline is not None and paused:
        task.deadline = firing.calendar.add_working_days(task.deadline, paused)
        stretch_application_deadline(firing, task)
    firing.session.add(task)
    firing.record.setdefault("paused_days", {})[task.key] = paused


def stretch_application_deadline(firing, task: Task) -> None:
    application = firing.application
    if task.deadline and (application.deadline is None or task.deadline > application.deadline):
        application.deadline = task.deadline
        firing.session.add(application)
