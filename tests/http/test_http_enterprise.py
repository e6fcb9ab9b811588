"""Enterprise requests (企呼我应) through the Flask test client: each role signs in through the real form, CSRF on."""

import io
import re

import pytest
from sqlmodel import select

from services.models import EnterpriseRequest, Notification, Rating, RequestAttachment, Role, Task
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
from tests.conftest import EXE, PDF, Browser
from tests.factories import make_citizen, make_company, make_staff
from tests.sample import raised_request


@pytest.fixture
def people(db):
    return {
        "firm": make_company(db),
        "office": make_staff(db, Role.CLERK, OFFICE_DEPARTMENT),
        "supervisor": make_staff(db, Role.SUPERVISOR, OFFICE_DEPARTMENT),
        "urban": make_staff(db, Role.CLERK, "URBAN"),
    }


def raise_through_the_form(web, **fields):
    data = {
        "category": "land_utilities",
        "description": "园区用电增容申请迟迟没有进展，请协调。",
        "concerns_number": "",
        "concerns_department": "",
    } | fields
    return web.client.post(
        "/requests/new",
        data={**data, "csrf_token": web.csrf("/requests/new")},
        content_type="multipart/form-data",
    )


def the_request(db) -> EnterpriseRequest:
    db.expire_all()
    return db.exec(select(EnterpriseRequest)).one()


def test_a_firm_raises_a_request_on_the_form_and_follows_it(web, db, people):
    web.login(people["firm"].login_name)
    assert "我的诉求" in web.get("/requests").get_data(as_text=True)
    response = raise_through_the_form(web, attachments=[(io.BytesIO(PDF), "营业执照.pdf")])
    request = the_request(db)
    assert response.status_code == 302 and response.headers["Location"] == f"/requests/{request.key}"
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert request.number in page and "营业执照.pdf" in page and "营商办分办中" in page
    (attached,) = db.exec(select(RequestAttachment)).all()
    download = web.get(f"/requests/files/{attached.key}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert request.number in web.get("/requests").get_data(as_text=True)


def test_the_raise_form_sent_twice_makes_one_request(web, db, people):
    web.login(people["firm"].login_name)
    form = web.get("/requests/new").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', form).group(1)
    first = raise_through_the_form(web, form_token=token)
    second = raise_through_the_form(web, form_token=token)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db.exec(select(EnterpriseRequest)).all()) == 1


def test_a_request_with_mistakes_comes_back_with_every_error_named_and_what_was_typed(web, db, people):
    web.login(people["firm"].login_name)
    response = raise_through_the_form(
        web,
        category="",
        description="用电增容",
        concerns_number="ZJ-20990101-000001",
        attachments=[(io.BytesIO(EXE), "setup.exe")],
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary.*?</div>', html, re.S).group(0)
    assert 'href="#category"' in summary and 'href="#concerns_number"' not in summary  # the form stops at the category
    assert "用电增容" in html and "ZJ-20990101-000001" in html
    response = raise_through_the_form(
        web, concerns_number="ZJ-20990101-000001", attachments=[(io.BytesIO(EXE), "setup.exe")]
    )
    summary = re.search(r'<div class="error-summary.*?</div>', response.get_data(as_text=True), re.S).group(0)
    assert 'href="#concerns_number"' in summary and 'href="#attachments"' in summary
    assert "PDF、JPEG 或 PNG" in summary
    assert db.exec(select(EnterpriseRequest)).all() == []


def test_only_companies_raise_requests(web, db):
    web.login(make_citizen(db).login_name)
    assert web.get("/requests/new").status_code == 403


def test_the_office_routes_the_department_answers_the_firm_reopens_once_and_the_supervisor_answers(
    app, web, other_web, db, people
):
    web.login(people["firm"].login_name)
    raise_through_the_form(web)
    request = the_request(db)

    other_web.login(people["office"].login_name)
    office = other_web.get("/office").get_data(as_text=True)
    assert request.number in office and "待分办" in office
    page = other_web.get(f"/office/requests/{request.key}").get_data(as_text=True)
    assert "分办至主办部门" in page and "直接答复" in page
    refused = other_web.post(f"/office/requests/{request.key}/route", {"lead": ""})
    assert refused.status_code == 422 and "请选择主办部门" in refused.get_data(as_text=True)
    routed = other_web.post(f"/office/requests/{request.key}/route", {"lead": "URBAN"})
    assert routed.status_code == 302 and the_request(db).status == "in_progress"

    clerk = Browser(app.test_client())
    clerk.login(people["urban"].login_name)
    assert clerk.get("/office").status_code == 403  # the office's lists are not another department's
    task = db.exec(select(Task).where(Task.case_id == request.id, Task.item_code == "lead")).one()
    assert request.number in clerk.get("/department/requests").get_data(as_text=True)
    clerk.post(f"/department/requests/tasks/{task.key}/claim")
    page = clerk.get(f"/department/requests/tasks/{task.key}").get_data(as_text=True)
    assert "答复企业" in page and "向主办部门提出协办意见" not in page
    answered = clerk.post(f"/department/requests/tasks/{task.key}/answer", {"answer": "增容已排入本月计划。"})
    assert answered.status_code == 302 and the_request(db).status == "answered"

    page = web.get(f"/requests/{request.key}").get_data(as_text=True)
    assert "增容已排入本月计划。" in page and "答复已解决我的问题" in page
    assert "逾期视为已答复并办结" in page  # the firm is told until when the answer waits for it
    no_reason = web.post(f"/requests/{request.key}/reopen", {"reason": ""})
    assert no_reason.status_code == 422 and the_request(db).status == "answered"
    web.post(f"/requests/{request.key}/reopen", {"reason": "计划时间太晚。"})
    assert the_request(db).status == "reopened"

    supervisor = Browser(app.test_client())
    supervisor.login(people["supervisor"].login_name)
    assert request.number in supervisor.get("/office").get_data(as_text=True)
    supervisor.post(f"/office/requests/{request.key}/answer-again", {"answer": "已协调提前至下周。"})
    assert the_request(db).answer == "已协调提前至下周。"

    page = web.get(f"/requests/{request.key}").get_data(as_text=True)
    assert "督查人员的答复为最终答复" in page and 'action="/requests/' + request.key + '/reopen"' not in page
    second = web.post(f"/requests/{request.key}/reopen", {"reason": "还是太晚。"}, follow_redirects=True)
    assert "该诉求已重新提起过一次" in second.get_data(as_text=True)
    assert the_request(db).status == "answered"
    web.post(f"/requests/{request.key}/confirm")
    web.post(f"/requests/{request.key}/rate", {"score": "5", "comment": "满意"})
    request = the_request(db)
    rating = db.exec(select(Rating).where(Rating.case_chain == request.chain)).one()
    assert (request.status, rating.score, rating.comment) == ("solved", 5, "满意")


def test_one_policy_answer_reaches_every_linked_firm_through_the_pages(app, web, db, people, catalog):
    store = app.extensions["file_store"]
    asked = [raised_request(db, catalog, store, category="talent") for _ in range(2)]
    web.login(people["office"].login_name)
    created = web.post("/office/problems", {"title": "人才公寓申请", "category": "talent"})
    problem_url = created.headers["Location"]
    problem_key = problem_url.rsplit("/", 1)[1]
    for _, request in asked:
        page = web.get(f"/office/requests/{request.key}").get_data(as_text=True)
        assert "人才公寓申请" in page
        web.post(f"/office/requests/{request.key}/link", {"problem": problem_key})
    answered = web.post(
        f"{problem_url}/answer", {"answer": "人才公寓统一申请渠道见人社局通知。"}, follow_redirects=True
    )
    assert "政策答复已送达 2 家企业" in answered.get_data(as_text=True)
    for firm, _ in asked:
        told = db.exec(select(Notification).where(Notification.user_id == firm.id)).all()
        assert any(m.params.get("answer") == "人才公寓统一申请渠道见人社局通知。" for m in told)
