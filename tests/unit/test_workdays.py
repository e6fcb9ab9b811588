from datetime import date, timedelta

import pytest

from services.deadline_colour import colour as deadline_colour
from services.workdays import HOLIDAY, WORKDAY, WorkingCalendar

MAKEUP_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar({})


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_2026_has_248_working_days(calendar):
    assert sum(calendar.is_working_day(d) for d in days(date(2026, 1, 1), date(2026, 12, 31))) == 248
    assert calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_makeup_weekend_days_are_working_days(calendar, day):
    assert day.weekday() >= 5
    assert calendar.is_working_day(day)


def test_golden_weeks_are_off_as_the_notice_says(calendar):
    # 2026 notice: Spring Festival 2-15..2-23 and National Day 10-1..10-7 off, bridges included.
    for day in days(date(2026, 2, 15), date(2026, 2, 23)) + days(date(2026, 10, 1), date(2026, 10, 7)):
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(date(2026, 2, 24))
    assert calendar.is_working_day(date(2026, 10, 8))


def test_three_days_from_the_friday_before_spring_festival(calendar):
    # 02-14 make-up Saturday is day 1, 02-15..02-23 off, 02-24 day 2, 02-25 day 3.
    assert calendar.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)


def test_across_national_day(calendar):
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 10-08 Thu, 10-09 Fri, 10-10 make-up Saturday.
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_into_2027_which_the_library_knows_only_partly(calendar):
    # Assumed for 2027 (no notice yet): the library's 01-01 holiday, plain weekends,
    # no make-up days. 12-31 Thu is day 1, 01-01 to 01-03 off, then 01-04 .. 01-07.
    assert calendar.add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 7)
    assert calendar.working_days_between(date(2026, 12, 30), date(2027, 1, 7)) == 5
    assert not calendar.year_has_makeup_data(2027)
    assert calendar.year_has_makeup_data(2026)


def test_an_announced_2027_makeup_saturday_changes_the_deadline():
    announced = WorkingCalendar({date(2027, 1, 2): WORKDAY})
    assert announced.add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 6)
    assert announced.year_has_makeup_data(2027)


def test_an_announced_day_off_beats_the_library():
    announced = WorkingCalendar({date(2027, 1, 4): HOLIDAY})
    assert announced.add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 8)
    assert not announced.year_has_makeup_data(2027)


def test_unknown_override_kind_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar({date(2027, 1, 2): "half"})


def test_zero_days_is_the_same_day(calendar):
    assert calendar.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)
    assert calendar.add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)


def test_negative_limit_is_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 3, 4), -1)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 2, 13), date(2026, 2, 25), 3),
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday to Monday
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # inside a weekend
        (date(2026, 3, 4), date(2026, 3, 4), 0),
        (date(2026, 12, 30), date(2027, 1, 7), 5),
    ],
)
def test_working_days_between_is_antisymmetric(calendar, start, end, expected):
    assert calendar.working_days_between(start, end) == expected
    assert calendar.working_days_between(end, start) == -expected


def test_next_working_day(calendar):
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert calendar.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert calendar.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    "today, colour",
    [
        (date(2026, 3, 4), "green"),  # Wednesday: 3 working days left
        (date(2026, 3, 5), "green"),  # Thursday: 2 left
        (date(2026, 3, 6), "amber"),  # Friday: the deadline is the next working day
        (date(2026, 3, 7), "amber"),  # Saturday
        (date(2026, 3, 9), "amber"),  # the deadline itself
        (date(2026, 3, 10), "red"),
    ],
)
def test_colour_around_a_monday_deadline(calendar, today, colour):
    assert deadline_colour(calendar, today, date(2026, 3, 9)) == colour


def test_remaining_working_days(calendar):
    deadline = date(2026, 3, 9)
    assert calendar.remaining_working_days(date(2026, 3, 5), deadline) == 2
    assert calendar.remaining_working_days(deadline, deadline) == 0
    assert calendar.remaining_working_days(date(2026, 3, 10), deadline) == -1
    assert calendar.remaining_working_days(date(2026, 3, 16), deadline) == -5


def test_suspension_moves_the_deadline_by_the_paused_working_days(calendar):
    deadline = calendar.add_working_days(date(2026, 9, 28), 5)
    assert deadline == date(2026, 10, 10)
    # Suspended on 09-29, resumed 10-08: 09-30 and 10-08 were lost.
    paused = calendar.working_days_between(date(2026, 9, 29), date(2026, 10, 8))
    assert paused == 2
    moved = calendar.add_working_days(deadline, paused)
    assert moved == date(2026, 10, 13)
    assert calendar.working_days_between(deadline, moved) == 2
