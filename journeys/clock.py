"""The virtual clock a test-mode server runs on, shared by all its workers.

The time lives in one small file (`ClockStore`); every worker reads it at the start
of each request — a stat call, and a read only when the file changed — and pins it
for that request (`VIRTUAL`), so one request sees one moment even while a journey
moves the clock. No time in the file means the system clock.
"""

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.clock import to_china
from services.workdays import WorkingCalendar


class ClockStore:
    """One moment in a file; written atomically, read cheaply."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._seen: tuple | None = None
        self._moment: datetime | None = None
        self._lock = threading.Lock()

    def read(self) -> datetime | None:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        # A rename gives a new inode, so a replaced file is noticed even within one mtime tick.
        seen = (info.st_ino, info.st_mtime_ns, info.st_size)
        with self._lock:
            if seen != self._seen:
                text = self.path.read_text(encoding="ascii").strip()
                self._moment = datetime.fromisoformat(text) if text else None
                self._seen = seen
            return self._moment

    def write(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the virtual clock needs an aware datetime")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(moment.astimezone(UTC).isoformat(), encoding="ascii")
        os.replace(partial, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class PinnedClock:
    """`services.clock`'s clock in test mode: the moment pinned for the current request, else the system's."""

    def __init__(self):
        self._local = threading.local()

    def pin(self, moment: datetime | None) -> None:
        self._local.moment = moment

    def unpin(self) -> None:
        self._local.moment = None

    def now(self) -> datetime:
        moment = getattr(self._local, "moment", None)
        return moment if moment is not None else datetime.now(UTC)


VIRTUAL = PinnedClock()


def advanced(
    moment: datetime,
    calendar: WorkingCalendar,
    *,
    minutes: int = 0,
    hours: int = 0,
    days: int = 0,
    working_days: int = 0,
) -> datetime:
    """`moment` moved on; working days land on the same China time of the n-th working day after it."""
    moved = moment + timedelta(minutes=minutes, hours=hours, days=days)
    if working_days:
        local = to_china(moved)
        target = calendar.add_working_days(local.date(), working_days)
        moved = (local + timedelta(days=(target - local.date()).days)).astimezone(UTC)
    return moved
