"""Common problems (企呼我应): one policy answer reaches every firm that asked, audited in each case."""

import pytest
from sqlmodel import col, select

from services.audit_check import verify_chains
from services.enterprise import office, problems, raising
from services.errors import Conflict, Invalid, NotAllowed
from services.models import AuditEvent, EnterpriseRequest, EnterpriseRequestStatus, Notification, Role, Task
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.factories import make_staff
from tests.sample import raised_request

R = EnterpriseRequestStatus


@pytest.fixture
def clerk(session):
    return make_staff(session, Role.CLERK, OFFICE_DEPARTMENT)


def answers_in_inbox(session, firm) -> list[str]:
    found = session.exec(
        select(Notification).where(Notification.user_id == firm.id, Notification.channel == "in_app")
    ).all()
    return [m.params["answer"] for m in found if "answer" in m.params]


def test_one_policy_answer_reaches_every_firm_linked_to_the_problem(session, catalog, store, clerk):
    problem = problems.create_common_problem(
        session=session, actor=clerk, catalog=catalog, title="园区用电增容", category="land_utilities"
    )
    asked = [raised_request(session, catalog, store, category="land_utilities") for _ in range(3)]
    office.route_request(
        session=session, actor=clerk, key=asked[1][1].key, catalog=catalog, lead="URBAN", co_handlers=[]
    )
    for _, request in asked[:2]:
        problems.link_request_to_problem(
            session=session, actor=clerk, key=request.key, problem_key=problem.key, catalog=catalog
        )
    answered = problems.answer_common_problem(
        session=session, actor=clerk, problem_key=problem.key, catalog=catalog, answer="统一增容方案见市发改委通知。"
    )
    assert answered == 2
    session.expire_all()
    for firm, request in asked[:2]:
        request = session.get(EnterpriseRequest, request.id)
        assert (request.status, request.answer) == (R.ANSWERED, "统一增容方案见市发改委通知。")
        assert answers_in_inbox(session, firm) == ["统一增容方案见市发改委通知。"]
        recorded = session.exec(
            select(AuditEvent).where(AuditEvent.chain == request.chain).order_by(col(AuditEvent.position))
        ).all()
        (policy_answer,) = [e for e in recorded if e.event == "enterprise_request.answer_by_policy"]
        assert policy_answer.payload["problem"] == problem.key and policy_answer.actor_id is None
    # The lead's task of the routed one is cancelled: the policy answered it.
    lead = session.exec(select(Task).where(Task.case_id == asked[1][1].id, Task.item_code == "lead")).one()
    assert lead.status == "cancelled"
    unlinked_firm, unlinked = asked[2]
    assert session.get(EnterpriseRequest, unlinked.id).status == R.TRIAGE
    assert answers_in_inbox(session, unlinked_firm) == []
    # Linked after the answer, a request is answered with it at once.
    problems.link_request_to_problem(
        session=session, actor=clerk, key=unlinked.key, problem_key=problem.key, catalog=catalog
    )
    session.expire_all()
    assert session.get(EnterpriseRequest, unlinked.id).status == R.ANSWERED
    assert answers_in_inbox(session, unlinked_firm) == ["统一增容方案见市发改委通知。"]
    rows = problems.common_problems(session=session, actor=clerk)
    assert [(row.problem.key, row.requests) for row in rows] == [(problem.key, 3)]
    assert verify_chains(session=session).ok


def test_a_problem_is_answered_once_and_by_the_office_only(session, catalog, store, clerk):
    problem = problems.create_common_problem(
        session=session, actor=clerk, catalog=catalog, title="出口退税进度", category="export"
    )
    outsider = make_staff(session, Role.CLERK, "TAX")
    with pytest.raises(NotAllowed):
        problems.answer_common_problem(
            session=session, actor=outsider, problem_key=problem.key, catalog=catalog, answer="好"
        )
    with pytest.raises(Invalid) as empty:
        problems.answer_common_problem(
            session=session, actor=clerk, problem_key=problem.key, catalog=catalog, answer=""
        )
    assert set(empty.value.errors) == {"answer"}
    assert (
        problems.answer_common_problem(
            session=session, actor=clerk, problem_key=problem.key, catalog=catalog, answer="见通知。"
        )
        == 0
    )
    with pytest.raises(Conflict):
        problems.answer_common_problem(
            session=session, actor=clerk, problem_key=problem.key, catalog=catalog, answer="再答一次。"
        )


def test_a_request_is_linked_to_one_problem_and_only_while_it_is_being_handled(session, catalog, store, clerk):
    first, second = (
        problems.create_common_problem(session=session, actor=clerk, catalog=catalog, title=t, category="finance")
        for t in ("融资担保", "贷款贴息")
    )
    firm, request = raised_request(session, catalog, store, category="finance")
    problems.link_request_to_problem(
        session=session, actor=clerk, key=request.key, problem_key=first.key, catalog=catalog
    )
    with pytest.raises(Conflict, match="already linked"):
        problems.link_request_to_problem(
            session=session, actor=clerk, key=request.key, problem_key=second.key, catalog=catalog
        )
    raising.withdraw_request(session=session, actor=firm, key=request.key, catalog=catalog)
    _, other = raised_request(session, catalog, store, category="finance")
    office.answer_request_directly(session=session, actor=clerk, key=other.key, catalog=catalog, answer="已答复。")
    with pytest.raises(Conflict):
        problems.link_request_to_problem(
            session=session, actor=clerk, key=other.key, problem_key=second.key, catalog=catalog
        )


def test_a_problem_needs_a_title_and_a_known_category(session, catalog, clerk):
    with pytest.raises(Invalid) as refused:
        problems.create_common_problem(session=session, actor=clerk, catalog=catalog, title=" ", category="weather")
    assert set(refused.value.errors) == {"title", "category"}
