"""Guards and effects named by the transition table."""
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services import clock
from services.errors import Invalid
from services.models import Counter


def nothing_missing(firing) -> None:
    from services.applications.precheck import precheck

    gaps = precheck(session=firing.session, application=firing.application, catalog=firing.catalog)
    if gaps:
        raise Invalid("something is still missing", {gap.key: gap.reason for gap in gaps}, gaps=gaps)


def assign_public_number(firing) -> None:
    today = clock.china_today()
    value = next_counter(firing.session, f"number-{today:%Y%m%d}")
    firing.application.number = f"ZJ-{today:%Y%m%d}-{value:06d}"
    firing.payload["number"] = firing.application.number


def stamp_submitted(firing) -> None:
    firing.application.submitted_at = clock.now()


def stamp_closed(firing) -> None:
    firing.application.closed_at = clock.now()


def next_counter(session, name: str) -> int:
    """Next value of a named sequence; safe under concurrent writers on SQLite and PostgreSQL."""
    bumped = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))
    if bumped.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=1))
        except IntegrityError:
            session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))
    return session.exec(select(Counter.value).where(Counter.name == name)).one()
