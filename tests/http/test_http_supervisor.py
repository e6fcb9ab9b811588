"""The supervisor's pages through the Flask test client, logged in through the real form, CSRF on."""

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from services import clock
from services.applications.submission import rate_application
from services.casework import desk, tasks
from services.models import ExtensionRequest, Notification, Rectification, Role, Task
from services.workdays import CalendarOverride, WorkingCalendar
from tests.factories import make_staff
from tests.sample import newborn, submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"
INSTANT_ITEM = "330100-CIVIL-001"


@pytest.fixture
def front_desk(db):
    return make_staff(db, Role.FRONT_DESK)


def accepted_task(app, db, catalog, front_desk, code=THREE_DAY_ITEM):
    applicant, application = submitted(db, catalog, app.extensions["file_store"], code)
    desk.accept_application(session=db, actor=front_desk, key=application.key, catalog=catalog)
    db.expire_all()
    return applicant, application, db.exec(select(Task).where(Task.application_id == application.id)).first()


@pytest.fixture
def extension(app, db, catalog, front_desk):
    """A claimed transport task whose clerk asks for 3 more working days."""
    _, application, task = accepted_task(app, db, catalog, front_desk)
    clerk = make_staff(db, Role.CLERK, task.department)
    tasks.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    tasks.request_extension(session=db, actor=clerk, key=task.key, catalog=catalog, days=3, reason="需现场核验")
    return application, task


@pytest.fixture
def poor_rating(app, db, catalog, front_desk):
    """An instant civil-affairs item, completed at acceptance and rated 1 star."""
    applicant, application, _ = accepted_task(app, db, catalog, front_desk, code=INSTANT_ITEM)
    rate_application(session=db, actor=applicant, key=application.key, catalog=catalog, score=1, comment="等太久")
    return applicant, db.exec(select(Rectification)).one()


def test_a_clerk_may_not_open_the_supervisor_pages(web, db):
    web.login(make_staff(db, Role.CLERK, "PSB").login_name)
    for path in ("/supervisor", "/supervisor/overdue", "/supervisor/extensions", "/supervisor/calendar"):
        assert web.get(path).status_code == 403, path


def test_the_dashboard_shows_the_figures_and_the_menu(web, db, app, catalog, front_desk):
    accepted_task(app, db, catalog, front_desk, code=INSTANT_ITEM)
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    page = web.get("/supervisor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f">{len(catalog.items)}<" in html  # the catalogue's items
    assert "100.0%" in html  # applied online, finished with zero visits, on time, same day
    for department in catalog.departments.values():
        assert department.name.zh in html
    assert 'href="/supervisor/calendar"' in html and 'href="/supervisor/breaches"' in html
    assert web.get("/supervisor?since=2026-12-01&until=2026-11-01").status_code == 200  # a bad period shows all


def test_a_department_supervisor_sees_only_its_department(web, db, catalog):
    web.login(make_staff(db, Role.SUPERVISOR, "CIVIL").login_name)
    html = web.get("/supervisor").get_data(as_text=True)
    assert catalog.departments["CIVIL"].name.zh in html and catalog.departments["PSB"].name.zh not in html


def test_the_supervisor_grants_an_extension_and_the_deadline_moves(web, db, extension):
    _, task = extension
    before = task.deadline
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    page = web.get("/supervisor/extensions").get_data(as_text=True)
    assert "需现场核验" in page and 'value="grant"' in page and 'value="refuse"' in page
    response = web.post(f"/supervisor/extensions/{task.key}", {"decision": "grant", "answer": ""})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Task, task.id).deadline == WorkingCalendar().add_working_days(before, 3)
    assert db.exec(select(ExtensionRequest)).one().status == "granted"
    assert "需现场核验" not in web.get("/supervisor/extensions").get_data(as_text=True)


def test_refusing_an_extension_needs_a_reason(web, db, extension):
    _, task = extension
    web.login(make_staff(db, Role.SUPERVISOR, "TRANSPORT").login_name)
    page = web.post(f"/supervisor/extensions/{task.key}", {"decision": "refuse", "answer": "  "})
    assert page.status_code == 422
    assert 'id="answer-1-error"' in page.get_data(as_text=True)
    assert db.exec(select(ExtensionRequest)).one().status == "requested"
    done = web.post(f"/supervisor/extensions/{task.key}", {"decision": "refuse", "answer": "材料已齐，按时办结"})
    assert done.status_code == 302
    db.expire_all()
    assert db.exec(select(ExtensionRequest)).one().answer == "材料已齐，按时办结"


def test_another_departments_supervisor_is_not_shown_an_extension(web, db, extension):
    _, task = extension
    web.login(make_staff(db, Role.SUPERVISOR, "HEALTH").login_name)
    assert "需现场核验" not in web.get("/supervisor/extensions").get_data(as_text=True)
    assert web.post(f"/supervisor/extensions/{task.key}", {"decision": "grant"}).status_code == 404


def test_the_supervisor_answers_a_rectification_and_the_applicant_gets_it(web, db, poor_rating):
    applicant, rectification = poor_rating
    web.login(make_staff(db, Role.SUPERVISOR, "CIVIL").login_name)
    page = web.get("/supervisor/rectifications").get_data(as_text=True)
    assert "等太久" in page

    empty = web.post(f"/supervisor/rectifications/{rectification.key}", {"answer": ""})
    assert empty.status_code == 422 and 'id="answer-1-error"' in empty.get_data(as_text=True)

    answer = "已约谈窗口负责人，增加午间值班。"
    assert web.post(f"/supervisor/rectifications/{rectification.key}", {"answer": answer}).status_code == 302
    db.expire_all()
    done = db.get(Rectification, rectification.id)
    assert (done.status, done.answer) == ("answered", answer)
    told = db.exec(
        select(Notification)
        .where(Notification.user_id == applicant.id, Notification.channel == "in_app")
        .order_by(Notification.id.desc())
    ).first()
    assert told.params["answer"] == answer
    assert "等太久" not in web.get("/supervisor/rectifications").get_data(as_text=True)
    again = web.post(f"/supervisor/rectifications/{rectification.key}", {"answer": "再答一次"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/supervisor/rectifications")
    told_once = web.get("/supervisor/rectifications").get_data(as_text=True)
    assert told_once.count("该整改事项已答复") == 1
    assert db.get(Rectification, rectification.id).answer == answer, "the first answer stands"


def test_another_departments_supervisor_is_not_shown_a_rectification(web, db, poor_rating):
    _, rectification = poor_rating
    web.login(make_staff(db, Role.SUPERVISOR, "PSB").login_name)
    assert "等太久" not in web.get("/supervisor/rectifications").get_data(as_text=True)
    assert web.post(f"/supervisor/rectifications/{rectification.key}", {"answer": "不归我们管"}).status_code == 404


def test_a_poor_rating_of_a_bundle_asks_each_department_and_each_closes_its_own(web, other_web, db, app, catalog):
    applicant, application = completed_bundle(app, db, catalog)
    rate_application(session=db, actor=applicant, key=application.key, catalog=catalog, score=1, comment="跑了四个部门")
    handled = sorted({task.department for task in db.exec(select(Task).where(Task.application_id == application.id))})
    assert len(handled) == len(newborn(catalog).departments) > 1

    other_web.login(make_staff(db, Role.SUPERVISOR).login_name)  # the city's supervisor watches every department
    city_page = other_web.get("/supervisor/rectifications").get_data(as_text=True)
    assert city_page.count(application.number) == len(handled)
    for department in handled:
        assert catalog.departments[department].name.zh in city_page

    first, *rest = handled
    web.login(make_staff(db, Role.SUPERVISOR, first).login_name)
    own = db.exec(select(Rectification).where(Rectification.department == first)).one()
    assert web.post(f"/supervisor/rectifications/{own.key}", {"answer": "已整改"}).status_code == 302
    db.expire_all()
    assert {r.department: r.status for r in db.exec(select(Rectification))} == {first: "answered"} | {
        department: "open" for department in rest
    }
    assert other_web.get("/supervisor/rectifications").get_data(as_text=True).count(application.number) == len(rest)


def completed_bundle(app, db, catalog):
    """The newborn bundle accepted and every task approved by a clerk of its department."""
    applicant, application = submitted(db, catalog, app.extensions["file_store"], newborn(catalog).code)
    desk.accept_application(session=db, actor=make_staff(db, Role.FRONT_DESK), key=application.key, catalog=catalog)
    for _ in newborn(catalog).items:
        db.expire_all()
        for task in db.exec(select(Task).where(Task.application_id == application.id, Task.status == "ready")).all():
            clerk = make_staff(db, Role.CLERK, task.department)
            tasks.claim_task(session=db, actor=clerk, key=task.key, catalog=catalog)
            tasks.approve_task(session=db, actor=clerk, key=task.key, catalog=catalog)
    return applicant, application


def test_overdue_and_breach_lists(web, db, app, catalog, front_desk):
    _, application, task = accepted_task(app, db, catalog, front_desk)
    db.execute(update(Task).where(Task.id == task.id).values(deadline=clock.china_today() - timedelta(days=3)))
    db.commit()
    desk.record_visit(session=db, actor=front_desk, key=application.key, catalog=catalog, purpose="核验原件")
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    overdue = web.get("/supervisor/overdue").get_data(as_text=True)
    assert application.number in overdue and "text-bg-danger" in overdue
    breaches = web.get("/supervisor/breaches").get_data(as_text=True)
    assert application.number in breaches and "核验原件" in breaches
    # The department table's breaches open the department's own: this visit is the task's department's.
    of_department = web.get(f"/supervisor/breaches?department={task.department}").get_data(as_text=True)
    assert application.number in of_department
    other = next(code for code in catalog.departments if code != task.department)
    assert application.number not in web.get(f"/supervisor/breaches?department={other}").get_data(as_text=True)
    assert web.get("/supervisor/breaches?department=NOWHERE").status_code == 404
    figures = web.get("/supervisor").get_data(as_text=True)
    assert f'href="/supervisor/breaches?department={task.department}"' in figures


def test_the_calendar_warns_about_unknown_years_and_records_days(web, db):
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    page = web.get("/supervisor/calendar?year=2040").get_data(as_text=True)
    warnings = page.count("alert-warning")
    assert "2040" in page and warnings >= 1
    added = web.post("/supervisor/calendar", {"day": "2040-02-18", "kind": "workday", "note": "春节调休上班"})
    assert added.status_code == 302 and added.headers["Location"].endswith("year=2040")
    assert db.get(CalendarOverride, date(2040, 2, 18)).kind == "workday"
    page = web.get("/supervisor/calendar?year=2040").get_data(as_text=True)
    assert "春节调休上班" in page
    assert page.count("alert-warning") == warnings - 1  # 2040's make-up days are known now

    weekday = web.post("/supervisor/calendar", {"day": "2040-02-21", "kind": "workday", "note": "打错了"})
    assert weekday.status_code == 422
    html = weekday.get_data(as_text=True)
    assert 'id="day-error"' in html and 'value="打错了"' in html

    removed = web.post("/supervisor/calendar/2040-02-18/remove")
    assert removed.status_code == 302
    db.expire_all()
    assert db.exec(select(CalendarOverride)).all() == []
    assert web.post("/supervisor/calendar/2040-02-18/remove").status_code == 404
