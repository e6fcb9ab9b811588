"""What the applicant does to a case: submit, resubmit after a notice, supplement, withdraw, rate.

Each is a status change or an audited action, so each goes through the workflow table.
"""

from sqlmodel import Session

from services.applications.drafts import attach_wallet_certificates, own_application, stamp_identity, store_attachment
from services.audit import caused_events
from services.catalog import Catalog
from services.db import transactional
from services.errors import Conflict, NotFound
from services.i18n import N_
from services.models import Application, ApplicationStatus, Attachment, TaskStatus, User
from services.uploads import FileStore
from services.wallet.sharing import record_certificate_shares
from services.workflow.engine import fire
from services.workflow.shared import tasks_of


def submit_application(*, session: Session, actor: User, key: str, catalog: Catalog) -> Application:
    """One click, one application: a double click, a retry or a second tab get the same one."""
    application = own_application(session, actor, key)
    if application.status != ApplicationStatus.DRAFT and application.number:
        return application
    try:
        _submit(session=session, actor=actor, application=application, catalog=catalog)
    except Conflict:
        session.refresh(application)
        if application.number:
            return application
        raise
    return application


@transactional
def _submit(*, session: Session, actor: User, application: Application, catalog: Catalog) -> None:
    service = catalog.service(application.service_code)
    assert actor.id is not None  # a signed-in account is a stored row
    attached = attach_wallet_certificates(session, application, service, actor.id)
    stamp_identity(application, service, actor)
    # The shares and the submission go into the case's chain together, in one write.
    with caused_events(session):
        record_certificate_shares(session, actor=actor, application=application)
        fire(
            session=session,
            subject=application,
            event="submit",
            actor=actor,
            catalog=catalog,
            given={"attached": attached},
        )


def resubmit_application(*, session: Session, actor: User, key: str, catalog: Catalog) -> Application:
    """Everything the notice listed, fixed in one go; a repeated click changes nothing."""
    application = own_application(session, actor, key)
    if application.status != ApplicationStatus.NEEDS_CORRECTION:
        return application
    try:
        _resubmit(session=session, actor=actor, application=application, catalog=catalog)
    except Conflict:
        session.refresh(application)
        if application.status != ApplicationStatus.NEEDS_CORRECTION:
            return application
        raise
    return application


@transactional
def _resubmit(*, session: Session, actor: User, application: Application, catalog: Catalog) -> None:
    event = "answer_notice" if application.accepted_at else "resubmit"
    stamp_identity(application, catalog.service(application.service_code), actor)
    fire(session=session, subject=application, event=event, actor=actor, catalog=catalog)


@transactional
def withdraw_application(
    *, session: Session, actor: User, key: str, catalog: Catalog, reason: str | None = None
) -> Application:
    application = own_application(session, actor, key)
    fire(session=session, subject=application, event="withdraw", actor=actor, catalog=catalog, reason=reason)
    return application


def supplement_material(
    *,
    session: Session,
    actor: User,
    key: str,
    material_key: str,
    filename: str,
    data: bytes,
    store: FileStore,
    catalog: Catalog,
) -> Attachment:
    """容缺: hand in the material that acceptance tolerated missing; the tasks owing it may then decide."""
    application = own_application(session, actor, key)
    owing = [
        task
        for task in tasks_of(session, application)
        if material_key in task.owed_materials and task.status in TaskStatus.OPEN
    ]
    if not owing:
        raise NotFound(N_("nothing is owed for this material"))

    def settle(session: Session) -> None:
        for task in owing:
            fire(
                session=session,
                subject=task,
                event="supplement",
                actor=actor,
                catalog=catalog,
                case=application,
                given={"material": material_key},
            )

    return store_attachment(
        session=session,
        actor=actor,
        application=application,
        material_key=material_key,
        filename=filename,
        data=data,
        store=store,
        then=settle,
    )


@transactional
def rate_application(
    *, session: Session, actor: User, key: str, catalog: Catalog, score: int, comment: str = ""
) -> Application:
    application = own_application(session, actor, key)
    fire(
        session=session,
        subject=application,
        event="rate",
        actor=actor,
        catalog=catalog,
        given={"score": score, "comment": comment},
    )
    return application
