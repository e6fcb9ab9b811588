"""A department's queue, inbox and archive hold the tasks of every kind of case, each linking to its own page."""

import pytest
from sqlmodel import select

from services.casework import desk
from services.enterprise import handling, office
from services.models import Role, Task
from tests.factories import make_staff
from tests.sample import raised_request, request_staff, submitted

URBAN_ITEM = "330100-URBAN-001"


@pytest.fixture(autouse=True)
def in_english(web):
    web.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def two_kinds(app, db, catalog):
    """An application's task and an enterprise request's lead task, both waiting in urban management's queue."""
    store = app.extensions["file_store"]
    _, application = submitted(db, catalog, store, URBAN_ITEM)
    desk.accept_application(session=db, actor=make_staff(db, Role.FRONT_DESK), key=application.key, catalog=catalog)
    staff = request_staff(db)
    _, request = raised_request(db, catalog, store)
    office.route_request(
        session=db, actor=staff["office"], key=request.key, catalog=catalog, lead="URBAN", co_handlers=[]
    )
    application_task = db.exec(select(Task).where(Task.application_id == application.id)).one()
    request_task = db.exec(select(Task).where(Task.case_kind == "enterprise_request", Task.item_code == "lead")).one()
    return staff["URBAN"], application, application_task, request, request_task


def test_the_queue_lists_both_kinds_with_their_numbers_and_their_own_pages(web, two_kinds):
    clerk, application, application_task, request, request_task = two_kinds
    web.login(clerk.login_name)
    html = web.get("/clerk").get_data(as_text=True)
    assert application.number in html and request.number in html
    assert f'href="/clerk/tasks/{application_task.key}"' in html
    assert f'href="/department/requests/tasks/{request_task.key}"' in html
    assert "Lead answer to an enterprise request" in html


def test_a_claimed_request_task_is_in_the_inbox_and_once_answered_in_the_archive(web, db, catalog, two_kinds):
    clerk, _, _, request, request_task = two_kinds
    handling.claim_request_task(session=db, actor=clerk, key=request_task.key, catalog=catalog)
    web.login(clerk.login_name)
    assert request.number in web.get("/clerk/inbox").get_data(as_text=True)
    assert request.number not in web.get("/clerk").get_data(as_text=True)
    handling.draft_request_answer(
        session=db, actor=clerk, key=request_task.key, catalog=catalog, answer="已协调供电公司，本周内完成增容。"
    )
    assert request.number not in web.get("/clerk/inbox").get_data(as_text=True)
    assert request.number in web.get("/clerk/archive").get_data(as_text=True)
