"""Announced working days and days off, kept in the database and read back into the calendar."""

from datetime import UTC, date, datetime

import pytest

from services.errors import Invalid, NotFound
from services.workdays import HOLIDAY, WORKDAY, add_override, list_overrides, load_calendar, remove_override


def test_overrides_round_trip_through_the_database(session):
    add_override(session=session, actor=None, day=date(2027, 1, 2), kind=WORKDAY, note=" 2027 元旦调休 ")
    add_override(session=session, actor=None, day=date(2027, 1, 4), kind=HOLIDAY, note="2027 元旦")
    add_override(session=session, actor=None, day=date(2026, 12, 28), kind=HOLIDAY, note="test")

    calendar = load_calendar(session=session)
    assert calendar.is_working_day(date(2027, 1, 2))
    assert not calendar.is_working_day(date(2027, 1, 4))
    assert calendar.year_has_makeup_data(2027)

    session.expunge_all()
    listed = list_overrides(session=session, year=2027)
    assert [(o.day, o.kind, o.note) for o in listed] == [
        (date(2027, 1, 2), WORKDAY, "2027 元旦调休"),
        (date(2027, 1, 4), HOLIDAY, "2027 元旦"),
    ]
    assert listed[0].created_at.tzinfo is not None
    assert len(list_overrides(session=session)) == 3

    add_override(session=session, actor=None, day=date(2027, 1, 4), kind=HOLIDAY, note="2027 元旦（更正）")
    assert [o.note for o in list_overrides(session=session, year=2027)] == ["2027 元旦调休", "2027 元旦（更正）"]

    remove_override(session=session, actor=None, day=date(2027, 1, 4))
    assert load_calendar(session=session).is_working_day(date(2027, 1, 4))
    with pytest.raises(NotFound):
        remove_override(session=session, actor=None, day=date(2027, 1, 4))


def test_a_calendar_is_built_once_per_set_of_overrides_and_anew_when_they_change(session):
    first = load_calendar(session=session)
    # The same overrides: the same calendar, with the year tables it has filled already.
    assert load_calendar(session=session) is first
    add_override(session=session, actor=None, day=date(2027, 1, 4), kind=HOLIDAY, note="2027 元旦")
    changed = load_calendar(session=session)
    assert changed is not first and not changed.is_working_day(date(2027, 1, 4))
    assert first.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    "day, kind, field",
    [
        (date(2027, 1, 2), "makeup", "kind"),
        (date(2027, 1, 2), HOLIDAY, "day"),  # a Saturday is off already
        (date(2027, 1, 4), WORKDAY, "day"),  # a Monday works already
        (datetime(2027, 1, 2, tzinfo=UTC), WORKDAY, "day"),
    ],
)
def test_add_override_rejects_bad_input(session, day, kind, field):
    with pytest.raises(Invalid) as caught:
        add_override(session=session, actor=None, day=day, kind=kind, note="")
    assert field in caught.value.errors
    assert list_overrides(session=session) == []
