"""Cases the slow path played, kept as templates the fast path clones, and the calendar that moves them.

A clone keeps its template's steps and moves them to another stretch of the year by
working days: a step on the k-th working day after the start stays on the k-th working
day after the new start, so every deadline, pause and promised limit the engine computed
stays exactly right. Moves that would put a weekend step on a working day (or the
reverse), cross the ends of the year, or change where the end of the year cuts a case
still running are not taken.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from seeding.timeline import Timeline
from seeding.values import ROLES, Holder
from services.clock import CHINA, to_china
from services.identity import IdentityError, id_number_birth_date
from services.models import (
    Application,
    Attachment,
    AuditEvent,
    Certificate,
    ExtensionRequest,
    Notice,
    Rating,
    Rectification,
    Task,
    Visit,
)
from services.workdays import WorkingCalendar

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Payload entries that repeat a workflow date (they move with the calendar, not by plain days).
WORKFLOW_PAYLOAD_DATES = ("deadline", "rectification_due")
STAFF_COLUMNS = ("assignee_id", "decided_by_id", "issued_by_id", "recorded_by_id", "requested_by_id", "answered_by_id")
ORGANISATIONS = ("company", "employer")


class WorkdayIndex:
    """Every day from a little before the year to well after it, as (working day index, days after it)."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date):
        self.first, self.last = first, last
        self.days: list[date] = []  # the working days, in order
        self.position: list[tuple[int, int]] = []  # per calendar day: (index of last working day <= it, offset)
        day, index = first, -1
        while day <= last:
            if calendar.is_working_day(day):
                self.days.append(day)
                index += 1
            self.position.append((max(index, 0), (day - self.days[max(index, 0)]).days if self.days else 0))
            day += timedelta(days=1)
        self.midnights = [datetime.combine(d, time(0), tzinfo=CHINA).astimezone(UTC) for d in self.days]
        gaps = [(b - a).days for a, b in zip(self.days, self.days[1:], strict=False)]
        self.gaps = gaps + [1]

    def locate(self, day: date) -> tuple[int, int] | None:
        if not self.first <= day <= self.last or not self.days:
            return None
        return self.position[(day - self.first).days]

    def index_on_or_before(self, day: date) -> int:
        return self.locate(day)[0]


@dataclass
class Template:
    case_index: int
    service_code: str
    holder: Holder
    app: dict
    tables: dict[str, list[dict]]
    wallet: dict[int, dict]
    events: list[dict]
    cut_at: datetime | None
    moments: dict[datetime, tuple[int, int, timedelta]] = field(default_factory=dict)
    dates: dict[date, tuple[int, int]] = field(default_factory=dict)
    start_index: int = 0
    first: datetime | None = None
    last: datetime | None = None
    jitter: tuple[int, int] = (0, 0)
    form_dates: frozenset[str] = frozenset()
    newborn_ids: frozenset[str] = frozenset()
    roles: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    staff_ids: frozenset[int] = frozenset()
    shifts: list[int] | None = None  # the moves that fit, worked out on first use

    @property
    def weekend_positions(self) -> list[tuple[int, int]]:
        return [(w, e) for w, e, _ in self.moments.values() if e] + [(w, e) for w, e in self.dates.values() if e]


_TABLES = {"task": Task, "attachment": Attachment, "notice": Notice, "visit": Visit, "rating": Rating}


def _rows(session: Session, model, *conditions) -> list[dict]:
    return [
        dict(row)
        for row in session.execute(select(model.__table__).where(*conditions).order_by(model.__table__.c.id)).mappings()
    ]


def extract_templates(session: Session, cases, index: WorkdayIndex, timeline: Timeline) -> list[Template]:
    """Every case of the slow path that reached an application, minus the demo accounts' stage-managed ones."""
    templates = []
    for case in cases:
        if case.application_id is None or case.fate.calm:
            continue
        app = _rows(session, Application, Application.id == case.application_id)[0]
        tables = {
            name: _rows(session, model, model.__table__.c.application_id == app["id"])
            for name, model in _TABLES.items()
        }
        task_ids = [t["id"] for t in tables["task"]]
        tables["extensionrequest"] = _rows(session, ExtensionRequest, ExtensionRequest.task_id.in_(task_ids))
        tables["certificate"] = _rows(session, Certificate, Certificate.application_id == app["id"])
        rating_ids = [r["id"] for r in tables["rating"]]
        tables["rectification"] = _rows(session, Rectification, Rectification.rating_id.in_(rating_ids))
        wallet_ids = [a["certificate_id"] for a in tables["attachment"] if a["certificate_id"]]
        wallet = {c["id"]: c for c in _rows(session, Certificate, Certificate.id.in_(wallet_ids))}
        events = _rows(session, AuditEvent, AuditEvent.application_id == app["id"])
        template = Template(case.index, case.service_code, case.holder, app, tables, wallet, events, case.cut_at)
        _index_template(template, index, timeline)
        templates.append(template)
    return templates


def _index_template(t: Template, index: WorkdayIndex, timeline: Timeline) -> None:
    moments, dates, staff = set(), set(), set()
    rows = [t.app, *[row for rows in t.tables.values() for row in rows], *t.events]
    for row in rows:
        for name, value in row.items():
            if isinstance(value, datetime):
                moments.add(value)
            elif isinstance(value, date) and name != "issued_on":
                dates.add(value)
            elif name in STAFF_COLUMNS and value is not None:
                staff.add(value)
    for row in t.tables["certificate"]:
        dates.add(row["issued_on"])
    for event in t.events:
        if event["actor_role"] not in ("citizen", "company", "system") and event["actor_id"]:
            staff.add(event["actor_id"])
        for key in WORKFLOW_PAYLOAD_DATES:
            if isinstance(event["payload"].get(key), str) and ISO_DATE.match(event["payload"][key]):
                dates.add(date.fromisoformat(event["payload"][key]))
    for task in t.tables["task"]:
        if task["suspension"].get("since"):
            dates.add(date.fromisoformat(task["suspension"]["since"]))
    t.staff_ids = frozenset(staff)
    ordered = sorted(moments)
    t.first, t.last = ordered[0], ordered[-1]
    low, high = -45 * 60, 45 * 60
    for moment in ordered + ([t.cut_at] if t.cut_at else []):
        local = to_china(moment)
        w, e = index.locate(local.date())
        t.moments[moment] = (w, e, local - datetime.combine(local.date(), time(0), tzinfo=CHINA))
        opens, closes = _bounds(local, timeline)
        low = max(low, int((opens - local).total_seconds()))
        high = min(high, int((closes - local).total_seconds()))
    t.jitter = (low, high) if low <= high else (0, 0)
    for day in dates:
        located = index.locate(day)
        if located is not None:
            t.dates[day] = located
    t.start_index = t.moments[t.first][0]
    service_fields = t.app["form_data"]
    t.form_dates = frozenset(k for k, v in service_fields.items() if isinstance(v, str) and ISO_DATE.match(v))
    start_day = to_china(t.first).date()
    newborns = set()
    for data in [
        service_fields,
        *[c["data"] for c in t.tables["certificate"]],
        *[c["data"] for c in t.wallet.values()],
    ]:
        for value in data.values():
            if isinstance(value, str) and len(value) == 18 and value[:17].isdigit():
                try:
                    born = id_number_birth_date(value)
                except IdentityError:
                    continue
                if abs((born - start_day).days) <= 400:
                    newborns.add(value)
    t.newborn_ids = frozenset(newborns)
    roles = {}
    for key, value in service_fields.items():
        for suffix, slot in (("_name", 0), ("_id_number", 1)):
            role = key[: -len(suffix)] if key.endswith(suffix) else None
            if role in ROLES or role in ORGANISATIONS:
                pair = list(roles.get(role, (None, None)))
                pair[slot] = value
                roles[role] = tuple(pair)
    t.roles = roles


def _bounds(local: datetime, timeline: Timeline) -> tuple[datetime, datetime]:
    """The stretch of the day a moment may move within: its working period, or waking hours, or the day."""
    day = local.date()

    def at(moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=local.tzinfo)

    if timeline.calendar.is_working_day(day):
        for start, end in timeline.hours:
            if at(start) <= local < at(end):
                return at(start), at(end)
    opens, closes = timeline.online_hours
    if at(opens) <= local < at(closes):
        return at(opens), at(closes)
    return at(time(0)), at(time(23, 59, 59))


@dataclass(frozen=True)
class Move:
    shift: int  # working days
    jitter: timedelta
    days: int  # calendar days the start moved (for dates inside forms and certificates)


def choose_move(t: Template, index: WorkdayIndex, timeline: Timeline, rng: random.Random) -> Move:
    """Where a clone of `t` lands: any stretch of the year whose calendar matches the template's."""
    if t.shifts is None:
        window_first = index.index_on_or_before(timeline.first_day) + 1
        window_last = index.index_on_or_before(timeline.as_of - timedelta(days=1))
        low, high = window_first - t.start_index, window_last - t.moments[t.last][0]
        if t.cut_at is not None:
            low = max(low, index.index_on_or_before(timeline.as_of) - t.moments[t.cut_at][0])
        t.shifts = [shift for shift in range(low, high + 1) if _fits(t, index, timeline, shift)]
    if not t.shifts:  # nowhere else fits: where the template itself lies
        return Move(0, timedelta(0), 0)
    shift = rng.choice(t.shifts)
    jitter = timedelta(0)
    if t.jitter != (0, 0):
        jitter = timedelta(seconds=rng.randint(*t.jitter), microseconds=rng.randrange(1_000_000))
    moved = index.days[t.start_index + shift] - index.days[t.start_index]
    return Move(shift, jitter, moved.days)


def _fits(t: Template, index: WorkdayIndex, timeline: Timeline, shift: int) -> bool:
    days = index.days
    for w, e in t.weekend_positions:
        if not 0 <= w + shift < len(days) or e >= index.gaps[w + shift]:
            return False
    for w, _, _ in t.moments.values():
        if not 0 <= w + shift < len(days):
            return False
    first = move_moment(t.moments[t.first], index, shift)
    last = move_moment(t.moments[t.last], index, shift)
    if first < timeline.start or last >= timeline.end:
        return False
    # A case the end of the year cut must still be cut there: its next step may not fall before the end.
    return t.cut_at is None or move_moment(t.moments[t.cut_at], index, shift) >= timeline.end


def move_moment(position: tuple[int, int, timedelta], index: WorkdayIndex, shift: int) -> datetime:
    w, e, offset = position
    return index.midnights[w + shift] + timedelta(days=e) + offset


def move_date(position: tuple[int, int], index: WorkdayIndex, shift: int) -> date:
    w, e = position
    return index.days[w + shift] + timedelta(days=e)
