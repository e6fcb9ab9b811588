"""Enterprise requests against the clock: a late triage turns red, a late answer is escalated to the office."""

import pytest

from services.enterprise import office, raising
from services.errors import Conflict
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


def test_an_answer_the_firm_lets_pass_ten_working_days_closes_the_request_and_the_firm_may_still_rate(
    session, catalog, store, staff, at
):
    at(2026, 11, 2)
    firm, request = answered_request(session, catalog, store, staff)  # answered Monday 2 November
    at(2026, 11, 16)  # the tenth working day after: still the firm's to answer
    assert office.close_unconfirmed_requests(session=session, catalog=catalog) == 0
    at(2026, 11, 17)
    assert office.close_unconfirmed_requests(session=session, catalog=catalog) == 1
    assert office.close_unconfirmed_requests(session=session, catalog=catalog) == 0
    closed = reloaded_request(session, request)
    assert closed.status == "closed_unconfirmed" and closed.closed_at is not None
    assert request_events(session, request)[-1] == "enterprise_request.close_unconfirmed"
    assert any("did not reply" in m.template for m in in_app_messages(session, firm))
    raising.rate_request(session=session, actor=firm, key=request.key, catalog=catalog, score=4, comment="")
    with pytest.raises(Conflict):
        raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)


def test_after_a_reopen_the_reply_window_counts_from_the_second_answer(session, catalog, store, staff, at):
    at(2026, 11, 2)
    firm, request = answered_request(session, catalog, store, staff)
    raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="仍未通电。")
    at(2026, 11, 13)
    office.answer_reopened_request(
        session=session, actor=staff["supervisor"], key=request.key, catalog=catalog, answer="已协调供电局本周通电。"
    )
    at(2026, 11, 17)  # past the first answer's window, within the second's
    assert office.close_unconfirmed_requests(session=session, catalog=catalog) == 0
    assert reloaded_request(session, request).status == "answered"
