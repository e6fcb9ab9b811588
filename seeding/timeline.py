"""When things happen: staff in working hours on working days, applicants online, all before today.

The simulation runs every case's script on one frozen clock, always the earliest step
first, so the audit chain and the public numbers follow time as they would in a real
year. A step that would fall on or after the end is dropped: its case stays as it is.
"""

import heapq
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from seeding.settings import Settings
from services.clock import CHINA, FrozenClock, to_china
from services.workdays import WorkingCalendar

Script = Iterator[datetime]


def china_moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=CHINA).astimezone(UTC)


class Timeline:
    def __init__(self, calendar: WorkingCalendar, settings: Settings, as_of: date):
        self.calendar = calendar
        self.as_of = as_of
        self.first_day = as_of - timedelta(days=settings.window_days)
        self.start = china_moment(self.first_day, time(0))
        self.end = china_moment(as_of, time(0))
        self.hours = settings.working_hours
        self.online_hours = settings.online_hours
        self.recent_share = settings.recent_share
        recent, day = [], as_of
        while len(recent) < settings.recent_working_days:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                recent.append(day)
        self.recent_days = recent

    # --- starting points ----------------------------------------------------------------

    def case_start(self, rng: random.Random) -> datetime:
        """Spread over the year, with more in the last weeks so that some cases are still running."""
        if rng.random() < self.recent_share:
            day = rng.choice(self.recent_days)
        else:
            day = self.first_day + timedelta(days=rng.randint(1, (self.as_of - self.first_day).days - 1))
        return self.online_moment(day, rng)

    def online_moment(self, day: date, rng: random.Random) -> datetime:
        opens, closes = self.online_hours
        span = _minutes(closes) - _minutes(opens)
        # Evenings are busier than mornings for people who work.
        minute = _minutes(opens) + int(span * rng.triangular(0, 1, 0.7))
        return china_moment(day, time(minute // 60, minute % 60, rng.randrange(60)))

    def working_moment(self, day: date, rng: random.Random) -> datetime:
        start, end = rng.choice(self.hours)
        minute = rng.randint(_minutes(start), _minutes(end) - 1)
        return china_moment(day, time(minute // 60, minute % 60, rng.randrange(60)))

    # --- moving on ----------------------------------------------------------------------

    def online(self, moment: datetime, rng: random.Random) -> datetime:
        """`moment` if people are awake then, else shortly after they wake up."""
        local = to_china(moment)
        opens, closes = self.online_hours
        if opens <= local.time() < closes:
            return moment
        day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
        return china_moment(day, opens) + timedelta(minutes=rng.randint(0, 120), seconds=rng.randrange(60))

    def staff(self, moment: datetime, rng: random.Random) -> datetime:
        """`moment` if it falls in working hours, else a little after the next opening."""
        local = to_china(moment)
        day, now = local.date(), local.time()
        if self.calendar.is_working_day(day):
            for start, end in self.hours:
                if now < start:
                    return china_moment(day, start) + timedelta(minutes=rng.randint(0, 25), seconds=rng.randrange(60))
                if now < end:
                    return moment
        day = self.calendar.next_working_day(day)
        return china_moment(day, self.hours[0][0]) + timedelta(minutes=rng.randint(0, 40), seconds=rng.randrange(60))

    def after_working_minutes(self, moment: datetime, minutes: float) -> datetime:
        """`minutes` of working time after `moment` (time outside working hours does not count)."""
        local = to_china(moment)
        day, left = local.date(), timedelta(minutes=minutes)
        cursor = local.replace(tzinfo=None)
        while True:
            if self.calendar.is_working_day(day):
                for start, end in self.hours:
                    opens, closes = datetime.combine(day, start), datetime.combine(day, end)
                    if cursor >= closes:
                        continue
                    cursor = max(cursor, opens)
                    if cursor + left <= closes:
                        return (cursor + left).replace(tzinfo=CHINA).astimezone(UTC)
                    left -= closes - cursor
                    cursor = closes
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0))

    def working_minutes_until(self, moment: datetime, end: datetime) -> float:
        """Working time from `moment` to `end`, in minutes (0 if `end` is not later)."""
        local, stop = to_china(moment).replace(tzinfo=None), to_china(end).replace(tzinfo=None)
        total, day = 0.0, local.date()
        while day <= stop.date():
            if self.calendar.is_working_day(day):
                for start, finish in self.hours:
                    opens = max(datetime.combine(day, start), local)
                    closes = min(datetime.combine(day, finish), stop)
                    if closes > opens:
                        total += (closes - opens).total_seconds() / 60
            day += timedelta(days=1)
        return total

    def closing(self, day: date) -> datetime:
        """When the offices close on `day`: the last moment a decision due that day is on time."""
        return china_moment(day, self.hours[-1][1])

    def working_days_later(self, moment: datetime, days: int, rng: random.Random) -> datetime:
        """Some time on the working day `days` working days after `moment`'s day."""
        day = self.calendar.add_working_days(to_china(moment).date(), days)
        return max(self.working_moment(day, rng), moment + timedelta(minutes=1))


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


class Simulation:
    """Runs scripts in time order on the frozen clock; a script yields the moment of its next step."""

    def __init__(self, frozen: FrozenClock, end: datetime, after_step: Callable[[], None] | None = None):
        self.frozen = frozen
        self.end = end
        self.after_step = after_step
        self._queue: list = []
        self._order = count()
        self.steps = 0

    def start(self, script: Script, at: datetime, case) -> None:
        heapq.heappush(self._queue, (at, next(self._order), script, case))

    def run(self, on_step: Callable[[], None] | None = None) -> None:
        while self._queue:
            at, _, script, case = heapq.heappop(self._queue)
            if at >= self.end:
                case.cut_at = at if case.cut_at is None else min(case.cut_at, at)
                script.close()
                continue
            self.frozen.set(at)
            try:
                following = next(script)
            except StopIteration:
                following = None
            except Exception as error:
                raise RuntimeError(f"seeding {case} failed at {at.isoformat()}: {error!r}") from error
            self.steps += 1
            if self.after_step is not None:
                self.after_step()
            if on_step is not None:
                on_step()
            if following is not None:
                if following < at:
                    raise RuntimeError(f"{case} tried to go back in time to {following.isoformat()}")
                heapq.heappush(self._queue, (following, next(self._order), script, case))
