"""The figures the dashboard shows, and the additive counts (tallies) they are made from.

Both ways of counting — straight from the cases (compute.py) and from the
rollup (read.py) — fill the same tallies, so the rates come out of one piece
of arithmetic. Rates are floats in [0, 1], or None when nothing could be counted.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from services.catalog import Catalog, Item


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    online: float | None  # applied online / submitted (the rest were filed at the front desk: assisted)
    zero_visit: float | None  # finished with no visit / finished
    at_most_once: float | None  # finished with at most one visit / finished (最多跑一次)
    on_time: float | None  # finished (or decided) by the deadline / those with a deadline
    same_day: float | None  # finished (or decided) the day the clock started / finished (or decided)
    time_compression: float | None  # mean of 1 - promised/legal over the items accepted
    notices_per_application: float | None  # notices / accepted applications


@dataclass(frozen=True)
class Breaches:
    second_notices: int
    visits_beyond_promise: int
    overdue_tasks: int  # open past the deadline, or decided after it

    @property
    def total(self) -> int:
        return self.second_notices + self.visits_beyond_promise + self.overdue_tasks


@dataclass(frozen=True)
class CatalogFigures:
    """Zhejiang publishes these: how many items, how many online, how many promise zero visits.

    `online_share` is counted from the cases, not the catalogue: the share of the items someone
    applied for online in the period (an item only ever filed at the front desk does not count).
    """

    items: int
    online_share: float | None
    zero_visit_share: float | None


@dataclass(frozen=True)
class Figures:
    """Overall figures: `count` submitted applications, `by_status` theirs."""

    count: int
    rates: Rates
    breaches: Breaches
    by_status: dict[str, int]


@dataclass(frozen=True)
class DepartmentFigures:
    """A department's figures: `count` tasks, `by_status` task statuses."""

    department: str
    count: int
    rates: Rates
    breaches: Breaches
    by_status: dict[str, int]
    catalog: CatalogFigures


@dataclass(frozen=True)
class Metrics:
    since: date | None
    until: date | None
    department: str | None
    today: date
    catalog: CatalogFigures
    overall: Figures
    departments: list[DepartmentFigures]


def catalog_figures(items: list[Item], applied_online: set[str]) -> CatalogFigures:
    """`applied_online`: the codes of the items with a task of an application made online in the period."""
    online = sum(item.code in applied_online for item in items)
    return CatalogFigures(len(items), rate(online, len(items)), rate(sum(i.max_visits == 0 for i in items), len(items)))


def _compression(counts: Mapping[str, int], catalog: Catalog) -> float | None:
    """Mean of 1 - promised/legal over accepted items, weighted by how often each was asked for."""
    total = weight = 0.0
    # In code order: float sums depend on the order, and both ways of counting must agree to the last bit.
    for code, n in sorted(counts.items()):
        item = catalog.items.get(code)
        if item is None or item.legal_limit_days == 0:
            continue
        total += n * (1 - item.promised_limit_days / item.legal_limit_days)
        weight += n
    return total / weight if weight else None


@dataclass
class Tally:
    """Counts over applications (the overall figures) or over a department's tasks; each adds up over days."""

    count: int = 0  # applications, or tasks
    online: int = 0
    finished: int = 0  # applications finished
    finished_without_visit: int = 0
    finished_at_most_one_visit: int = 0
    on_time_base: int = 0  # finished applications (decided tasks) with a deadline
    on_time: int = 0  # of those, finished (decided) by it
    same_day_base: int = 0  # finished applications (decided tasks)
    same_day: int = 0  # of those, finished (decided) the day the clock started
    notices_base: int = 0  # accepted applications (the applications the department has tasks in)
    notices: int = 0
    second_notices: int = 0
    visits_beyond_promise: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    per_item: Counter[str] = field(default_factory=Counter)  # tasks by item code, for the time compression
    applied_online: set[str] = field(default_factory=set)  # item codes with a task of an online application

    def rates(self, catalog: Catalog) -> Rates:
        return Rates(
            online=rate(self.online, self.count),
            zero_visit=rate(self.finished_without_visit, self.finished),
            at_most_once=rate(self.finished_at_most_one_visit, self.finished),
            on_time=rate(self.on_time, self.on_time_base),
            same_day=rate(self.same_day, self.same_day_base),
            time_compression=_compression(self.per_item, catalog),
            notices_per_application=rate(self.notices, self.notices_base),
        )

    def breaches(self) -> Breaches:
        return Breaches(self.second_notices, self.visits_beyond_promise, self.overdue)


def application_tally(counts: Mapping[str, int], **rest) -> Tally:
    """A tally from counts named as the columns of ApplicationDayCounts."""
    return Tally(
        count=counts["submitted"],
        online=counts["online"],
        finished=counts["finished"],
        finished_without_visit=counts["finished_without_visit"],
        finished_at_most_one_visit=counts["finished_at_most_one_visit"],
        on_time_base=counts["finished_with_deadline"],
        on_time=counts["finished_in_time"],
        same_day_base=counts["finished"],
        same_day=counts["finished_same_day"],
        notices_base=counts["accepted"],
        notices=counts["notices"],
        second_notices=counts["second_notices"],
        visits_beyond_promise=counts["visits_beyond_promise"],
        **rest,
    )


def task_tally(counts: Mapping[str, int], **rest) -> Tally:
    """A tally from counts named as the columns of TaskDayCounts and DepartmentDayCases."""
    return Tally(
        count=counts["tasks"],
        online=counts["online"],
        finished=counts["application_finished"],
        finished_without_visit=counts["application_finished_without_visit"],
        finished_at_most_one_visit=counts["application_finished_at_most_one_visit"],
        on_time_base=counts["decided_with_deadline"],
        on_time=counts["decided_in_time"],
        same_day_base=counts["decided"],
        same_day=counts["decided_same_day"],
        notices_base=counts["applications"],
        notices=counts["notices"],
        second_notices=counts["second_notices"],
        visits_beyond_promise=counts["visits_beyond_promise"],
        **rest,
    )


def shown_departments(catalog: Catalog, department: str | None) -> list[str]:
    """The one department asked for, or all of the catalogue's."""
    return [department] if department else list(catalog.departments)


def assemble(
    *,
    catalog: Catalog,
    since: date | None,
    until: date | None,
    department: str | None,
    today: date,
    overall: Tally,
    by_department: Mapping[str, Tally],
) -> Metrics:
    """The Metrics of the departments shown from their tallies."""
    departments = shown_departments(catalog, department)
    items = [item for item in catalog.items.values() if item.department in departments]
    rows = []
    applied_online = {code for tally in by_department.values() for code in tally.applied_online}
    for code in departments:
        tally = by_department.get(code, Tally())
        rows.append(
            DepartmentFigures(
                code,
                tally.count,
                tally.rates(catalog),
                tally.breaches(),
                tally.by_status,
                catalog=catalog_figures([i for i in items if i.department == code], applied_online),
            )
        )
    return Metrics(
        since=since,
        until=until,
        department=department,
        today=today,
        catalog=catalog_figures(items, applied_online),
        overall=Figures(overall.count, overall.rates(catalog), overall.breaches(), overall.by_status),
        departments=rows,
    )
