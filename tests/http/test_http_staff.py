"""A supervisor hands on what an absent clerk holds, through the pages, CSRF on."""

import re

import pytest
from flask_login import login_user
from sqlmodel import col, select, update

import web.views.supervisor as web_views_supervisor
from services.casework import desk, tasks
from services.models import Notification, Role, Task, TaskStatus
from tests.factories import make_staff
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"


@pytest.fixture(autouse=True)
def in_english(web):
    web.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def held(app, db, catalog):
    """Two transport tasks claimed by one clerk who is now away, a colleague, and their supervisor."""
    front_desk = make_staff(db, Role.FRONT_DESK)
    keys = []
    away = colleague = None
    for _ in range(2):
        _, application = submitted(db, catalog, app.extensions["file_store"], THREE_DAY_ITEM)
        desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
        task = db.exec(select(Task).where(Task.application_id == application.id)).one()
        away = away or make_staff(db, Role.CLERK, task.department, full_name="请假的张三")
        colleague = colleague or make_staff(db, Role.CLERK, task.department, full_name="同事李四")
        tasks.claim_task(session=db, actor=away, key=task.key, catalog=catalog)
        keys.append(task.key)
    supervisor = make_staff(db, Role.SUPERVISOR, db.exec(select(Task).where(Task.key == keys[0])).one().department)
    return supervisor, away, colleague, keys


def csrf(html: str) -> str:
    """The page's CSRF token (each form is prefixed: its task's key, or "all" for everything)."""
    return re.search(r'name="[^"]*csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_staff_page_lists_each_clerk_with_what_they_hold(web, held):
    supervisor, away, colleague, _ = held
    web.login(supervisor.login_name)
    html = web.get("/supervisor/staff").get_data(as_text=True)
    row = html[html.index(away.full_name) :]
    assert re.search(r'<td class="text-end">2</td>', row[: row.index("</tr>")])
    assert colleague.full_name in html


def test_one_task_handed_to_a_colleague_and_the_rest_back_to_the_queue(web, db, held):
    supervisor, away, colleague, keys = held
    web.login(supervisor.login_name)
    page = web.get(f"/supervisor/staff/{away.id}").get_data(as_text=True)
    assert page.count("Hand this task on") == 2 and "Back to the department queue" in page
    token = csrf(page)
    handed = web.post(
        f"/supervisor/staff/{away.id}/tasks/{keys[0]}/hand-on",
        {f"{keys[0]}-csrf_token": token, f"{keys[0]}-to": str(colleague.id), f"{keys[0]}-reason": "病假两周"},
    )
    assert handed.status_code == 302
    rest = web.post(
        f"/supervisor/staff/{away.id}/hand-on", {"all-csrf_token": token, "all-to": "queue", "all-reason": "病假两周"}
    )
    assert rest.status_code == 302
    assert "1 task handed on." in web.get(rest.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    first, second = (db.exec(select(Task).where(Task.key == key)).one() for key in keys)
    assert first.assignee_id == colleague.id and first.status == TaskStatus.CLAIMED
    assert second.assignee_id is None and second.status == TaskStatus.READY
    told = [n.params.get("reason") for n in db.exec(select(Notification).where(Notification.user_id == away.id))]
    assert told.count("病假两周") == 2


def test_handing_on_without_a_reason_names_the_field_and_keeps_the_choice(web, db, held):
    supervisor, away, colleague, keys = held
    web.login(supervisor.login_name)
    token = csrf(web.get(f"/supervisor/staff/{away.id}").get_data(as_text=True))
    response = web.post(
        f"/supervisor/staff/{away.id}/tasks/{keys[0]}/hand-on",
        {f"{keys[0]}-csrf_token": token, f"{keys[0]}-to": str(colleague.id), f"{keys[0]}-reason": ""},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say why: the clerks are told." in html
    assert f'<option selected value="{colleague.id}">' in html or f'value="{colleague.id}" selected' in html
    db.expire_all()
    assert db.exec(select(Task).where(Task.key == keys[0])).one().assignee_id == away.id


def test_a_task_key_ending_in_an_underscore_still_names_its_fields_key_dash_field(app, db, held):
    supervisor, away, _colleague, keys = held
    db.exec(update(Task).where(col(Task.key) == keys[0]).values(key="EndsInUnderscore_"))
    db.commit()
    with app.test_request_context():
        login_user(supervisor)
        html = web_views_supervisor._clerk_page(away.id)
    assert 'name="EndsInUnderscore_-to"' in html and 'name="EndsInUnderscore_-reason"' in html


def test_a_suspended_task_can_go_to_a_colleague_but_not_back_to_the_queue(web, db, catalog, held):
    supervisor, away, colleague, keys = held
    tasks.suspend_task(
        session=db, actor=away, key=keys[0], catalog=catalog, procedure="expert_review", reason="需专家评审"
    )
    web.login(supervisor.login_name)
    page = web.get(f"/supervisor/staff/{away.id}").get_data(as_text=True)
    form = page[page.index(f"/tasks/{keys[0]}/hand-on") :]
    form = form[: form.index("</form>")]
    assert "Back to the department queue" not in form and colleague.full_name in form
