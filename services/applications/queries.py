"""Read-only views of applications, their materials and the wallet."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, tuple_
from sqlmodel import Session, col, select

from services.applications.lock import lock_application
from services.audit import history
from services.catalog import Catalog
from services.db import by_id
from services.errors import NotFound
from services.models import Application, ApplicationStatus, Attachment, AuditEvent, Certificate, Task, TaskStatus, User
from services.policy import may_view_application
from services.workflow.engine import available_events

PAGE_SIZE = 20
# Accepted, reviewed or paused: a case that may still owe a material tolerated at acceptance (容缺).
RUNNING = (ApplicationStatus.ACCEPTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUSPENDED)


def get_application(
    *, session: Session, actor: User, key: str, catalog: Catalog, for_update: bool = False
) -> Application:
    """With `for_update`, lock the row (PostgreSQL) and read it afresh: a change to the case waits for the
    one before."""
    if for_update:
        application = lock_application(session, Application.key == key)
    else:
        application = session.exec(select(Application).where(Application.key == key)).first()
    if application is None or not may_view_application(actor, application, catalog):
        raise NotFound("no such application")
    return application


@dataclass(frozen=True)
class ApplicationPage:
    rows: list[Application]
    next_cursor: str | None
    counts: dict[str, int]
    # The applicant's move, all of them, above the pages: a notice to answer (待补正) or a material owed.
    needs_action: list[Application] = field(default_factory=list)


def list_applications(
    *, session: Session, actor: User, status: str | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> ApplicationPage:
    """The applicant's own applications, newest first, by keyset so deep pages stay cheap.

    Those waiting for the applicant (`needs_action`) come first, on the first page, oldest first
    (the nearest due date); the pages then list the rest, so none appears twice.
    """
    owes_material = exists().where(
        col(Task.application_id) == col(Application.id),
        col(Task.supplement_due).is_not(None),
        col(Task.status).in_(TaskStatus.OPEN),
    )
    awaiting = or_(
        col(Application.status) == ApplicationStatus.NEEDS_CORRECTION,
        col(Application.status).in_(RUNNING) & owes_material,
    )
    mine = select(Application).where(Application.applicant_id == actor.id)
    if status:
        mine = mine.where(Application.status == status)
    needs_action = (
        []
        if cursor
        else list(session.exec(mine.where(awaiting).order_by(col(Application.updated_at), col(Application.id))))
    )
    query = mine.where(~awaiting)
    if cursor:
        moment, _, row_id = cursor.partition("_")
        try:
            after = (datetime.fromisoformat(moment), int(row_id))
        except ValueError:
            after = None
        if after and after[0].tzinfo is not None:
            query = query.where(tuple_(Application.updated_at, Application.id) < tuple_(*after))
    rows = list(
        session.exec(query.order_by(col(Application.updated_at).desc(), col(Application.id).desc()).limit(limit + 1))
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = f"{last.updated_at.isoformat()}_{last.id}"
    counts = dict(
        session.exec(
            select(Application.status, func.count())
            .where(Application.applicant_id == actor.id)
            .group_by(Application.status)
        ).all()
    )
    return ApplicationPage(rows, next_cursor, counts, needs_action)


@dataclass(frozen=True)
class ApplicationDetail:
    application: Application
    attachments: dict[str, Attachment]
    certificates: dict[int, Certificate]
    events: list[AuditEvent]
    actions: list[str]


def application_detail(*, session: Session, actor: User, key: str, catalog: Catalog) -> ApplicationDetail:
    application = get_application(session=session, actor=actor, key=key, catalog=catalog)
    attachments = {
        row.material_key: row
        for row in session.exec(select(Attachment).where(Attachment.application_id == application.id)).all()
    }
    certificate_ids = [row.certificate_id for row in attachments.values() if row.certificate_id]
    certificates = {}
    if certificate_ids:
        certificates = by_id(session.exec(select(Certificate).where(col(Certificate.id).in_(certificate_ids))))
    return ApplicationDetail(
        application,
        attachments,
        certificates,
        history(session=session, case=application),
        available_events(actor, application, application, catalog),
    )


def get_attachment(*, session: Session, actor: User, key: str, catalog: Catalog) -> Attachment:
    """An uploaded file, only for the applicant and staff allowed to see its case."""
    attachment = session.exec(select(Attachment).where(Attachment.key == key)).first()
    if attachment is None or attachment.source != "upload":
        raise NotFound("no such file")
    application = session.get(Application, attachment.application_id)
    if application is None or not may_view_application(actor, application, catalog):
        raise NotFound("no such file")
    return attachment


def list_certificates(*, session: Session, actor: User) -> list[Certificate]:
    return list(
        session.exec(
            select(Certificate)
            .where(Certificate.owner_id == actor.id)
            .order_by(col(Certificate.issued_on).desc(), col(Certificate.id).desc())
        )
    )
