"""A deadline's colour (承诺时限 traffic light): one rule, told in Python for a page and in SQL for a query.

`colour` is the rule. The SQL forms are not a second statement of it: they compare
the deadline with the day ranges `colour` gives today (`ColourRanges`), so a list
filtered by colour in the database shows the same colour on its page.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

from sqlalchemy import and_, case, true

from services.workdays import WorkingCalendar

Colour = Literal["red", "amber", "green"]
# In deadline order: a red deadline is earlier than an amber one, an amber one earlier than a green one.
COLOURS: tuple[Colour, ...] = ("red", "amber", "green")
# A deadline with at most this many working days left (today's included) is amber.
AMBER_WORKING_DAYS = 1


def colour(calendar: WorkingCalendar, today: date, deadline: date) -> Colour:
    if deadline < today:
        return "red"
    if calendar.remaining_working_days(today, deadline) <= AMBER_WORKING_DAYS:
        return "amber"
    return "green"


def amber_horizon(calendar: WorkingCalendar, today: date) -> date:
    """The latest deadline that is still amber today; later ones are green, earlier than today red."""
    day = today
    while colour(calendar, today, day + timedelta(days=1)) != "green":
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class ColourRanges:
    """Today's colour of a deadline column as SQL, from the day ranges `colour` gives."""

    calendar: WorkingCalendar
    today: date

    @cached_property
    def _ranges(self) -> dict[Colour, tuple[date | None, date | None]]:
        """Each colour's first and last deadline (None: unbounded)."""
        horizon = amber_horizon(self.calendar, self.today)
        return {
            "red": (None, self.today - timedelta(days=1)),
            "amber": (self.today, horizon),
            "green": (horizon + timedelta(days=1), None),
        }

    def of(self, deadline: date) -> Colour:
        return colour(self.calendar, self.today, deadline)

    def is_(self, deadline_column, *colours: Colour):
        """The deadline has one of `colours`, which must be neighbours (red and amber, not red and green):
        a single range, so the query reads one stretch of a deadline index."""
        wanted = sorted(COLOURS.index(c) for c in colours)
        if wanted != list(range(wanted[0], wanted[-1] + 1)):
            raise ValueError(f"not neighbouring colours: {colours}")
        first = self._ranges[COLOURS[wanted[0]]][0]
        last = self._ranges[COLOURS[wanted[-1]]][1]
        bounds = ([deadline_column >= first] if first else []) + ([deadline_column <= last] if last else [])
        return and_(*bounds) if bounds else true()

    def case(self, deadline_column):
        """The colour itself, per row."""
        return case(
            (self.is_(deadline_column, "red"), "red"), (self.is_(deadline_column, "amber"), "amber"), else_="green"
        )
