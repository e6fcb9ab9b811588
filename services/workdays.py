"""Working-day calendar for promised limits (承诺时限).

China moves weekends around its holidays (调休): a Saturday can be a working day
and a Tuesday a day off. The `holidays` package carries the State Council notices
up to 2026; later years are announced late in the year before, so an administrator
records them as overrides, which win over the library.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate

import holidays
from holidays.constants import PUBLIC
from sqlmodel import Field, Session, SQLModel, col, select

from services import clock
from services.audit import record_event
from services.db import transactional
from services.errors import Invalid, NotFound
from services.models import User
from services.policy import require_city_supervisor

WORKDAY = "workday"
HOLIDAY = "holiday"
KINDS = (WORKDAY, HOLIDAY)
CALENDAR_CHAIN = "calendar"  # the audit chain of the working calendar's changes
NOTE_MAX_LENGTH = 200


class CalendarOverride(SQLModel, table=True):
    """An announced make-up working day or day off the library does not (yet) know."""

    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=10)
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    created_at: datetime = Field(default_factory=clock.now)


@cache
def _library_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days) the library knows for `year`; immutable, so shared."""
    # PUBLIC only: the HALF_DAY category (Women's Day, Youth Day…) is off for some groups, not offices.
    china = holidays.China(years=year, categories=PUBLIC)
    # The library keeps make-up days as `weekend_workdays`, and fills it with the
    # cross-year ones of every year it knows whatever `years` asked for.
    makeup = frozenset(day for day in china.weekend_workdays if day.year == year)
    return frozenset(china), makeup


class WorkingCalendar:
    """Answers working-day questions from the library plus recorded overrides; no database."""

    def __init__(self, overrides: Mapping[date, str] | None = None):
        self._overrides = dict(overrides or {})
        unknown = {kind for kind in self._overrides.values() if kind not in KINDS}
        if unknown:
            raise ValueError(f"unknown override kinds: {sorted(unknown)}")
        # year -> running count of working days, entry i covering 1 January to day i+1.
        self._cumulative: dict[int, tuple[int, ...]] = {}

    def is_working_day(self, day: date) -> bool:
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == WORKDAY
        days_off, makeup = _library_year(day.year)
        if day in makeup:
            return True
        return day not in days_off and day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """Deadline of an n-working-day limit accepted on `start`: day 1 is the first working day after it."""
        if n < 0:
            raise ValueError("a time limit cannot be negative")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        whole_years = sum(self._year_counts(year)[-1] for year in range(start.year, end.year))
        return whole_years + self._count_through(end) - self._count_through(start)

    def remaining_working_days(self, today: date, deadline: date) -> int:
        """0 on the deadline, -k when k working days past it."""
        return self.working_days_between(today, deadline)

    def year_has_makeup_data(self, year: int) -> bool:
        """False for a year whose notice nobody has entered yet, so deadlines there are guesses."""
        if _library_year(year)[1]:
            return True
        return any(day.year == year and kind == WORKDAY for day, kind in self._overrides.items())

    def _count_through(self, day: date) -> int:
        return self._year_counts(day.year)[day.timetuple().tm_yday - 1]

    def _year_counts(self, year: int) -> tuple[int, ...]:
        # Running counts make working_days_between cheap for the thousands of tasks a sweep colours.
        counts = self._cumulative.get(year)
        if counts is None:
            first = date(year, 1, 1)
            length = (date(year + 1, 1, 1) - first).days
            counts = tuple(
                accumulate(int(self.is_working_day(first + timedelta(days=offset))) for offset in range(length))
            )
            self._cumulative[year] = counts
        return counts


def load_calendar(*, session: Session) -> WorkingCalendar:
    # The overrides are read every time (another process may have recorded one); the calendar
    # built from them, and the year tables it fills as it answers, are kept while they are the same.
    overrides = session.exec(select(col(CalendarOverride.day), col(CalendarOverride.kind))).all()
    return _calendar(frozenset((day, kind) for day, kind in overrides))


@lru_cache(maxsize=4)
def _calendar(overrides: frozenset[tuple[date, str]]) -> WorkingCalendar:
    return WorkingCalendar(dict(overrides))


def _require_calendar_keeper(actor: User | None) -> None:
    # None is the operator at the command line (`flask calendar`), who holds the server already.
    if actor is not None:
        require_city_supervisor(actor)


@transactional
def add_override(*, session: Session, actor: User | None, day: date, kind: str, note: str) -> CalendarOverride:
    """Record an announced make-up working day or day off; the same day again replaces it.

    It moves every department's deadlines, so only a city-level supervisor may, and it is audited.
    """
    _require_calendar_keeper(actor)
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = f"Kind must be one of {', '.join(KINDS)}."
    # datetime is a date subclass; a time part would never match a day key.
    if not isinstance(day, date) or isinstance(day, datetime):
        errors["day"] = "Give a calendar date."
    elif kind in KINDS and WorkingCalendar().is_working_day(day) == (kind == WORKDAY):
        # Most likely a mistyped date; an override that changes nothing hides the mistake.
        usual = "a working day" if kind == WORKDAY else "a day off"
        errors["day"] = f"{day.isoformat()} is already {usual} without an override."
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"At most {NOTE_MAX_LENGTH} characters."
    if errors:
        raise Invalid("cannot record the calendar change", errors)
    override = session.get(CalendarOverride, day)
    if override is None:
        override = CalendarOverride(day=day, kind=kind, note=note)
    else:
        override.kind = kind
        override.note = note
    session.add(override)
    # A calendar change belongs to no case: its events make a chain of their own.
    record_event(
        session,
        actor=actor,
        event="calendar.add",
        chain=CALENDAR_CHAIN,
        payload={"day": day.isoformat(), "kind": kind, "note": note},
    )
    return override


@transactional
def remove_override(*, session: Session, actor: User | None, day: date) -> None:
    _require_calendar_keeper(actor)
    override = session.get(CalendarOverride, day)
    if override is None:
        raise NotFound("no calendar change recorded for that day")
    record_event(
        session,
        actor=actor,
        event="calendar.remove",
        chain=CALENDAR_CHAIN,
        payload={"day": day.isoformat(), "kind": override.kind},
    )
    session.delete(override)


def list_overrides(*, session: Session, year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverride).order_by(col(CalendarOverride.day))
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day < date(year + 1, 1, 1))
    return list(session.exec(query).all())
