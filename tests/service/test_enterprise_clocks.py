"""Enterprise requests against the clock: a late triage turns red, a late answer is escalated to the office."""

import pytest

from services.enterprise import office
from services.models import EnterpriseTaskRole
from services.sla import sweep
from tests.sample import (
    answered_request,
    in_app_messages,
    raised_request,
    reloaded_request,
    request_events,
    request_staff,
    request_tasks,
    routed_request,
)


@pytest.fixture
def staff(session):
    return request_staff(session)


def test_a_late_triage_turns_red_and_the_offices_supervisor_is_told(session, catalog, store, staff, at):
    at(2026, 11, 2)
    _, request = raised_request(session, catalog, store)
    at(2026, 11, 4)  # the triage was due on Tuesday 3 November
    sweep(session=session, catalog=catalog)
    (triage,) = request_tasks(session, request)[EnterpriseTaskRole.TRIAGE]
    assert triage.sla_colour == "red"
    assert any(
        m.template.endswith("is overdue: it was due by %(deadline)s.") and m.params["number"] == request.number
        for m in in_app_messages(session, staff["supervisor"])
    )


def test_a_request_past_its_promised_answer_is_escalated_to_the_offices_supervisor_once(
    session, catalog, store, staff, at
):
    at(2026, 11, 2)
    _, late = routed_request(session, catalog, store, staff)  # land and utilities: ten working days, due 16 November
    _, answered = answered_request(session, catalog, store, staff)
    at(2026, 11, 17)
    assert office.escalate_overdue_requests(session=session, catalog=catalog) == 1
    assert office.escalate_overdue_requests(session=session, catalog=catalog) == 0
    assert (
        reloaded_request(session, late).escalated_at is not None
        and reloaded_request(session, answered).escalated_at is None
    )
    told = [
        m
        for m in in_app_messages(session, staff["supervisor"])
        if m.template.startswith("Enterprise request %(number)s is overdue")
    ]
    assert [m.params["number"] for m in told] == [late.number]
    assert request_events(session, late)[-1] == "enterprise_request.escalate"
