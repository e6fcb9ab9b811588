"""Moments and days as the texts the database and the audit hash take, made from integers.

A clone moves a dozen moments and dates; formatting each through datetime objects costs
more than the rest of the clone's values together. Here a moment is whole microseconds
since 1970-01-01 UTC and a day its ordinal, and the texts come from tables: the same
strings datetime.isoformat gives (tests/service/test_seed.py compares them).
"""

from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.date().toordinal()
MICROSECOND = timedelta(microseconds=1)
DAY = 86_400_000_000  # microseconds


def microseconds(moment: datetime | timedelta) -> int:
    """An aware moment as microseconds since 1970 UTC, or a span as microseconds."""
    return (moment - EPOCH if isinstance(moment, datetime) else moment) // MICROSECOND


class Texts:
    def __init__(self, moment_suffix: str = ""):
        self.moment_suffix = moment_suffix  # what the driver needs after a UTC moment ("+00:00" on PostgreSQL)
        self._days: dict[int, str] = {}
        self._clock = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self._thousandths = [f"{n:03d}" for n in range(1000)]

    def day(self, ordinal: int) -> str:
        """date.fromordinal(ordinal).isoformat()"""
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def moment(self, moment: int) -> tuple[str, str]:
        """The moment as the column stores it and as the audit hash has it, worked out together.

        Stored: `isoformat(" ", "microseconds")` of it in UTC, without the zone. Hashed: `isoformat()` of it in
        UTC, as a JSON string.
        """
        day, rest = divmod(moment, DAY)
        second, micro = divmod(rest, 1_000_000)
        on, at = self.day(EPOCH_ORDINAL + day), self._clock[second]
        milli, rest_micro = divmod(micro, 1000)
        fraction = f"{self._thousandths[milli]}{self._thousandths[rest_micro]}"
        return (
            f"{on} {at}.{fraction}{self.moment_suffix}",
            f'"{on}T{at}.{fraction}+00:00"' if micro else f'"{on}T{at}+00:00"',
        )
