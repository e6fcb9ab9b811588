"""The applicant and the staff read the same 'who has it, what happens next, deadline' block."""

import re

from services.casework import desk
from tests.conftest import Browser
from tests.factories import make_staff
from tests.sample import submitted

EN = {"Accept-Language": "en"}


def _block(html: str) -> str:
    section = re.search(r'<section class="card mb-3" aria-labelledby="now-title">(.*?)</section>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace("The applicant", "You").strip()


def test_applicant_front_desk_and_clerk_see_the_same_block(app, db, catalog):
    applicant, application = submitted(db, catalog, app.extensions["file_store"], "330100-TRANSPORT-003")
    citizen = Browser(app.test_client())
    citizen.login(applicant.login_name)
    front = make_staff(db, "front_desk")
    staff = Browser(app.test_client())
    staff.login(front.login_name)
    before = _block(citizen.get(f"/applications/{application.key}", headers=EN).get_data(as_text=True))
    assert "front desk" in before
    assert before == _block(staff.get(f"/desk/applications/{application.key}", headers=EN).get_data(as_text=True))

    desk.accept_application(session=db, actor=front, key=application.key, catalog=catalog)
    task_key = re.search(r"/clerk/tasks/([\w-]+)", _clerk_queue(app, db)).group(1)
    clerk_page = _clerk_page(app, db, task_key)
    after = _block(citizen.get(f"/applications/{application.key}", headers=EN).get_data(as_text=True))
    assert "Decision promised by" in after
    assert after == _block(clerk_page)


def _clerk_browser(app, db):
    clerk = Browser(app.test_client())
    clerk.login(make_staff(db, "clerk", "TRANSPORT").login_name)
    return clerk


def _clerk_queue(app, db) -> str:
    return _clerk_browser(app, db).get("/clerk", headers=EN).get_data(as_text=True)


def _clerk_page(app, db, task_key) -> str:
    return _clerk_browser(app, db).get(f"/clerk/tasks/{task_key}", headers=EN).get_data(as_text=True)
