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
        # Held in UTC like every stored time, so a value read back compares and hashes equal.
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self._now = moment.astimezone(UTC)


_clock: SystemClock | FrozenClock = SystemClock()


def use_clock(clock: SystemClock | FrozenClock) -> None:
    global _clock
    _clock = clock


def current_clock() -> SystemClock | FrozenClock:
    return _clock


def now() -> datetime:
    return _clock.now()


def to_china(moment: datetime) -> datetime:
    # A naive value is UTC: that is how every time is stored.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def china_today() -> date:
    return to_china(now()).date()


# Sign-in sessions and throttling run on real time: journeys move the business clock by days, and
# that must not sign their people out. Tests swap this one separately.
_wall_clock: SystemClock | FrozenClock = SystemClock()


def use_wall_clock(clock: SystemClock | FrozenClock) -> None:
    global _wall_clock
    _wall_clock = clock


def current_wall_clock() -> SystemClock | FrozenClock:
    return _wall_clock


def wall_now() -> datetime:
    return _wall_clock.now()
