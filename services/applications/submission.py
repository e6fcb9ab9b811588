"""Submitting and withdrawing: status changes, so they go through the workflow table."""
from sqlmodel import Session

from services.applications.drafts import attach_wallet_certificates, own_application
from services.catalog import Catalog
from services.db import transactional
from services.errors import Conflict
from services.models import Application, ApplicationStatus, User
from services.workflow import fire


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
    attach_wallet_certificates(session, application, catalog.service(application.service_code), actor.id)
    fire(session=session, application=application, event="submit", actor=actor, catalog=catalog)


@transactional
def withdraw_application(
    *, session: Session, actor: User, key: str, catalog: Catalog, reason: str | None = None
) -> Application:
    application = own_application(session, actor, key)
    fire(session=session, application=application, event="withdraw", actor=actor, catalog=catalog, reason=reason)
    return application
