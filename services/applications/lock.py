"""The case lock of an application: every change to it or its tasks first takes its row's lock."""

from sqlmodel import Session

from services.models import Application
from services.workflow.locks import lock_case


def lock_application(session: Session, where, *, skip_locked: bool = False) -> Application | None:
    """Lock the application matching `where` and read it afresh; None when there is none (see `lock_case`)."""
    return lock_case(session, Application, where, skip_locked=skip_locked)
