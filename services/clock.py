"""The one place the application asks the time.

Journeys replay on a virtual clock, so nothing else calls datetime.now().
Times are timezone-aware UTC; China's calendar date is derived for display,
public numbers and working days.
"""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests and journey replays)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


_clock: SystemClock | FrozenClock = SystemClock()


def use_clock(clock: SystemClock | FrozenClock) -> None:
    global _clock
    _clock = clock


def current_clock() -> SystemClock | FrozenClock:
    return _clock


def now() -> datetime:
    return _clock.now()


def to_china(moment: datetime) -> datetime:
    return moment.astimezone(CHINA)


def china_today() -> date:
    return to_china(now()).date()
