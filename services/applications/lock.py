"""The case lock: every change to an application or its tasks first takes its row's lock."""

from sqlmodel import Session, select

from services.audit import hold_locked_tip
from services.models import Application


def lock_application(session: Session, where, *, skip_locked: bool = False) -> Application | None:
    """Lock the application matching `where` and read it afresh; None when there is none.

    On PostgreSQL changes to one case then queue up behind its row lock (SQLite lets one writer
    in at a time anyway), so each sees what the change before it left. With `skip_locked` a row
    someone holds reads as None instead of waiting, for a sweep that leaves busy cases to their holder.
    """
    application = session.exec(
        select(Application)
        .where(where)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    ).first()
    if application is not None:
        hold_locked_tip(session, application)
    return application
