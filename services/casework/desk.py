"""The front desk (综合受理窗口): accept, one-time notice, refuse, visits, deliveries."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from services import clock
from services.applications.progress import WhereNow, where_now
from services.applications.queries import ApplicationDetail, application_detail, get_application
from services.casework.tasks import lock_task_case
from services.catalog import Catalog, Service
from services.catalog.editions import filed_catalog
from services.db import by_id, referenced, transactional
from services.deadline_colour import Colour, colour
from services.errors import Invalid, Message, NotFound
from services.i18n import N_
from services.models import Application, ApplicationStatus, Notice, Role, Task, TaskStatus, User, Visit
from services.policy import may_view_task, require_role, require_visible
from services.requirements.fields import TooLong
from services.requirements.precheck import Gap, blocking, precheck
from services.workdays import load_calendar
from services.workflow.engine import fire

PAGE_SIZE = 25
# A notice item's reason; the forms cap every reason a clerk or the desk writes at it too.
REASON_MAX_LENGTH = 500
# 行政许可法 art. 32 and 82: accept, or tell everything missing at once, within five working days of receipt.
ACCEPTANCE_WORKING_DAYS = 5


@dataclass(frozen=True)
class QueuePage:
    rows: list[Application]
    next_cursor: str | None
    # Each row's acceptance deadline colour, by application id: the same traffic light as the tasks'.
    colours: dict[int, Colour]


def acceptance_queue(*, session: Session, actor: User, cursor: str | None = None, limit: int = PAGE_SIZE) -> QueuePage:
    """Submitted applications, oldest first (first come, first served)."""
    require_role(actor, Role.FRONT_DESK)
    query = select(Application).where(Application.status == ApplicationStatus.SUBMITTED)
    if cursor:
        moment, _, row_id = cursor.rpartition("_")
        try:
            after, after_id = datetime.fromisoformat(moment), int(row_id)
        except ValueError:
            after = None
        if after is not None and after.tzinfo is not None:
            query = query.where(tuple_(Application.submitted_at, Application.id) > tuple_(after, after_id))
    rows = list(session.exec(query.order_by(col(Application.submitted_at), col(Application.id)).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_submitted = rows[-1].submitted_at
        assert last_submitted is not None  # the queue holds submitted applications
        next_cursor = f"{last_submitted.isoformat()}_{rows[-1].id}"
    calendar, today = load_calendar(session=session), clock.china_today()
    colours = {}
    for row in rows:
        assert row.submitted_at is not None and row.id is not None  # a submitted row has both
        received = clock.to_china(row.submitted_at).date()
        colours[row.id] = colour(calendar, today, calendar.add_working_days(received, ACCEPTANCE_WORKING_DAYS))
    return QueuePage(rows, next_cursor, colours)


def applicants_of(*, session: Session, rows: list[Application]) -> dict[int, User]:
    ids = {row.applicant_id for row in rows}
    return by_id(session.exec(select(User).where(col(User.id).in_(ids)))) if ids else {}


@dataclass(frozen=True)
class CaseFile:
    """Everything the front desk checks on one application."""

    detail: ApplicationDetail
    service: Service
    gaps: list[Gap]
    applicant: User
    notices: list[Notice]
    where: WhereNow
    requests: list[Task]

    @property
    def visits(self) -> list[Visit]:
        return self.where.visits

    @property
    def blocking_gaps(self) -> list[Gap]:
        return blocking(self.gaps)

    @property
    def tolerable_gaps(self) -> list[Gap]:
        return [gap for gap in self.gaps if not gap.blocking]


def case_file(*, session: Session, actor: User, key: str, catalog: Catalog) -> CaseFile:
    require_role(actor, Role.FRONT_DESK)
    detail = application_detail(session=session, actor=actor, key=key, catalog=catalog)
    application = detail.application
    catalog = filed_catalog(catalog, application)
    notices = session.exec(
        select(Notice).where(col(Notice.application_id) == application.id).order_by(col(Notice.id))
    ).all()
    requests = session.exec(
        select(Task).where(col(Task.application_id) == application.id, col(Task.notice_request).is_not(None))
    ).all()
    return CaseFile(
        detail,
        catalog.service(application.service_code),
        precheck(session=session, application=application, catalog=catalog),
        referenced(session, User, application.applicant_id),
        list(notices),
        where_now(session=session, application=application, catalog=catalog),
        list(requests),
    )


@transactional
def accept_application(
    *, session: Session, actor: User, key: str, catalog: Catalog, tolerate: bool = False
) -> Application:
    application = get_application(session=session, actor=actor, key=key, catalog=catalog, for_update=True)
    fire(
        session=session, subject=application, event="accept", actor=actor, catalog=catalog, given={"tolerate": tolerate}
    )
    return application


@dataclass(frozen=True)
class NoticeItem:
    kind: str  # "field" or "material"
    key: str
    reason: str


@transactional
def issue_notice(
    *, session: Session, actor: User, key: str, catalog: Catalog, items: list[NoticeItem], new_fact: str | None = None
) -> Application:
    """One notice listing every gap with a reason for each; frozen once issued."""
    application = get_application(session=session, actor=actor, key=key, catalog=catalog, for_update=True)
    service = filed_catalog(catalog, application).service(application.service_code)
    labels = {("field", f.key): f.label for f in service.fields}
    labels.update({("material", m.key): m.name for m in service.materials})
    frozen: list[dict] = []
    errors: dict[str, Message] = {}
    for item in items:
        label = labels.get((item.kind, item.key))
        if label is None:
            raise NotFound("no such field or material in this service")
        if not item.reason.strip():
            errors[f"reason_{item.key}"] = N_("Say what is missing or wrong.")
        elif len(item.reason.strip()) > REASON_MAX_LENGTH:
            errors[f"reason_{item.key}"] = TooLong(N_("At most %(limit)s characters."), limit=REASON_MAX_LENGTH)
        frozen.append(
            {
                "kind": item.kind,
                "key": item.key,
                "label": {"zh": label.zh, "en": label.en},
                "reason": item.reason.strip(),
            }
        )
    if errors:
        missing = any(not isinstance(error, TooLong) for error in errors.values())
        raise Invalid(N_("every ticked item needs a reason") if missing else next(iter(errors.values())), errors)
    fire(
        session=session,
        subject=application,
        event="issue_notice",
        actor=actor,
        catalog=catalog,
        given={"items": frozen, "new_fact": new_fact},
    )
    return application


@transactional
def refuse_application(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> Application:
    application = get_application(session=session, actor=actor, key=key, catalog=catalog, for_update=True)
    fire(session=session, subject=application, event="refuse", actor=actor, catalog=catalog, reason=reason)
    return application


@transactional
def record_visit(*, session: Session, actor: User, key: str, catalog: Catalog, purpose: str) -> Application:
    application = get_application(session=session, actor=actor, key=key, catalog=catalog, for_update=True)
    fire(session=session, subject=application, event="record_visit", actor=actor, catalog=catalog, reason=purpose)
    return application


def notice_requests(*, session: Session, actor: User) -> list[tuple[Task, Application]]:
    """Tasks whose clerk asked the front desk for a notice, on applications not yet corrected."""
    require_role(actor, Role.FRONT_DESK)
    rows = session.exec(
        select(Task, Application)
        .join(Application, col(Application.id) == Task.application_id)
        .where(
            col(Task.notice_request).is_not(None),
            Task.status == TaskStatus.CLAIMED,
            col(Application.status).in_((ApplicationStatus.ACCEPTED, ApplicationStatus.IN_REVIEW)),
        )
        .order_by(col(Task.updated_at))
    ).all()
    return [(task, application) for task, application in rows]


def awaiting_delivery(*, session: Session, actor: User) -> list[tuple[Task, Application]]:
    """Approved results to post or to hand over at the window."""
    require_role(actor, Role.FRONT_DESK)
    rows = session.exec(
        select(Task, Application)
        .join(Application, col(Application.id) == Task.application_id)
        .where(Task.status == TaskStatus.APPROVED)
        .order_by(col(Task.decided_at))
    ).all()
    return [(task, application) for task, application in rows]


@transactional
def deliver_task(
    *, session: Session, actor: User, task_key: str, catalog: Catalog, tracking_number: str | None = None
) -> Task:
    task, application, applicant = lock_task_case(session, task_key)
    require_visible(task is not None and may_view_task(actor, task), "task")
    assert task is not None  # require_visible refused a missing one
    fire(
        session=session,
        subject=task,
        event="deliver",
        actor=actor,
        catalog=catalog,
        case=application,
        applicant=applicant,
        given={"tracking_number": tracking_number},
    )
    return task
