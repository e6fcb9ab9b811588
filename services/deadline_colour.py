"""A deadline's colour (承诺时限 traffic light): one rule, told in Python for a page and in SQL for a query.

`colour` is the rule. The SQL forms are not a second statement of it: they compare
the deadline with the day ranges `colour` gives today (`ColourRanges`), so a list
filtered by colour in the database shows the same colour on its page. Where amber
starts is catalogue data (services/catalog/sla.py): the city's default, or a task's
item, route or request category's own, so the SQL forms take the task's SLA code (`task_sla_key`) too.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

from sqlalchemy import and_, case, not_, or_, true

from services.catalog.model import SlaThresholds
from services.workdays import WorkingCalendar

Colour = Literal["red", "amber", "green"]
# In deadline order: a red deadline is earlier than an amber one, an amber one earlier than a green one.
COLOURS: tuple[Colour, ...] = ("red", "amber", "green")
# Where the catalogue says nothing: a deadline with at most this many working days left (today's included) is amber.
AMBER_WORKING_DAYS = 1


def colour(calendar: WorkingCalendar, today: date, deadline: date, amber_days: int = AMBER_WORKING_DAYS) -> Colour:
    if deadline < today:
        return "red"
    if calendar.remaining_working_days(today, deadline) <= amber_days:
        return "amber"
    return "green"


def amber_horizon(calendar: WorkingCalendar, today: date, amber_days: int = AMBER_WORKING_DAYS) -> date:
    """The latest deadline that is still amber today; later ones are green, earlier than today red."""
    day = today
    while colour(calendar, today, day + timedelta(days=1), amber_days) != "green":
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class ColourRanges:
    """Today's colour of a deadline column as SQL, from the day ranges `colour` gives."""

    calendar: WorkingCalendar
    today: date
    thresholds: SlaThresholds = SlaThresholds()

    @cached_property
    def _amber_days(self) -> dict[int, list[str]]:
        """The codes whose amber starts elsewhere than the default's, by their amber working days."""
        days: dict[int, list[str]] = {}
        for code, threshold in sorted(self.thresholds.by_code.items()):
            if threshold.amber_working_days != self.thresholds.default.amber_working_days:
                days.setdefault(threshold.amber_working_days, []).append(code)
        return days

    def _ranges(self, amber_days: int) -> dict[Colour, tuple[date | None, date | None]]:
        """Each colour's first and last deadline (None: unbounded)."""
        horizon = amber_horizon(self.calendar, self.today, amber_days)
        return {
            "red": (None, self.today - timedelta(days=1)),
            "amber": (self.today, horizon),
            "green": (horizon + timedelta(days=1), None),
        }

    def of(self, deadline: date, code: str | None = None) -> Colour:
        """The colour of a deadline; of a task's, given its SLA code (`Task.sla_key`), by that code's threshold."""
        threshold = self.thresholds.default if code is None else self.thresholds.of(code)
        return colour(self.calendar, self.today, deadline, threshold.amber_working_days)

    def is_(self, deadline_column, *colours: Colour, code_column=None):
        """The deadline has one of `colours`, which must be neighbours (red and amber, not red and green):
        a single range per threshold, so the query reads few stretches of a deadline index.

        With `code_column` (`task_sla_key()`) each code's own amber start counts; without, the default's.
        """
        wanted = sorted(COLOURS.index(c) for c in colours)
        if wanted != list(range(wanted[0], wanted[-1] + 1)):
            raise ValueError(f"not neighbouring colours: {colours}")
        default = self._between(deadline_column, wanted, self.thresholds.default.amber_working_days)
        if code_column is None or not self._amber_days:
            return default
        others = [code for codes in self._amber_days.values() for code in codes]
        return or_(
            and_(not_(code_column.in_(others)), default),
            *(
                and_(code_column.in_(codes), self._between(deadline_column, wanted, days))
                for days, codes in self._amber_days.items()
            ),
        )

    def _between(self, deadline_column, wanted: list[int], amber_days: int):
        ranges = self._ranges(amber_days)
        first = ranges[COLOURS[wanted[0]]][0]
        last = ranges[COLOURS[wanted[-1]]][1]
        bounds = ([deadline_column >= first] if first else []) + ([deadline_column <= last] if last else [])
        return and_(*bounds) if bounds else true()

    def case(self, deadline_column, code_column=None):
        """The colour itself, per row."""
        return case(
            (self.is_(deadline_column, "red", code_column=code_column), "red"),
            (self.is_(deadline_column, "amber", code_column=code_column), "amber"),
            else_="green",
        )
