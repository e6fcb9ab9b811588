"""How a person wants the pages shown, remembered on their account."""

from sqlmodel import Session

from services.db import transactional
from services.errors import NotFound
from services.models import User


@transactional
def set_elder_mode(*, session: Session, user: User, on: bool) -> User:
    """长辈版 on or off for this account; every later sign-in, on any device, shows the pages that way."""
    row = session.get(User, user.id)
    if row is None:
        raise NotFound("no such account")
    row.elder_mode = on
    session.add(row)
    return row
