"""What a supervisor watches and answers: late tasks, breaches, extensions, poor ratings, the calendar.

A supervisor with a department sees that department only; one without sees the whole city.
"""

from dataclasses import dataclass

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from services import clock
from services.audit import record_event
from services.casework.tasks import pending_extensions
from services.catalog import Catalog
from services.db import referenced, rows_matched, transactional
from services.deadline_colour import ColourRanges
from services.errors import Conflict, Invalid
from services.i18n import N_
from services.metrics import DECIDED, china_date
from services.models import (
    Application,
    ExtensionRequest,
    Notice,
    Rating,
    Rectification,
    Role,
    Task,
    TaskStatus,
    User,
    Visit,
    task_sla_key,
)
from services.notifications import notify
from services.policy import may_decide_for, may_edit_calendar, require_role, require_visible, watched_department
from services.requirements.fields import refuse_if_too_long
from services.workdays import CalendarOverride, list_overrides, load_calendar
from services.workflow.engine import available_events, rated_case

LIST_LIMIT = 100
ANSWER_MAX_LENGTH = 1000


def _service_codes(catalog: Catalog, department: str) -> list[str]:
    return [service.code for service in catalog.for_department(department)]


# --- late tasks ---------------------------------------------------------------------


@dataclass(frozen=True)
class LateTask:
    task: Task
    application: Application
    colour: str  # "red" or "amber"
    days_left: int  # 0 on the deadline, negative past it
    paused: bool  # the clock stands still (special procedure or a notice), so the colour is kept


def late_tasks(*, session: Session, actor: User, catalog: Catalog, limit: int = LIST_LIMIT) -> list[LateTask]:
    """Open tasks overdue or amber (by the catalogue's SLA thresholds), most urgent first."""
    require_role(actor, Role.SUPERVISOR)
    calendar = load_calendar(session=session)
    today = clock.china_today()
    colours = ColourRanges(calendar, today, catalog.sla)
    running = and_(
        col(Task.paused_since).is_(None), colours.is_(Task.deadline, "red", "amber", code_column=task_sla_key())
    )
    paused_late = and_(col(Task.paused_since).is_not(None), col(Task.sla_colour).in_(("amber", "red")))
    query = (
        select(Task, Application)
        .join(Application, col(Application.id) == Task.application_id)
        .where(col(Task.status).in_(TaskStatus.OPEN), col(Task.deadline).is_not(None), or_(running, paused_late))
    )
    if department := watched_department(actor):
        query = query.where(Task.department == department)
    rows = []
    for task, application in session.exec(query.order_by(col(Task.deadline), col(Task.id)).limit(limit)).all():
        assert task.deadline is not None  # the query reads only tasks with a deadline
        paused = task.paused_since is not None
        colour = task.sla_colour if paused else colours.of(task.deadline, task.sla_key)
        rows.append(
            LateTask(
                task,
                application,
                colour,
                calendar.remaining_working_days(task.paused_since or today, task.deadline),
                paused,
            )
        )
    return rows


# --- breaches -----------------------------------------------------------------------


@dataclass(frozen=True)
class BreachLists:
    second_notices: list[tuple[Notice, Application]]
    visits_beyond_promise: list[tuple[Visit, Application]]
    late_decisions: list[tuple[Task, Application]]


def breach_lists(
    *, session: Session, actor: User, catalog: Catalog, department: str | None = None, limit: int = LIST_LIMIT
) -> BreachLists:
    """Rule breaches, newest first: second notices, visits beyond the promise, decisions after the deadline;
    of one department if asked (a department's supervisor sees theirs whatever is asked)."""
    require_role(actor, Role.SUPERVISOR)
    require_visible(department is None or department in catalog.departments, "department")
    notices = (
        select(Notice, Application).join(Application, col(Application.id) == Notice.application_id).where(Notice.breach)
    )
    visits = (
        select(Visit, Application)
        .join(Application, col(Application.id) == Visit.application_id)
        .where(Visit.beyond_promise)
    )
    late = (
        select(Task, Application)
        .join(Application, col(Application.id) == Task.application_id)
        .where(
            col(Task.status).in_(DECIDED), col(Task.deadline).is_not(None), china_date(Task.decided_at) > Task.deadline
        )
    )
    if department := watched_department(actor) or department:
        codes = _service_codes(catalog, department)
        notices = notices.where(col(Application.service_code).in_(codes))
        visits = visits.where(col(Application.service_code).in_(codes))
        late = late.where(Task.department == department)
    return BreachLists(
        [(n, a) for n, a in session.exec(notices.order_by(col(Notice.issued_at).desc()).limit(limit))],
        [(v, a) for v, a in session.exec(visits.order_by(col(Visit.at).desc()).limit(limit))],
        [(t, a) for t, a in session.exec(late.order_by(col(Task.decided_at).desc()).limit(limit))],
    )


# --- extensions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtensionRow:
    request: ExtensionRequest
    task: Task
    application: Application
    actions: list[str]  # of grant_extension / refuse_extension, as the table allows this supervisor


def extension_queue(*, session: Session, actor: User, catalog: Catalog) -> list[ExtensionRow]:
    """Pending extension requests with the decisions this supervisor may take on each."""
    decisions = ("grant_extension", "refuse_extension")
    return [
        ExtensionRow(
            request,
            task,
            application,
            [e for e in available_events(actor, task, application, catalog) if e in decisions],
        )
        for request, task, application in pending_extensions(session=session, actor=actor)
    ]


# --- rectifications ---------------------------------------------------------------------


@dataclass(frozen=True)
class RectificationRow:
    rectification: Rectification
    rating: Rating
    application: Application
    overdue: bool


def open_rectifications(*, session: Session, actor: User, limit: int = LIST_LIMIT) -> list[RectificationRow]:
    """Poor ratings still waiting for the department's answer, the earliest due first."""
    require_role(actor, Role.SUPERVISOR)
    query = (
        select(Rectification, Rating, Application)
        .join(Rating, col(Rating.id) == Rectification.rating_id)
        .join(Application, col(Application.id) == Rating.application_id)
        .where(Rectification.status == "open")
    )
    if department := watched_department(actor):
        query = query.where(Rectification.department == department)
    today = clock.china_today()
    return [
        RectificationRow(rectification, rating, application, rectification.due < today)
        for rectification, rating, application in session.exec(
            query.order_by(col(Rectification.due), col(Rectification.id)).limit(limit)
        ).all()
    ]


@transactional
def answer_rectification(*, session: Session, actor: User, key: str, answer: str) -> Rectification:
    """The department's answer to a poor rating; the applicant is told it."""
    require_role(actor, Role.SUPERVISOR)
    rectification = session.exec(select(Rectification).where(Rectification.key == key)).first()
    require_visible(rectification is not None and may_decide_for(actor, rectification.department), "rectification")
    assert rectification is not None  # require_visible refused a missing one
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(N_("write the answer to the applicant"), {"answer": N_("Write the answer to the applicant.")})
    refuse_if_too_long("answer", answer, ANSWER_MAX_LENGTH)
    answered_at = clock.now()
    # Compare-and-set: of two supervisors answering at once, one answer is kept and sent.
    won = (
        rows_matched(
            session,
            update(Rectification)
            .where(col(Rectification.id) == rectification.id, col(Rectification.status) == "open")
            .values(status="answered", answer=answer, answered_by_id=actor.id, answered_at=answered_at)
            .execution_options(synchronize_session=False),
        )
        == 1
    )
    if not won:
        raise Conflict(N_("this rectification has already been answered"))
    session.refresh(rectification)
    rating = referenced(session, Rating, rectification.rating_id)
    case = rated_case(session, rating)
    notify(
        session,
        user=referenced(session, User, case.applicant_id),
        case=case,
        template=N_("Our answer to your rating of %(number)s: %(answer)s"),
        params={"number": case.number, "answer": answer},
    )
    record_event(
        session,
        actor=actor,
        event="answer_rectification",
        case=case,
        payload={"rectification": rectification.key, "department": rectification.department, "score": rating.score},
    )
    return rectification


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYear:
    year: int
    overrides: list[CalendarOverride]
    # This year, next year and the one shown, when nobody has entered their make-up working days.
    years_without_makeup: list[int]
    editable: bool  # only a city-level supervisor changes the calendar


def calendar_year(*, session: Session, actor: User, year: int) -> CalendarYear:
    require_role(actor, Role.SUPERVISOR)
    calendar = load_calendar(session=session)
    this_year = clock.china_today().year
    watched = sorted({this_year, this_year + 1, year})
    return CalendarYear(
        year,
        list_overrides(session=session, year=year),
        [y for y in watched if not calendar.year_has_makeup_data(y)],
        may_edit_calendar(actor),
    )
