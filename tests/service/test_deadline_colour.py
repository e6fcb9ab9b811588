"""The SLA colour: the SQL a query filters and sorts by says what the page says, on the boundary days."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Date, literal
from sqlmodel import select

from services.catalog.model import SlaThreshold, SlaThresholds
from services.deadline_colour import COLOURS, ColourRanges, amber_horizon, colour
from services.workdays import WorkingCalendar

TODAYS = [
    date(2026, 11, 2),  # a Monday
    date(2026, 11, 6),  # a Friday: the weekend comes between
    date(2026, 11, 7),  # a Saturday
    date(2026, 9, 30),  # the eve of the National Day week off
    date(2026, 2, 13),  # before Spring Festival, a make-up Saturday after it
]


def test_the_amber_horizon_is_the_last_deadline_with_at_most_one_working_day_left():
    calendar = WorkingCalendar()
    assert amber_horizon(calendar, date(2026, 11, 2)) == date(2026, 11, 3)  # Monday: due Tuesday is amber
    assert amber_horizon(calendar, date(2026, 11, 6)) == date(2026, 11, 9)  # Friday: the weekend, then Monday


def test_a_deadline_two_working_days_off_is_green_and_a_past_one_red():
    calendar = WorkingCalendar()
    monday = date(2026, 11, 2)
    assert colour(calendar, monday, date(2026, 11, 4)) == "green"
    assert colour(calendar, monday, monday) == "amber"
    assert colour(calendar, monday, monday - timedelta(days=1)) == "red"


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_the_database_colours_every_deadline_near_today_as_python_does(session, today):
    calendar = WorkingCalendar()
    ranges = ColourRanges(calendar, today)
    deadlines = [today + timedelta(days=offset) for offset in range(-3, 12)]
    for deadline in deadlines:
        column = literal(deadline, Date)
        expected = colour(calendar, today, deadline)
        in_sql = session.exec(select(ranges.case(column))).one()
        matches = {name for name in COLOURS if session.exec(select(ranges.is_(column, name))).one()}
        assert (in_sql, matches) == (expected, {expected}), deadline
    # Every colour shows up around these days, so each boundary was crossed.
    assert {colour(calendar, today, deadline) for deadline in deadlines} == set(COLOURS)


def test_red_and_amber_together_are_everything_up_to_the_horizon(session):
    today = date(2026, 11, 6)
    ranges = ColourRanges(WorkingCalendar(), today)
    late = [
        offset
        for offset in range(-3, 8)
        if session.exec(select(ranges.is_(literal(today + timedelta(days=offset), Date), "red", "amber"))).one()
    ]
    assert late == list(range(-3, 4))  # up to Monday the 9th


def test_colours_that_are_not_neighbours_are_refused():
    with pytest.raises(ValueError):
        ColourRanges(WorkingCalendar(), date(2026, 11, 6)).is_(literal(date(2026, 11, 6), Date), "red", "green")


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_a_code_with_its_own_amber_start_is_coloured_alike_in_sql_and_python(session, today):
    calendar = WorkingCalendar()
    thresholds = SlaThresholds(
        SlaThreshold(amber_working_days=1, escalate_after_working_days=3),
        {"LONG": SlaThreshold(amber_working_days=4, escalate_after_working_days=3)},
    )
    ranges = ColourRanges(calendar, today, thresholds)
    for code in ("LONG", "OTHER"):
        code_column = literal(code)
        for deadline in [today + timedelta(days=offset) for offset in range(-3, 14)]:
            column = literal(deadline, Date)
            expected = ranges.of(deadline, code)
            in_sql = session.exec(select(ranges.case(column, code_column))).one()
            matches = {
                name
                for name in COLOURS
                if session.exec(select(ranges.is_(column, name, code_column=code_column))).one()
            }
            assert (in_sql, matches) == (expected, {expected}), (code, deadline)
    # Four working days ahead is amber for the long item and green for any other.
    four_ahead = calendar.add_working_days(today, 4)
    assert (ranges.of(four_ahead, "LONG"), ranges.of(four_ahead, "OTHER")) == ("amber", "green")
