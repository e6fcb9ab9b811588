"""The department clerks' pages through the Flask test client (CSRF on, logged in through the form)."""

import pytest
from sqlmodel import select

from services.casework import desk, tasks
from services.models import Application, ApplicationStatus, ExtensionRequest, Role, Task, TaskStatus
from tests.factories import make_staff
from tests.http.test_http_desk import POSTED_ITEM, THREE_DAY_ITEM, TOLERANT_ITEM, log_in
from tests.sample import newborn, submitted


@pytest.fixture
def store(app):
    return app.extensions["file_store"]


@pytest.fixture
def front_desk(db):
    return make_staff(db, Role.FRONT_DESK)


def accepted(db, catalog, store, front_desk, code, **kwargs) -> tuple[Application, Task]:
    _, application = submitted(db, catalog, store, code, **kwargs)
    desk.accept_application(
        session=db, actor=front_desk, key=application.key, catalog=catalog, tolerate=bool(kwargs.get("leave_out"))
    )
    return application, task_of(db, application)


def task_of(db, application, item_code=None) -> Task:
    db.expire_all()
    query = select(Task).where(Task.application_id == application.id)
    if item_code:
        query = query.where(Task.item_code == item_code)
    return db.exec(query).one()


def task_url(task, action=None) -> str:
    return f"/clerk/tasks/{task.key}" + (f"/{action}" if action else "")


def clerk_of(db, department):
    return make_staff(db, Role.CLERK, department)


# --- the lists ----------------------------------------------------------------------------


def test_the_queue_shows_my_departments_ready_tasks_only(web, db, catalog, store, front_desk):
    mine, _ = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    theirs, _ = accepted(db, catalog, store, front_desk, POSTED_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    html = web.get("/clerk").get_data(as_text=True)
    assert mine.number in html and theirs.number not in html
    assert catalog.items[THREE_DAY_ITEM].name.en in html and "On time" in html
    assert 'href="/clerk/inbox"' in html and 'href="/clerk/archive"' in html


def test_an_empty_inbox_links_to_the_department_queue(web, db):
    log_in(web, clerk_of(db, "PSB"))
    inbox = web.get("/clerk/inbox").get_data(as_text=True)
    assert 'You hold no task. <a href="/clerk">Claim one from the department queue</a>' in inbox


def test_only_clerks_may_open_the_lists(web, db):
    log_in(web, make_staff(db, Role.FRONT_DESK))
    for path in ("/clerk", "/clerk/inbox", "/clerk/archive"):
        assert web.get(path).status_code == 403


def test_claim_moves_the_task_to_my_inbox_and_a_colleague_is_told_he_lost(
    web, other_web, db, catalog, store, front_desk
):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    me, colleague = clerk_of(db, "TRANSPORT"), clerk_of(db, "TRANSPORT")
    log_in(web, me)
    log_in(other_web, colleague)
    assert 'action="{}"'.format(task_url(task, "claim")) in other_web.get(task_url(task)).get_data(as_text=True)

    response = web.post(task_url(task, "claim"))
    assert response.status_code == 302 and response.headers["Location"] == task_url(task)
    assert task_of(db, application).assignee_id == me.id
    assert application.number in web.get("/clerk/inbox").get_data(as_text=True)
    assert application.number not in web.get("/clerk").get_data(as_text=True)

    lost = other_web.post(task_url(task, "claim"))
    assert lost.status_code == 302 and lost.headers["Location"] == "/clerk"
    assert "another clerk has already claimed this task" in other_web.get("/clerk").get_data(as_text=True)
    assert task_of(db, application).assignee_id == me.id


def test_a_clerk_of_another_department_gets_404(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "HEALTH"))
    assert web.get(task_url(task)).status_code == 404
    assert web.post(task_url(task, "claim")).status_code == 404
    assert task_of(db, application).status == TaskStatus.READY


def test_approving_puts_the_task_in_my_archive(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    web.post(task_url(task, "claim"))
    html = web.get(task_url(task)).get_data(as_text=True)
    for action in ("approve", "reject", "suspend", "request-notice", "request-extension", "release"):
        assert f'action="{task_url(task, action)}"' in html
    assert f'action="{task_url(task, "claim")}"' not in html and f'action="{task_url(task, "resume")}"' not in html
    response = web.post(task_url(task, "approve"), {"note": "材料齐全"})
    assert response.status_code == 302 and response.headers["Location"] == "/clerk/inbox"
    assert task_of(db, application).status == TaskStatus.DELIVERED  # an e-certificate goes out by itself
    assert application.number in web.get("/clerk/archive").get_data(as_text=True)
    assert application.number not in web.get("/clerk/inbox").get_data(as_text=True)


def test_rejecting_needs_a_reason_and_keeps_what_was_typed(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    web.post(task_url(task, "claim"))
    too_long = "材料与事实不符" * 80
    kept = web.post(task_url(task, "reject"), {"reason": too_long})
    assert kept.status_code == 422 and too_long in kept.get_data(as_text=True)
    empty = web.post(task_url(task, "reject"), {"reason": ""})
    assert empty.status_code == 422 and 'id="reject-reason-error"' in empty.get_data(as_text=True)
    assert task_of(db, application).status == TaskStatus.CLAIMED
    assert web.post(task_url(task, "reject"), {"reason": "材料与事实不符"}).status_code == 302
    assert task_of(db, application).status == TaskStatus.REJECTED
    db.expire_all()
    assert db.get(Application, application.id).status == ApplicationStatus.REJECTED


def test_a_decision_waits_for_a_tolerated_material(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, TOLERANT_ITEM, leave_out=("personnel_file",))
    log_in(web, clerk_of(db, "HRSS"))
    web.post(task_url(task, "claim"))
    html = web.get(task_url(task)).get_data(as_text=True)
    assert "materials still owed" in html and catalog.items[TOLERANT_ITEM].materials[2].name.en in html
    refused = web.post(task_url(task, "approve"), {"note": ""})
    assert refused.status_code == 302 and refused.headers["Location"] == task_url(task)
    assert web.get(task_url(task)).get_data(as_text=True).count("a tolerated material has not arrived yet") == 1
    assert task_of(db, application).status == TaskStatus.CLAIMED


def test_suspend_and_resume(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    web.post(task_url(task, "claim"))
    missing = web.post(task_url(task, "suspend"), {"procedure": "", "reason": "需专家评审"})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert 'id="suspend-procedure-error"' in html and "需专家评审" in html
    response = web.post(task_url(task, "suspend"), {"procedure": "expert_review", "reason": "需专家评审"})
    assert response.status_code == 302
    assert task_of(db, application).status == TaskStatus.SUSPENDED
    db.expire_all()
    assert db.get(Application, application.id).status == ApplicationStatus.SUSPENDED
    html = web.get(task_url(task)).get_data(as_text=True)
    assert "Special procedure: Expert review" in html and "Clock paused" in html
    assert f'action="{task_url(task, "resume")}"' in html and f'action="{task_url(task, "approve")}"' not in html
    assert web.post(task_url(task, "resume")).status_code == 302
    assert task_of(db, application).status == TaskStatus.CLAIMED


def test_request_an_extension(web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    web.post(task_url(task, "claim"))
    too_many = web.post(task_url(task, "request-extension"), {"days": "45", "reason": "需现场核验"})
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 422 and 'id="extension-days-error"' in html and 'value="45"' in html
    response = web.post(task_url(task, "request-extension"), {"days": "3", "reason": "需现场核验"})
    assert response.status_code == 302
    request = db.exec(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)).one()
    assert (request.days, request.status) == (3, "requested")
    assert "Waiting for the supervisor" in web.get(task_url(task)).get_data(as_text=True)
    again = web.post(task_url(task, "request-extension"), {"days": "2", "reason": "再延"})
    assert again.status_code == 302
    assert "already waiting for the supervisor" in web.get(task_url(task)).get_data(as_text=True)


def test_a_notice_request_reaches_the_front_desk(web, other_web, db, catalog, store, front_desk):
    application, task = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))
    web.post(task_url(task, "claim"))
    assert web.post(task_url(task, "request-notice"), {"reason": "驾驶证已过期"}).status_code == 302
    log_in(other_web, front_desk)
    queue = other_web.get("/desk").get_data(as_text=True)
    assert application.number in queue and "驾驶证已过期" in queue


def test_the_hukou_task_shows_the_birth_certificate_it_builds_on(web, db, catalog, store, front_desk):
    bundle = newborn(catalog)
    _, application = submitted(db, catalog, store, bundle.code)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    birth = task_of(db, application, "330100-HEALTH-001")
    doctor = clerk_of(db, birth.department)
    tasks.claim_task(session=db, actor=doctor, key=birth.key, catalog=catalog)
    tasks.approve_task(session=db, actor=doctor, key=birth.key, catalog=catalog)
    hukou = task_of(db, application, "330100-PSB-001")
    assert hukou.status == TaskStatus.READY
    certificate_number = tasks.task_detail(session=db, actor=doctor, key=birth.key, catalog=catalog).certificate.number
    log_in(web, clerk_of(db, "PSB"))
    html = web.get(task_url(hukou)).get_data(as_text=True)
    assert "Results this task builds on" in html and certificate_number in html


# --- filters ----------------------------------------------------------------------------


def test_filters_by_deadline_colour(web, db, catalog, store, front_desk, at):
    at(2026, 11, 2)  # a Monday: 3 working days end on Thursday 5 November
    red, _ = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    at(2026, 11, 5)  # ends on Tuesday 10 November
    amber, _ = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    at(2026, 11, 9)  # ends on Thursday 12 November
    green, _ = accepted(db, catalog, store, front_desk, THREE_DAY_ITEM)
    log_in(web, clerk_of(db, "TRANSPORT"))

    everything = web.get("/clerk").get_data(as_text=True)
    assert everything.index(red.number) < everything.index(amber.number) < everything.index(green.number)
    assert "Overdue" in everything and "Due within a working day" in everything
    for colour, expected in (("red", red), ("amber", amber), ("green", green)):
        html = web.get(f"/clerk?colour={colour}").get_data(as_text=True)
        assert [n for n in (red.number, amber.number, green.number) if n in html] == [expected.number], colour
    other_item = web.get("/clerk?item=330100-TRANSPORT-001").get_data(as_text=True)
    assert red.number not in other_item and "No task of your department" in other_item
