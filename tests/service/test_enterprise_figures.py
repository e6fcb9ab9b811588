"""The figures of 企呼我应 against counts the test keeps itself while it plays the requests through."""

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import select

from services.enterprise import handling, office, raising
from services.enterprise.figures import request_figures
from services.models import EnterpriseTaskRole, Role, Task
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.factories import make_staff
from tests.sample import raised_request


def test_figures_count_by_category_and_department_on_time_first_answer_and_reopened(session, catalog, store, at):
    office_clerk = make_staff(session, Role.CLERK, OFFICE_DEPARTMENT)
    supervisor = make_staff(session, Role.SUPERVISOR, OFFICE_DEPARTMENT)
    urban = make_staff(session, Role.CLERK, "URBAN")
    expected = Counter()
    categories, departments = Counter(), Counter()

    def raise_one(category):
        firm, request = raised_request(session, catalog, store, category=category)
        categories[category] += 1
        expected["raised"] += 1
        return firm, request

    at(2026, 11, 2)
    # Answered by the office on the day, confirmed solved: on time, solved on the first answer.
    firm, request = raise_one("policy_question")
    office.answer_request_directly(
        session=session, actor=office_clerk, key=request.key, catalog=catalog, answer="见文件。"
    )
    raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)
    departments[OFFICE_DEPARTMENT] += 1
    expected.update(answered=1, on_time=1, solved_first=1)

    # Routed to URBAN, answered late (approval stuck: three working days, due 5 November), reopened, answered again.
    firm, request = raise_one("approval_stuck")
    office.route_request(
        session=session, actor=office_clerk, key=request.key, catalog=catalog, lead="URBAN", co_handlers=[]
    )
    departments["URBAN"] += 1
    at(2026, 11, 9)
    session.expire_all()
    lead = session.exec(select(Task).where(Task.case_id == request.id, Task.item_code == EnterpriseTaskRole.LEAD)).one()
    handling.claim_request_task(session=session, actor=urban, key=lead.key, catalog=catalog)
    handling.draft_request_answer(session=session, actor=urban, key=lead.key, catalog=catalog, answer="已推进。")
    raising.reopen_request(session=session, actor=firm, key=request.key, catalog=catalog, reason="没有推进。")
    office.answer_reopened_request(
        session=session, actor=supervisor, key=request.key, catalog=catalog, answer="已办结。"
    )
    raising.confirm_request_solved(session=session, actor=firm, key=request.key, catalog=catalog)
    expected.update(answered=1, reopened=1)

    # Two still in triage, one withdrawn.
    raise_one("export")
    raise_one("export")
    firm, request = raise_one("finance")
    raising.withdraw_request(session=session, actor=firm, key=request.key, catalog=catalog)
    departments[OFFICE_DEPARTMENT] += 3

    figures = request_figures(session=session)
    assert figures.raised == expected["raised"] == 5
    assert figures.by_category == dict(categories)
    assert figures.by_department == dict(departments)
    assert (figures.answered, figures.answered_on_time) == (expected["answered"], expected["on_time"])
    assert (figures.solved_first_answer, figures.reopened) == (expected["solved_first"], expected["reopened"])
    assert figures.share(figures.answered_on_time, figures.answered) == 50.0

    # The period is by the day each was raised: only the ones raised on 9 November count.
    since = datetime(2026, 11, 8, tzinfo=UTC)
    assert request_figures(session=session, since=since).raised == 3
    assert request_figures(session=session, until=since).by_category == {"approval_stuck": 1, "policy_question": 1}
