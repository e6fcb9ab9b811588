"""What an applicant follows after submitting: each item's progress, the notice, owed materials, visits,
the rating and its rectification, and the in-app messages about it.

Read-only. Each table is read once per view, however many items a bundle has.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from services import clock
from services.applications.drafts import own_application
from services.applications.progress import Clock, WhereNow, task_clock, where_now
from services.applications.queries import ApplicationDetail, application_detail
from services.catalog import Catalog, Item, MaterialSpec
from services.catalog.editions import filed_catalog
from services.models import (
    Application,
    ApplicationStatus,
    Certificate,
    Notice,
    Notification,
    Rating,
    Rectification,
    Task,
    User,
)
from services.notifications import inbox
from services.workdays import load_calendar
from services.workflow.case_types import case_types
from services.workflow.engine import available_events


@dataclass(frozen=True)
class TaskView:
    task: Task
    item: Item
    clock: Clock | None
    certificate: Certificate | None
    actions: list[str]


@dataclass(frozen=True)
class OwedMaterial:
    """A material acceptance tolerated missing (容缺), still owed by `due` to the items that wait for it."""

    material: MaterialSpec
    due: date | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class CaseView:
    detail: ApplicationDetail
    where: WhereNow
    tasks: list[TaskView]
    owed: list[OwedMaterial]
    notices: list[Notice]
    rating: Rating | None
    rectifications: list[Rectification]

    @property
    def application(self) -> Application:
        return self.detail.application

    @property
    def open_notice(self) -> Notice | None:
        return next((notice for notice in reversed(self.notices) if notice.answered_at is None), None)


def case_view(*, session: Session, actor: User, key: str, catalog: Catalog) -> CaseView:
    detail = application_detail(session=session, actor=actor, key=key, catalog=catalog)
    application = detail.application
    catalog = filed_catalog(catalog, application)
    service = catalog.service(application.service_code)
    tasks = list(session.exec(select(Task).where(col(Task.application_id) == application.id).order_by(col(Task.id))))
    certificate_ids = [task.certificate_id for task in tasks if task.certificate_id]
    certificates = (
        {row.id: row for row in session.exec(select(Certificate).where(col(Certificate.id).in_(certificate_ids)))}
        if certificate_ids
        else {}
    )
    calendar, today = load_calendar(session=session), clock.china_today()
    task_views = [
        TaskView(
            task,
            catalog.items[task.item_code],
            task_clock(task, calendar, today, catalog.sla),
            certificates.get(task.certificate_id),
            available_events(actor, task, application, catalog),
        )
        for task in tasks
    ]
    rating = session.exec(select(Rating).where(Rating.application_id == application.id)).first()
    rectifications = (
        list(
            session.exec(
                select(Rectification).where(col(Rectification.rating_id) == rating.id).order_by(col(Rectification.id))
            )
        )
        if rating
        else []
    )
    return CaseView(
        detail=detail,
        where=where_now(session=session, application=application, catalog=catalog, tasks=tasks),
        tasks=task_views,
        owed=_owed_materials(service, task_views),
        notices=list(
            session.exec(select(Notice).where(col(Notice.application_id) == application.id).order_by(col(Notice.id)))
        ),
        rating=rating,
        rectifications=rectifications,
    )


def _owed_materials(service, task_views: list[TaskView]) -> list[OwedMaterial]:
    specs = {spec.key: spec for spec in service.materials}
    owed: dict[str, list[TaskView]] = {}
    for view in task_views:
        if "supplement" in view.actions:
            for material_key in view.task.owed_materials:
                owed.setdefault(material_key, []).append(view)
    return [
        OwedMaterial(
            specs[material_key],
            min((v.task.supplement_due for v in views if v.task.supplement_due), default=None),
            tuple(v.item for v in views),
        )
        for material_key, views in owed.items()
    ]


def open_notice_for(*, session: Session, actor: User, key: str) -> Notice | None:
    """The one-time notice the applicant has still to answer, if any."""
    application = own_application(session, actor, key)
    if application.status != ApplicationStatus.NEEDS_CORRECTION:
        return None  # a notice sends a case back for correction; answering it sends the case on
    return session.exec(
        select(Notice)
        .where(col(Notice.application_id) == application.id, col(Notice.answered_at).is_(None))
        .order_by(col(Notice.id).desc())
    ).first()


# --- messages ----------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    notification: Notification
    case_kind: str | None  # the kind of case it is about ("application"…), None for none
    case_key: str | None


def inbox_messages(*, session: Session, user: User) -> list[Message]:
    """The user's sent in-app messages, newest first, with the kind and key of the case each is about."""
    notifications = inbox(session=session, user=user)
    wanted: dict[str, set[int]] = {}
    for n in notifications:
        kind, case_id = _case_of_message(n)
        if kind is not None:
            wanted.setdefault(kind, set()).add(case_id)
    keys: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():  # one query per kind of case on the page
        cases = case_types()[kind].model.__table__  # type: ignore[attr-defined]  # SQLModel sets it
        for case_id, key in session.execute(select(cases.c.id, cases.c.key).where(cases.c.id.in_(ids))):
            keys[kind, case_id] = key
    messages = []
    for n in notifications:
        kind, case_id = _case_of_message(n)
        messages.append(Message(n, kind, keys.get((kind, case_id)) if kind is not None else None))
    return messages


def _case_of_message(notification: Notification) -> tuple[str | None, int]:
    if notification.application_id is not None:
        return Application.CHAIN_KIND, notification.application_id
    if notification.case_chain:
        kind, _, case_id = notification.case_chain.partition(":")
        return kind, int(case_id)
    return None, 0
