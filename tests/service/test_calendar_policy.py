"""The working-day calendar is the city's: its services refuse anyone else and audit each change."""

from datetime import date

import pytest
from sqlmodel import select

from services.audit_check import verify_chains
from services.errors import NotAllowed
from services.models import AuditEvent, Role
from services.workdays import WORKDAY, CalendarOverride, add_override, remove_override
from tests.factories import make_staff


@pytest.mark.parametrize("role, department", [(Role.SUPERVISOR, "AMR"), (Role.CLERK, "AMR"), (Role.FRONT_DESK, None)])
def test_the_calendar_services_refuse_anyone_but_a_city_supervisor(session, role, department):
    actor = make_staff(session, role, department)
    with pytest.raises(NotAllowed):
        add_override(session=session, actor=actor, day=date(2040, 2, 18), kind=WORKDAY, note="")
    add_override(
        session=session, actor=make_staff(session, Role.SUPERVISOR), day=date(2040, 2, 18), kind=WORKDAY, note=""
    )
    with pytest.raises(NotAllowed):
        remove_override(session=session, actor=actor, day=date(2040, 2, 18))
    assert session.get(CalendarOverride, date(2040, 2, 18)) is not None


def test_each_calendar_change_leaves_an_audit_event_with_its_author(session):
    city = make_staff(session, Role.SUPERVISOR)
    add_override(session=session, actor=city, day=date(2040, 2, 18), kind=WORKDAY, note="春节调休上班")
    remove_override(session=session, actor=city, day=date(2040, 2, 18))
    events = session.exec(select(AuditEvent).order_by(AuditEvent.position)).all()
    assert [(e.event, e.actor_id, e.application_id) for e in events] == [
        ("calendar.add", city.id, None),
        ("calendar.remove", city.id, None),
    ]
    assert events[0].payload == {"day": "2040-02-18", "kind": WORKDAY, "note": "春节调休上班"}
    assert events[1].payload == {"day": "2040-02-18", "kind": WORKDAY}
    assert verify_chains(session=session).ok
