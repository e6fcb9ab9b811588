"""Who has an application now and what happens next — the same words for applicant and staff."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from services import clock
from services.catalog.editions import filed_catalog
from services.catalog.model import SlaThresholds
from services.deadline_colour import colour as deadline_colour
from services.i18n import N_
from services.models import Application, Task, TaskStatus, Visit
from services.models import ApplicationStatus as S
from services.workdays import WorkingCalendar, load_calendar
from services.workflow.case_types import case_type_of

# holder: "applicant", "front_desk", "departments" or None once finished.
_STEPS = {
    S.DRAFT: ("applicant", N_("Complete the form and the materials, then submit.")),
    S.SUBMITTED: (
        "front_desk",
        N_(
            "The front desk checks that everything is complete and accepts it, "
            "or sends one notice listing everything missing."
        ),
    ),
    S.NEEDS_CORRECTION: ("applicant", N_("Fix everything the notice lists and resubmit in one go.")),
    S.ACCEPTED: ("departments", N_("The departments review it within the promised working days.")),
    S.IN_REVIEW: ("departments", N_("The departments review it within the promised working days.")),
    S.SUSPENDED: ("departments", N_("A special procedure is under way; the clock is paused until it ends.")),
    S.COMPLETED: (None, N_("Done. The result has been delivered.")),
    S.PARTIALLY_COMPLETED: (None, N_("Done. Some items were approved and some were not; see each decision.")),
    S.REJECTED: (None, N_("Done. The application was not approved; the reason is given below.")),
    S.NOT_ACCEPTED: (None, N_("The front desk did not accept this application; the reason is given below.")),
    S.WITHDRAWN: (None, N_("You withdrew this application.")),
    S.TERMINATED: (None, N_("The case was closed without a decision; the reason is given in the timeline.")),
}


@dataclass(frozen=True)
class Progress:
    holder: str | None
    departments: tuple[str, ...]
    next_step: str
    # The promised decision date, known from acceptance on.
    deadline: date | None = None

    @property
    def finished(self) -> bool:
        return self.holder is None


def progress_of(application: Application, service, tasks: Iterable[Task] | None = None) -> Progress:
    """Given the application's tasks, "who has it" names only the departments still working on it."""
    holder, next_step = _STEPS[application.status]
    departments: tuple[str, ...] = ()
    if holder == "departments":
        if tasks is None:
            departments = tuple(service.departments)
        else:
            departments = tuple(dict.fromkeys(task.department for task in tasks if task.status not in TaskStatus.FINAL))
    deadline = application.deadline if application.accepted_at is not None else None
    return Progress(holder, departments, next_step, deadline)


@dataclass(frozen=True)
class Clock:
    """Where a deadline stands today: a colour ("green", "amber", "red", "paused") and working days left."""

    colour: str
    days_left: int | None


def task_clock(task: Task, calendar: WorkingCalendar, today: date, thresholds: SlaThresholds) -> Clock | None:
    """None once the task is decided or before its clock starts: there is nothing left to count.

    Amber starts where the catalogue's `thresholds` say for the task's item.
    """
    if task.deadline is None or task.status not in case_type_of(task).task_lists.counting:
        return None
    days_left = calendar.remaining_working_days(today, task.deadline)
    if task.paused_since is not None:
        return Clock("paused", days_left)
    return Clock(
        deadline_colour(calendar, today, task.deadline, thresholds.of(task.sla_key).amber_working_days), days_left
    )


def application_clock(application: Application, calendar: WorkingCalendar, today: date) -> Clock | None:
    """The promised deadline of the whole case, from acceptance until it is finished."""
    if application.deadline is None or application.accepted_at is None or application.status in S.FINAL:
        return None
    days_left = calendar.remaining_working_days(today, application.deadline)
    # While the applicant corrects or a special procedure runs, the departments' clocks stand still.
    if application.status in (S.NEEDS_CORRECTION, S.SUSPENDED):
        return Clock("paused", days_left)
    return Clock(deadline_colour(calendar, today, application.deadline), days_left)


@dataclass(frozen=True)
class WhereNow:
    """The block every viewer of a case sees the same way: who has it, what's next, the deadline, visits."""

    progress: Progress
    clock: Clock | None
    visits: list[Visit]
    max_visits: int
    instant: bool
    promised_days: int


def where_now(*, session: Session, application: Application, catalog, tasks: list[Task] | None = None) -> WhereNow:
    service = filed_catalog(catalog, application).service(application.service_code)
    if tasks is None:
        tasks = list(session.exec(select(Task).where(Task.application_id == application.id)))
    visits = list(
        session.exec(select(Visit).where(col(Visit.application_id) == application.id).order_by(col(Visit.at)))
    )
    calendar = load_calendar(session=session)
    return WhereNow(
        progress_of(application, service, tasks),
        application_clock(application, calendar, clock.china_today()),
        visits,
        service.max_visits,
        service.instant,
        service.promised_limit_days,
    )
