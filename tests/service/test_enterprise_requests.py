"""Enterprise requests (企呼我应) on a real database: raise, triage, answer, reopen once, rate, withdraw."""

from datetime import date

import pytest
from sqlmodel import select

from services.audit_check import verify_chains
from services.enterprise import handling, office, raising
from services.enterprise.queries import request_detail
from services.enterprise.raising import UploadedFile
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import (
    EnterpriseRequest,
    EnterpriseRequestStatus,
    EnterpriseTaskRole,
    EnterpriseTaskStatus,
    Rating,
    Rectification,
    RequestAttachment,
    Role,
)
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.conftest import EXE, PDF, PNG
from tests.factories import make_application, make_citizen, make_company, make_staff
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

R = EnterpriseRequestStatus
T = EnterpriseTaskStatus
DESCRIPTION = "园区用电增容申请迟迟没有进展，请协调。"


@pytest.fixture
def staff(session):
    return request_staff(session)


# --- raising -------------------------------------------------------------------------------


def test_a_firm_raises_a_request_with_a_public_number_a_promised_day_and_a_triage_task(session, catalog, store, frozen):
    firm, request = raised_request(
        session,
        catalog,
        store,
        category="approval_stuck",
        files=[UploadedFile("申请材料.pdf", PDF), UploadedFile("现场.png", PNG)],
    )
    request = reloaded_request(session, request)
    assert request.status == R.TRIAGE
    assert request.number.startswith("QH-20261102-") and len(request.number) == len("QH-20261102-000001")
    assert request.deadline == date(2026, 11, 5)  # approval stuck: three working days from Monday 2 November
    (triage,) = request_tasks(session, request)[EnterpriseTaskRole.TRIAGE]
    assert (triage.department, triage.status, triage.deadline) == (OFFICE_DEPARTMENT, T.READY, date(2026, 11, 3))
    files = session.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id)).all()
    assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
    assert all(store.path(f.storage_name).exists() for f in files)
    assert any(request.number in str(m.params) for m in in_app_messages(session, firm))
    assert request_events(session, request) == ["enterprise_request.raise", "enterprise_task.unblock"]
    assert verify_chains(session=session).ok


def test_every_mistake_in_a_request_is_named_by_its_field_and_nothing_is_kept(session, catalog, store):
    firm = make_company(session)
    with pytest.raises(Invalid) as refused:
        raising.raise_request(
            session=session,
            actor=firm,
            catalog=catalog,
            store=store,
            category="lottery",
            description="   ",
            concerns_number="ZJ-20261101-000001",
            concerns_department="NOWHERE",
            files=[UploadedFile("setup.exe", EXE)],
        )
    assert set(refused.value.errors) == {
        "category",
        "description",
        "concerns_number",
        "concerns_department",
        "attachments",
    }
    assert "PDF, JPEG or PNG" in str(refused.value.errors["attachments"])
    assert session.exec(select(EnterpriseRequest)).all() == []
    assert session.exec(select(RequestAttachment)).all() == []
    assert not store.root.exists() or not any(store.root.iterdir())


def test_a_request_may_name_one_of_the_firms_own_applications_only(session, catalog, store):
    firm, other = make_company(session), make_company(session)
    make_application(session, firm, "330100-AMR-001", number="ZJ-20261101-000007", status="submitted")
    make_application(session, other, "330100-AMR-001", number="ZJ-20261101-000008", status="submitted")
    _, request = raised_request(session, catalog, store, firm=firm, concerns_number="zj-20261101-000007")
    assert reloaded_request(session, request).concerns_number == "ZJ-20261101-000007"
    with pytest.raises(Invalid) as refused:
        raised_request(session, catalog, store, firm=firm, concerns_number="ZJ-20261101-000008")
    assert set(refused.value.errors) == {"concerns_number"}


def test_only_a_company_raises_a_request(session, catalog, store):
    with pytest.raises(NotAllowed):
        raised_request(session, catalog, store, firm=make_citizen(session))


def test_a_request_is_seen_by_its_firm_the_office_and_the_departments_given_a_task_only(session, catalog, store, staff):
    firm, request = routed_request(session, catalog, store, staff)
    for viewer in (firm, staff["office"], staff["supervisor"], staff["URBAN"], staff["NRPB"]):
        assert request_detail(session=session, actor=viewer, key=request.key, catalog=catalog).request.id == request.id
    for outsider in (
        make_company(session),
        make_staff(session, Role.CLERK, "PSB"),
        make_staff(session, Role.FRONT_DESK),
    ):
        with pytest.raises(NotFound):
            request_detail(session=session, actor=outsider, key=request.key, catalog=catalog)


# --- triage and handling -------------------------------------------------------------------


def test_the_office_routes_to_a_lead_and_co_handlers_each_with_a_task_due_with_the_answer(
    session, catalog, store, staff
):
    firm, request = routed_request(session, catalog, store, staff, co_handlers=("NRPB", "HOUSING"))
    tasks = request_tasks(session, request)
    assert request.status == R.IN_PROGRESS and request.lead_department == "URBAN"
    assert [t.status for t in tasks[EnterpriseTaskRole.TRIAGE]] == [T.DONE]
    handlers = tasks[EnterpriseTaskRole.LEAD] + tasks[EnterpriseTaskRole.CO_HANDLER]
    assert [t.department for t in handlers] == ["URBAN", "NRPB", "HOUSING"]
    assert {t.status for t in handlers} == {T.READY} and {t.deadline for t in handlers} == {request.deadline}
    assert any(
        m.template.startswith("Enterprise request %(number)s is in your queue")
        for m in in_app_messages(session, staff["NRPB"])
    )


@pytest.mark.parametrize(
    ("lead", "co_handlers", "field"),
    [("", [], "lead"), ("MOON", [], "lead"), (OFFICE_DEPARTMENT, [], "lead"), ("URBAN", ["URBAN"], "co_handlers")],
)
def test_a_wrong_routing_is_refused_naming_the_field_and_the_request_stays_in_triage(
    session, catalog, store, staff, lead, co_handlers, field
):
    _, request = raised_request(session, catalog, store)
    with pytest.raises(Invalid) as refused:
        office.route_request(
            session=session, actor=staff["office"], key=request.key, catalog=catalog, lead=lead, co_handlers=co_handlers
        )
    assert set(refused.value.errors) == {field}
    assert reloaded_request(session, request).status == R.TRIAGE


def test_only_the_office_triages(session, catalog, store, staff):
    _, request = raised_request(session, catalog, store)
    with pytest.raises(NotAllowed):
        office.route_request(
            session=session, actor=staff["supervisor"], key=request.key, catalog=catalog, lead="URBAN", co_handlers=[]
        )


def test_the_lead_answers_only_after_every_co_handler_gave_its_input(session, catalog, store, staff):
    firm, request = routed_request(session, catalog, store, staff)
    tasks = request_tasks(session, request)
    lead, co = tasks[EnterpriseTaskRole.LEAD][0], tasks[EnterpriseTaskRole.CO_HANDLER][0]
    handling.claim_request_task(session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog)
    with pytest.raises(Conflict, match="co-handling department has not given its input"):
        handling.draft_request_answer(session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog, answer="好")
    handling.claim_request_task(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog)
    with pytest.raises(NotAllowed):  # a co-handler gives input; the answer is the lead's
        handling.draft_request_answer(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog, answer="好")
    with pytest.raises(Invalid) as empty:
        handling.give_request_input(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog, text=" ")
    assert set(empty.value.errors) == {"answer"}
    handling.give_request_input(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog, text="用地已落实。")
    assert any("gave its input" in m.template for m in in_app_messages(session, staff["URBAN"]))
    handling.draft_request_answer(
        session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog, answer="增容已排入本月计划。"
    )
    request = reloaded_request(session, request)
    assert (request.status, request.answer, request.answered_by_id) == (
        R.ANSWERED,
        "增容已排入本月计划。",
        staff["URBAN"].id,
    )
    assert any("增容已排入本月计划" in str(m.params) for m in in_app_messages(session, firm))
    assert request_events(session, request)[-2:] == ["enterprise_task.draft_answer", "enterprise_request.answer"]


def test_the_department_work_lists_show_its_queue_and_what_the_clerk_holds(session, catalog, store, staff):
    _, request = routed_request(session, catalog, store, staff)
    work = handling.request_work(session=session, actor=staff["URBAN"])
    assert [row.request.id for row in work.queue] == [request.id] and work.held == []
    handling.claim_request_task(session=session, actor=staff["URBAN"], key=work.queue[0].task.key, catalog=catalog)
    work = handling.request_work(session=session, actor=staff["URBAN"])
    assert work.queue == [] and [row.request.id for row in work.held] == [request.id]


def test_the_office_may_answer_directly(session, catalog, store, staff, frozen):
    firm, request = raised_request(session, catalog, store)
    office.answer_request_directly(
        session=session, actor=staff["office"], key=request.key, catalog=catalog, answer="请见市政府第12号文。"
    )
    request = reloaded_request(session, request)
    assert (request.status, request.first_answered_on, request.lead_department) == (R.ANSWERED, date(2026, 11, 2), None)
    assert [t.status for t in request_tasks(session, request)[EnterpriseTaskRole.TRIAGE]] == [T.DONE]


# --- the firm's answer ----------------------------------------------------------------------


def test_a_firm_reopens_once_with_a_reason_the_supervisor_answers_again_and_a_second_reopen_is_refused(
    session, catalog, store, staff
):
    firm, request = answered_request(session, catalog, store, staff)
    with pytest.raises(Invalid):
        raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="  ")
    raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="计划时间太晚。")
    request = reloaded_request(session, request)
    assert (request.status, request.reopen_reason) == (R.REOPENED, "计划时间太晚。")
    assert any("reopened by the firm" in m.template for m in in_app_messages(session, staff["supervisor"]))
    with pytest.raises(NotAllowed):  # the second answer is the supervisor's
        office.answer_reopened_request(
            session=session, actor=staff["office"], key=request.key, catalog=catalog, answer="再等等。"
        )
    office.answer_reopened_request(
        session=session, actor=staff["supervisor"], key=request.key, catalog=catalog, answer="已协调提前至下周。"
    )
    assert reloaded_request(session, request).answer == "已协调提前至下周。"
    with pytest.raises(Conflict, match="reopened once already"):
        raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="还是太晚。")
    request = reloaded_request(session, request)
    assert request.status == R.ANSWERED and request.reopen_reason == "计划时间太晚。"
    raising.close_request_unsolved(session=session, actor=firm, key=request.key, catalog=catalog)
    assert reloaded_request(session, request).status == R.UNSOLVED


def test_a_first_answer_is_confirmed_or_reopened_not_closed_unsolved(session, catalog, store, staff):
    firm, request = answered_request(session, catalog, store, staff)
    with pytest.raises(Conflict):
        raising.close_request_unsolved(session=session, actor=firm, key=request.key, catalog=catalog)
    with pytest.raises(NotAllowed):
        raising.confirm_request_solved(session=session, actor=staff["office"], key=request.key, catalog=catalog)
    raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)
    request = reloaded_request(session, request)
    assert request.status == R.SOLVED and request.closed_at is not None


def test_a_poor_rating_asks_each_department_that_handled_it_to_rectify(session, catalog, store, staff):
    firm, request = answered_request(session, catalog, store, staff)
    raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)
    with pytest.raises(Invalid):
        raising.rate_request(session=session, actor=firm, key=request.key, catalog=catalog, score=6)
    raising.rate_request(session=session, actor=firm, key=request.key, catalog=catalog, score=2, comment="太慢")
    rating = session.exec(select(Rating).where(Rating.case_chain == request.chain)).one()
    assert (rating.score, rating.application_id) == (2, None)
    departments = session.exec(select(Rectification.department).where(Rectification.rating_id == rating.id)).all()
    assert sorted(departments) == ["NRPB", "URBAN"]
    with pytest.raises(Conflict):
        raising.rate_request(session=session, actor=firm, key=request.key, catalog=catalog, score=5)


def test_withdrawing_cancels_the_open_tasks(session, catalog, store, staff):
    firm, request = routed_request(session, catalog, store, staff)
    raising.withdraw_request(session=session, actor=firm, key=request.key, catalog=catalog)
    tasks = request_tasks(session, request)
    assert reloaded_request(session, request).status == R.WITHDRAWN
    assert {t.status for t in tasks[EnterpriseTaskRole.LEAD] + tasks[EnterpriseTaskRole.CO_HANDLER]} == {T.CANCELLED}
