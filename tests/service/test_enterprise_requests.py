"""Enterprise requests (企呼我应) on a real database: raise, triage, answer, reopen once, rate, escalate."""

import threading
from datetime import date

import pytest
from sqlmodel import col, select

from services.audit_check import verify_chains
from services.db import new_session
from services.enterprise import handling, office, raising
from services.enterprise.queries import request_detail
from services.enterprise.raising import UploadedFile
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import (
    AuditEvent,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    EnterpriseTaskRole,
    EnterpriseTaskStatus,
    Notification,
    Rating,
    Rectification,
    RequestAttachment,
    Role,
    Task,
    User,
)
from services.sla import sweep
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.conftest import EXE, PDF, PNG
from tests.factories import make_application, make_citizen, make_company, make_staff
from tests.sample import raised_request

R = EnterpriseRequestStatus
T = EnterpriseTaskStatus
DESCRIPTION = "园区用电增容申请迟迟没有进展，请协调。"


@pytest.fixture
def staff(session):
    """One clerk of the office, of two departments, and the office's supervisor."""
    return {
        "office": make_staff(session, Role.CLERK, OFFICE_DEPARTMENT),
        "supervisor": make_staff(session, Role.SUPERVISOR, OFFICE_DEPARTMENT),
        "URBAN": make_staff(session, Role.CLERK, "URBAN"),
        "NRPB": make_staff(session, Role.CLERK, "NRPB"),
    }


def tasks_of(session, request) -> dict[str, list[Task]]:
    session.expire_all()
    found: dict[str, list[Task]] = {}
    for task in session.exec(
        select(Task).where(Task.case_kind == request.CHAIN_KIND, Task.case_id == request.id).order_by(col(Task.id))
    ):
        found.setdefault(task.item_code, []).append(task)
    return found


def reload(session, request) -> EnterpriseRequest:
    session.expire_all()
    return session.get(EnterpriseRequest, request.id)


def inbox(session, user) -> list[Notification]:
    return list(
        session.exec(select(Notification).where(Notification.user_id == user.id, Notification.channel == "in_app"))
    )


def events(session, request) -> list[str]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent.event).where(AuditEvent.chain == request.chain).order_by(col(AuditEvent.position))
        )
    )


def routed(session, catalog, store, staff, co_handlers=("NRPB",)):
    firm, request = raised_request(session, catalog, store, category="land_utilities")
    office.route_request(
        session=session,
        actor=staff["office"],
        key=request.key,
        catalog=catalog,
        lead="URBAN",
        co_handlers=list(co_handlers),
    )
    return firm, reload(session, request)


def answered_by_the_lead(session, catalog, store, staff):
    firm, request = routed(session, catalog, store, staff)
    tasks = tasks_of(session, request)
    co, lead = tasks[EnterpriseTaskRole.CO_HANDLER][0], tasks[EnterpriseTaskRole.LEAD][0]
    handling.claim_request_task(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog)
    handling.give_request_input(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog, text="用地已落实。")
    handling.claim_request_task(session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog)
    handling.draft_request_answer(
        session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog, answer="增容已排入本月计划。"
    )
    return firm, reload(session, request)


# --- raising -------------------------------------------------------------------------------


def test_a_firm_raises_a_request_with_a_public_number_a_promised_day_and_a_triage_task(session, catalog, store, frozen):
    firm, request = raised_request(
        session,
        catalog,
        store,
        category="approval_stuck",
        files=[UploadedFile("申请材料.pdf", PDF), UploadedFile("现场.png", PNG)],
    )
    request = reload(session, request)
    assert request.status == R.TRIAGE
    assert request.number.startswith("QH-20261102-") and len(request.number) == len("QH-20261102-000001")
    assert request.deadline == date(2026, 11, 5)  # approval stuck: three working days from Monday 2 November
    (triage,) = tasks_of(session, request)[EnterpriseTaskRole.TRIAGE]
    assert (triage.department, triage.status, triage.deadline) == (OFFICE_DEPARTMENT, T.READY, date(2026, 11, 3))
    files = session.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id)).all()
    assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
    assert all(store.path(f.storage_name).exists() for f in files)
    assert any(request.number in str(m.params) for m in inbox(session, firm))
    assert events(session, request) == ["enterprise_request.raise", "enterprise_task.unblock"]
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
    assert reload(session, request).concerns_number == "ZJ-20261101-000007"
    with pytest.raises(Invalid) as refused:
        raised_request(session, catalog, store, firm=firm, concerns_number="ZJ-20261101-000008")
    assert set(refused.value.errors) == {"concerns_number"}


def test_the_same_form_sent_twice_or_at_once_makes_one_request(session, engine, catalog, store):
    firm, first = raised_request(session, catalog, store, form_token="form-1", files=[UploadedFile("a.pdf", PDF)])
    _, again = raised_request(
        session, catalog, store, firm=firm, form_token="form-1", files=[UploadedFile("a.pdf", PDF)]
    )
    assert again.id == first.id and again.number == first.number
    together = threading.Barrier(2, timeout=60)
    made: list[str] = []

    def send() -> None:
        with new_session(engine) as own:
            together.wait()
            request = raising.raise_request(
                session=own,
                actor=own.get(User, firm.id),
                catalog=catalog,
                store=store,
                category="finance",
                description=DESCRIPTION,
                form_token="form-2",
            )
            made.append(request.number)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(made) == 2 and made[0] == made[1]
    session.expire_all()
    assert len(session.exec(select(EnterpriseRequest).where(EnterpriseRequest.applicant_id == firm.id)).all()) == 2
    assert len(session.exec(select(RequestAttachment)).all()) == 1 == len(list(store.root.iterdir()))


def test_only_a_company_raises_a_request(session, catalog, store):
    with pytest.raises(NotAllowed):
        raised_request(session, catalog, store, firm=make_citizen(session))


def test_a_request_is_seen_by_its_firm_the_office_and_the_departments_given_a_task_only(session, catalog, store, staff):
    firm, request = routed(session, catalog, store, staff)
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
    firm, request = routed(session, catalog, store, staff, co_handlers=("NRPB", "HOUSING"))
    tasks = tasks_of(session, request)
    assert request.status == R.IN_PROGRESS and request.lead_department == "URBAN"
    assert [t.status for t in tasks[EnterpriseTaskRole.TRIAGE]] == [T.DONE]
    handlers = tasks[EnterpriseTaskRole.LEAD] + tasks[EnterpriseTaskRole.CO_HANDLER]
    assert [t.department for t in handlers] == ["URBAN", "NRPB", "HOUSING"]
    assert {t.status for t in handlers} == {T.READY} and {t.deadline for t in handlers} == {request.deadline}
    assert any(
        m.template.startswith("Enterprise request %(number)s is in your queue") for m in inbox(session, staff["NRPB"])
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
    assert reload(session, request).status == R.TRIAGE


def test_only_the_office_triages(session, catalog, store, staff):
    _, request = raised_request(session, catalog, store)
    with pytest.raises(NotAllowed):
        office.route_request(
            session=session, actor=staff["supervisor"], key=request.key, catalog=catalog, lead="URBAN", co_handlers=[]
        )


def test_the_lead_answers_only_after_every_co_handler_gave_its_input(session, catalog, store, staff):
    firm, request = routed(session, catalog, store, staff)
    tasks = tasks_of(session, request)
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
    assert any("gave its input" in m.template for m in inbox(session, staff["URBAN"]))
    handling.draft_request_answer(
        session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog, answer="增容已排入本月计划。"
    )
    request = reload(session, request)
    assert (request.status, request.answer, request.answered_by_id) == (
        R.ANSWERED,
        "增容已排入本月计划。",
        staff["URBAN"].id,
    )
    assert any("增容已排入本月计划" in str(m.params) for m in inbox(session, firm))
    assert events(session, request)[-2:] == ["enterprise_task.draft_answer", "enterprise_request.answer"]


def test_the_department_work_lists_show_its_queue_and_what_the_clerk_holds(session, catalog, store, staff):
    _, request = routed(session, catalog, store, staff)
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
    request = reload(session, request)
    assert (request.status, request.first_answered_on, request.lead_department) == (R.ANSWERED, date(2026, 11, 2), None)
    assert [t.status for t in tasks_of(session, request)[EnterpriseTaskRole.TRIAGE]] == [T.DONE]


# --- the firm's answer ----------------------------------------------------------------------


def test_a_firm_reopens_once_with_a_reason_the_supervisor_answers_again_and_a_second_reopen_is_refused(
    session, catalog, store, staff
):
    firm, request = answered_by_the_lead(session, catalog, store, staff)
    with pytest.raises(Invalid):
        raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="  ")
    raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="计划时间太晚。")
    request = reload(session, request)
    assert (request.status, request.reopen_reason) == (R.REOPENED, "计划时间太晚。")
    assert any("reopened by the firm" in m.template for m in inbox(session, staff["supervisor"]))
    with pytest.raises(NotAllowed):  # the second answer is the supervisor's
        office.answer_reopened_request(
            session=session, actor=staff["office"], key=request.key, catalog=catalog, answer="再等等。"
        )
    office.answer_reopened_request(
        session=session, actor=staff["supervisor"], key=request.key, catalog=catalog, answer="已协调提前至下周。"
    )
    assert reload(session, request).answer == "已协调提前至下周。"
    with pytest.raises(Conflict, match="reopened once already"):
        raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="还是太晚。")
    request = reload(session, request)
    assert request.status == R.ANSWERED and request.reopen_reason == "计划时间太晚。"
    raising.close_request_unsolved(session=session, actor=firm, key=request.key, catalog=catalog)
    assert reload(session, request).status == R.UNSOLVED


def test_a_first_answer_is_confirmed_or_reopened_not_closed_unsolved(session, catalog, store, staff):
    firm, request = answered_by_the_lead(session, catalog, store, staff)
    with pytest.raises(Conflict):
        raising.close_request_unsolved(session=session, actor=firm, key=request.key, catalog=catalog)
    with pytest.raises(NotAllowed):
        raising.confirm_request_solved(session=session, actor=staff["office"], key=request.key, catalog=catalog)
    raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)
    request = reload(session, request)
    assert request.status == R.SOLVED and request.closed_at is not None


def test_a_poor_rating_asks_each_department_that_handled_it_to_rectify(session, catalog, store, staff):
    firm, request = answered_by_the_lead(session, catalog, store, staff)
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
    firm, request = routed(session, catalog, store, staff)
    raising.withdraw_request(session=session, actor=firm, key=request.key, catalog=catalog)
    tasks = tasks_of(session, request)
    assert reload(session, request).status == R.WITHDRAWN
    assert {t.status for t in tasks[EnterpriseTaskRole.LEAD] + tasks[EnterpriseTaskRole.CO_HANDLER]} == {T.CANCELLED}


# --- clocks ---------------------------------------------------------------------------------


def test_a_late_triage_turns_red_and_the_offices_supervisor_is_told(session, catalog, store, staff, at):
    at(2026, 11, 2)
    _, request = raised_request(session, catalog, store)
    at(2026, 11, 4)  # the triage was due on Tuesday 3 November
    sweep(session=session, catalog=catalog)
    (triage,) = tasks_of(session, request)[EnterpriseTaskRole.TRIAGE]
    assert triage.sla_colour == "red"
    assert any(
        m.template.endswith("is overdue: it was due by %(deadline)s.") and m.params["number"] == request.number
        for m in inbox(session, staff["supervisor"])
    )


def test_a_request_past_its_promised_answer_is_escalated_to_the_offices_supervisor_once(
    session, catalog, store, staff, at
):
    at(2026, 11, 2)
    _, late = routed(session, catalog, store, staff)  # land and utilities: ten working days, due 16 November
    _, answered = answered_by_the_lead(session, catalog, store, staff)
    at(2026, 11, 17)
    assert office.escalate_overdue_requests(session=session, catalog=catalog) == 1
    assert office.escalate_overdue_requests(session=session, catalog=catalog) == 0
    assert reload(session, late).escalated_at is not None and reload(session, answered).escalated_at is None
    told = [
        m
        for m in inbox(session, staff["supervisor"])
        if m.template.startswith("Enterprise request %(number)s is overdue")
    ]
    assert [m.params["number"] for m in told] == [late.number]
    assert events(session, late)[-1] == "enterprise_request.escalate"


# --- races ----------------------------------------------------------------------------------


def test_two_office_clerks_triaging_one_request_at_once_route_it_once(session, engine, catalog, store, staff):
    _, request = raised_request(session, catalog, store)
    second = make_staff(session, Role.CLERK, OFFICE_DEPARTMENT)
    clerks = [staff["office"].id, second.id]
    together = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def triage(clerk_id: int, lead: str) -> None:
        with new_session(engine) as own:
            together.wait()
            try:
                office.route_request(
                    session=own,
                    actor=own.get(User, clerk_id),
                    key=request.key,
                    catalog=catalog,
                    lead=lead,
                    co_handlers=[],
                )
                outcomes.append("routed")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=triage, args=args) for args in zip(clerks, ("URBAN", "NRPB"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["conflict", "routed"]
    tasks = tasks_of(session, request)
    assert len(tasks[EnterpriseTaskRole.LEAD]) == 1 and events(session, request).count("enterprise_request.route") == 1
    assert verify_chains(session=session).ok
